"""to_asff and the validator skip json.dumps when orjson's indented size of a finding
(an upper bound, taken in C) fits the budget; that bound must never be below the real
size of a finding or any container of JSON values, whatever the values (control
characters, multi-byte text, numbers), and is infinite where orjson cannot encode
(lone surrogates, integers over 64 bits, keys that are not str)."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.asff import SIZE_BUDGET, to_asff, to_asff_with_size_bound
from pipeline.asff_validation import (
    MAX_FINDING_BYTES,
    UNKNOWN_SIZE,
    encoded_size,
    encoded_size_bound,
    problems,
    validate,
)
from pipeline.finding import Category, CodeLocation, Finding, Severity
from tests.test_asff_properties import CONTEXT, findings

_any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
# Finite floats: a finding never holds Infinity or NaN (json.dumps' spellings of them are not JSON).
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_any_text, inner, max_size=4),
    max_leaves=25,
)
_containers = st.lists(_json_values, max_size=4) | st.dictionaries(_any_text, _json_values, max_size=4)


def _exact_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_containers)
def test_bound_is_never_below_the_real_size(value: Any) -> None:
    assert encoded_size_bound(value) >= _exact_size(value) == encoded_size(value)


def test_what_orjson_cannot_encode_has_no_bound() -> None:
    for value in ({"k": "lone \ud800 surrogate"}, {"n": 1 << 70}, {1: "int key"}):
        assert encoded_size_bound(value) == float("inf")
        assert encoded_size(value) == _exact_size(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(findings)
def test_bound_holds_for_built_findings(finding: Finding) -> None:
    asff = to_asff(finding, CONTEXT)
    assert encoded_size_bound(asff) >= _exact_size(asff)


def test_a_finding_over_the_budget_is_still_cut() -> None:
    """Many long multi-byte snippets: the bound is over, so the exact size is taken and the text cut to fit."""
    locations = [CodeLocation(path=f"src/file{i}.py", start_line=i, snippet="\u3042" * 1000) for i in range(31)]
    finding = Finding(tool="t", rule_id="r", title="big", severity=Severity.LOW, category=Category.SAST,
                      code_locations=locations, extra={f"k{i}": "\U0001f512" * 2000 for i in range(40)})
    asff = to_asff(finding, CONTEXT)
    assert _exact_size(asff) <= SIZE_BUDGET
    assert any(v.endswith("…[truncated]") for v in asff["ProductFields"].values())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(findings)
def test_the_bound_handed_to_the_validator_is_the_bound_of_the_finding_returned(finding: Finding) -> None:
    asff, bound = to_asff_with_size_bound(finding, CONTEXT)
    assert asff == to_asff(finding, CONTEXT)
    assert bound == encoded_size_bound(asff) or bound == UNKNOWN_SIZE
    assert validate(asff, bound) is asff


def test_a_shortened_finding_hands_over_no_bound() -> None:
    """The bound taken before shortening is not the shortened finding's: the validator must take its own."""
    locations = [CodeLocation(path=f"src/file{i}.py", start_line=i, snippet="\u3042" * 1000) for i in range(31)]
    finding = Finding(tool="t", rule_id="r", title="big", severity=Severity.LOW, category=Category.SAST,
                      code_locations=locations, extra={f"k{i}": "\U0001f512" * 2000 for i in range(40)})
    asff, bound = to_asff_with_size_bound(finding, CONTEXT)
    assert bound == UNKNOWN_SIZE
    assert validate(asff, bound) is asff


def test_the_size_is_checked_by_the_bound_handed_over() -> None:
    """A bound over the limit makes the validator take the exact size, which decides alone."""
    asff = to_asff(Finding(tool="t", rule_id="r", title="small", severity=Severity.LOW, category=Category.SAST),
                   CONTEXT)
    assert problems(asff, float(MAX_FINDING_BYTES + 1)) == []  # the exact size is small: no problem
    asff["Description"] = "x" * 1000
    asff["ProductFields"] = {f"secpipe/k{i}": "y" * 2048 for i in range(49)}
    asff["Resources"] = [{**asff["Resources"][0], "Details": {"Other": {f"k{j}": "z" * 1000 for j in range(50)}}}
                         for _ in range(32)]
    assert any(p.startswith("size:") for p in problems(asff))
    # The bound of the finding as it is: the same verdict without encoding it again.
    assert any(p.startswith("size:") for p in problems(asff, encoded_size_bound(asff)))
