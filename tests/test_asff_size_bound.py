"""to_asff skips serialising a finding when a cheap upper bound of its UTF-8 JSON
size fits the budget; that bound must never be below the real size, whatever
the values (control characters, lone surrogates, multi-byte text, numbers)."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.asff import SIZE_BUDGET, _json_size_bound, to_asff
from pipeline.finding import Category, CodeLocation, Finding, Severity
from tests.test_asff_properties import CONTEXT, findings

_any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_any_text, inner, max_size=4)
    | st.dictionaries(st.sampled_from(["ProductFields", "Other", "Severity", "Recommendation"]), inner, max_size=2)
    | st.dictionaries(st.sampled_from(["Types", "ReferenceUrls", "Cwes", "RelatedVulnerabilities"]), inner, max_size=2),
    max_leaves=25,
)


def _exact_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json_values)
def test_bound_is_never_below_the_real_size(value: Any) -> None:
    assert _json_size_bound(value) >= _exact_size(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(findings)
def test_bound_holds_for_built_findings(finding: Finding) -> None:
    asff = to_asff(finding, CONTEXT)
    assert _json_size_bound(asff) >= _exact_size(asff)


def test_a_finding_over_the_budget_is_still_cut() -> None:
    """Many long multi-byte snippets: the bound is over, so the exact size is taken and the text cut to fit."""
    locations = [CodeLocation(path=f"src/file{i}.py", start_line=i, snippet="\u3042" * 1000) for i in range(31)]
    finding = Finding(tool="t", rule_id="r", title="big", severity=Severity.LOW, category=Category.SAST,
                      code_locations=locations, extra={f"k{i}": "\U0001f512" * 2000 for i in range(40)})
    asff = to_asff(finding, CONTEXT)
    assert _exact_size(asff) <= SIZE_BUDGET
    assert any(v.endswith("…[truncated]") for v in asff["ProductFields"].values())
