"""Enum, pattern and encoding constraints of botocore's model and Security Hub, in the one
validator that both the client and the local hub use (issue 12 items 6 and 7)."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from pipeline.asff_validation import botocore_problems, problems
from pipeline.hub.imports import RejectedFinding, check
from tests.test_asff_validation import FINDINGS

BROKEN: dict[str, Any] = {
    "RecordState BOGUS": lambda f: f.update(RecordState="BOGUS"),
    "Workflow.Status BOGUS": lambda f: f.update(Workflow={"Status": "BOGUS"}),
    "Severity.Label lower case": lambda f: f["Severity"].update(Label="high"),
    "Id NUL": lambda f: f.update(Id="\u0000"),
    "Id with a newline": lambda f: f.update(Id="a\nb"),
    "SchemaVersion NUL": lambda f: f.update(SchemaVersion="\u0000"),
    "SchemaVersion other": lambda f: f.update(SchemaVersion="2020-01-01"),
    "lone surrogate in Title": lambda f: f.update(Title="bad \ud800 title"),
    "lone surrogate in a ProductFields value": lambda f: f["ProductFields"].update({"k": "\udfff"}),
    "lone surrogate in a ProductFields key": lambda f: f["ProductFields"].update({"\ud800": "v"}),
    "lone surrogate in a Types entry": lambda f: f["Types"].append("x\ud800"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_the_validator_and_the_hub_refuse(name: str) -> None:
    finding = copy.deepcopy(FINDINGS[0])
    BROKEN[name](finding)
    assert problems(finding), name
    with pytest.raises(RejectedFinding) as caught:
        check(finding)
    assert caught.value.code == "InvalidInput"


def test_valid_enum_values_pass() -> None:
    for state in ("ACTIVE", "ARCHIVED"):
        finding = copy.deepcopy(FINDINGS[0])
        finding["RecordState"] = state
        finding["Workflow"] = {"Status": "SUPPRESSED"}
        finding["Title"] = "non-ASCII is fine: é ✓ 𝄞"
        assert problems(finding) == [] and botocore_problems(finding) == []


def test_reference_walk_agrees_on_enums_and_surrogates() -> None:
    for name in ("RecordState BOGUS", "lone surrogate in Title", "lone surrogate in a Types entry"):
        finding = copy.deepcopy(FINDINGS[0])
        BROKEN[name](finding)
        assert botocore_problems(finding), name


def test_the_problem_names_the_field() -> None:
    finding = copy.deepcopy(FINDINGS[0])
    finding["RecordState"] = "BOGUS"
    finding["Title"] = "\ud800"
    found = " ".join(problems(finding))
    assert "RecordState: 'BOGUS' is not one of ACTIVE, ARCHIVED" in found
    assert "Title: contains a lone surrogate" in found
