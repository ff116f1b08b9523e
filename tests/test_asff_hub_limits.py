"""Security Hub's limits beyond the API model (../shared/reference/asff-constraints.md), laid
over the compiled model at their members: each one refuses a finding with a problem naming
the member, the fast check agrees with the worded one, and a limit holds for its member only
(the model shares one node between members of the same shape)."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from pipeline.asff_validation import (
    DETAILS_OTHER_KEY_MAX,
    DETAILS_OTHER_PAIRS_MAX,
    DETAILS_OTHER_VALUE_MAX,
    PRODUCT_FIELD_KEY_MAX,
    PRODUCT_FIELD_VALUE_MAX,
    STRING_LIMITS,
    UNKNOWN_SIZE,
    _finding_node,
    _model_node,
    encoded_size_bound,
    problems,
)
from tests.test_asff_validation import FINDINGS

BASE = next(f for f in FINDINGS if f["Resources"][0].get("Details", {}).get("Other"))


def _other(finding: dict[str, Any]) -> dict[str, str]:
    return finding["Resources"][0]["Details"]["Other"]


# (what breaks, how, the start of the problem that must name it)
BREAKS: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    *((f"{dotted} over {limit}", (lambda f, d=dotted, n=limit: _set(f, d, "x" * (n + 1))),
       f"{dotted}: {limit + 1} characters, more than {limit}") for dotted, limit in STRING_LIMITS.items()),
    ("51 types", lambda f: f.update(Types=["Software and Configuration Checks"] * 51), "Types: 51 entries, more than 50"),
    ("no types", lambda f: f.update(Types=[]), "Types: 0 entries, fewer than 1"),
    ("types missing", lambda f: f.pop("Types"), "finding: missing required member 'Types'"),
    ("no resources", lambda f: f.update(Resources=[]), "Resources: 0 entries, fewer than 1"),
    ("33 resources", lambda f: f.update(Resources=f["Resources"] * 33), "Resources: 33 entries, more than 32"),
    ("51 product fields", lambda f: f["ProductFields"].update({f"k{i}": "v" for i in range(51)}), "ProductFields: "),
    ("long product field key", lambda f: f["ProductFields"].update({"k" * (PRODUCT_FIELD_KEY_MAX + 1): "v"}),
     f"ProductFields key: {PRODUCT_FIELD_KEY_MAX + 1} characters, more than {PRODUCT_FIELD_KEY_MAX}"),
    ("long product field value", lambda f: f["ProductFields"].update(k="v" * (PRODUCT_FIELD_VALUE_MAX + 1)),
     f"ProductFields['k']: {PRODUCT_FIELD_VALUE_MAX + 1} characters, more than {PRODUCT_FIELD_VALUE_MAX}"),
    ("schema version", lambda f: f.update(SchemaVersion="2018-10-09"), "SchemaVersion: '2018-10-09' is not one of"),
    ("control character in Id", lambda f: f.update(Id="a\x00b"), "Id: contains a control character"),
    ("short product ARN", lambda f: f.update(ProductArn="arn:aws:x"), "ProductArn: 9 characters, fewer than 12"),
    ("account id", lambda f: f.update(AwsAccountId="12345678901a"), "AwsAccountId: must be 12 digits"),
    ("resource region", lambda f: f["Resources"][0].update(Region="r" * 17),
     "Resources[0].Region: 17 characters, more than 16"),
    ("resource type", lambda f: f["Resources"][0].update(Type="T" * 257),
     "Resources[0].Type: 257 characters, more than 256"),
    ("51 details pairs", lambda f: _other(f).update({f"k{i}": "v" for i in range(DETAILS_OTHER_PAIRS_MAX + 1)}),
     "Resources[0].Details.Other: "),
    ("details key", lambda f: _other(f).update({"k" * (DETAILS_OTHER_KEY_MAX + 1): "v"}),
     f"Resources[0].Details.Other key: {DETAILS_OTHER_KEY_MAX + 1} characters"),
    ("details value", lambda f: _other(f).update(k="v" * (DETAILS_OTHER_VALUE_MAX + 1)),
     f"Resources[0].Details.Other['k']: {DETAILS_OTHER_VALUE_MAX + 1} characters"),
    ("timestamp", lambda f: f.update(CreatedAt="2024-01-01 00:00:00"), "CreatedAt: '2024-01-01 00:00:00' is not"),
    ("severity", lambda f: f.pop("Severity"), "Severity: needs a Label"),
]

FINDING_WIDE = {"timestamp", "severity"}


def _set(finding: dict[str, Any], dotted: str, value: str) -> None:
    *parents, last = dotted.split(".")
    target = finding
    for part in parents:
        target = target.setdefault(part, {})
    if last == "Text" and parents == ["Note"]:
        target.update(UpdatedBy="someone", UpdatedAt="2024-01-01T00:00:00Z")
    target[last] = value


@pytest.mark.parametrize(("name", "breaker", "expected"), BREAKS, ids=[b[0] for b in BREAKS])
def test_each_limit_refuses_and_names_the_member(name: str, breaker: Callable, expected: str) -> None:
    finding = copy.deepcopy(BASE)
    breaker(finding)
    found = problems(finding)
    assert any(p.startswith(expected) for p in found), found
    if name not in FINDING_WIDE:  # those two are checked once per finding, not at a member
        assert not _finding_node().ok(finding)


def test_the_base_finding_passes_both_checks() -> None:
    assert problems(BASE) == [] and _finding_node().ok(BASE)


def test_a_limit_holds_for_its_member_only() -> None:
    """Title and a resource's Id share the model's NonEmptyString: Title's 256 is not the Id's."""
    finding = copy.deepcopy(BASE)
    finding["Resources"][0]["Id"] = "r" * 300
    finding["GeneratorId"] = "g" * 300
    assert problems(finding) == []
    assert _model_node().ok({"x": 1}) is False and _finding_node() is not _model_node()


@pytest.mark.parametrize("place", ["Title", "ProductFields value", "ProductFields key", "Resources[0].Id", "Types[0]"])
def test_a_lone_surrogate_is_refused_wherever_it_is(place: str) -> None:
    """The texts skip their own surrogate check only when orjson has encoded the whole finding, which it
    refuses to do for a lone surrogate anywhere (keys included): every place is still checked."""
    finding = copy.deepcopy(BASE)
    bad = "caf\u00e9 \ud800"
    if place == "Title":
        finding["Title"] = bad
    elif place == "ProductFields value":
        finding["ProductFields"]["secpipe/x"] = bad
    elif place == "ProductFields key":
        finding["ProductFields"][bad] = "v"
    elif place == "Resources[0].Id":
        finding["Resources"][0]["Id"] = bad
    else:
        finding["Types"] = [bad]
    assert encoded_size_bound(finding) == UNKNOWN_SIZE
    assert any("lone surrogate" in p for p in problems(finding)), problems(finding)
    assert not _finding_node().ok(finding) and not _finding_node().ok(finding, False)


def test_texts_known_to_be_utf8_are_still_checked_for_everything_else() -> None:
    finding = copy.deepcopy(BASE)
    finding["Title"] = "t" * 300
    assert not _finding_node().ok(finding, True)
    assert any(p.startswith("Title") for p in problems(finding, encoded_size_bound(finding)))
