"""finding_types.problem: the one-line verdict on a Finding whose fields do not hold their declared
types, including the quick paths (exact plain types, empty lists and dicts) it takes for valid ones."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline import finding_types
from pipeline.finding import Category, CodeLocation, Cvss, Finding, IacLocation, Package, Severity, WebLocation


def full_finding(**changes: object) -> Finding:
    """A finding with every field set to a valid value of its declared type."""
    finding = Finding(
        tool="t", rule_id="R1", title="title", severity=Severity.HIGH, category=Category.SCA,
        description="d", native_severity="high", confidence="HIGH", cwes=[79, 89],
        vulnerability_ids=["CVE-2024-1"], cvss=[Cvss("3.1", 7.5, "CVSS:3.1/AV:N", "NVD"), Cvss("2.0", 5)],
        packages=[Package("lib", "1.0", "1.1", "maven", "/lib.jar")],
        code_locations=[CodeLocation("a.py", 1, 2, 3, "x = 1")],
        web_locations=[WebLocation("https://h/", "GET", "q", "a", "e")],
        iac_location=IacLocation("t.yaml", "Bucket", "AWS::S3::Bucket", 4),
        references=["https://ref"], remediation="fix", remediation_url="https://fix", suppressed=True,
        suppression_reason="why", fingerprint="fp", observed_at=datetime(2026, 1, 1, tzinfo=UTC),
        extra={"k": "v"}, occurrence=2,
    )
    for name, value in changes.items():
        setattr(finding, name, value)
    return finding


def test_valid_findings_have_no_problem() -> None:
    assert finding_types.problem(full_finding()) is None
    assert finding_types.problem(Finding("t", "r", "x", Severity.LOW, Category.SAST)) is None


def test_an_int_is_a_number_where_a_float_is_declared() -> None:
    assert finding_types.problem(full_finding(cvss=[Cvss("3.1", 7)])) is None


@pytest.mark.parametrize(("changes", "expected"), [
    ({"rule_id": 7}, "rule_id is int, expected str"),
    ({"severity": 3}, "severity is int, expected Severity"),
    ({"suppressed": 1}, "suppressed is int, expected bool"),
    ({"occurrence": True}, "occurrence is bool, expected int"),
    ({"native_severity": b"high"}, "native_severity is bytes, expected str"),
    ({"observed_at": "2026-01-01"}, "observed_at is str, expected datetime"),
    ({"cwes": [79, "89"]}, "cwes[1] is str, expected int"),
    ({"cwes": (79,)}, "cwes is tuple, expected a list"),
    ({"references": ["https://a", None]}, "references[1] is NoneType, expected str"),
    ({"cvss": [Cvss("3.1", 7.5), Cvss("3.1", "high")]}, "cvss[1].score is str, expected a number"),
    ({"cvss": [Cvss("3.1", True)]}, "cvss[0].score is bool, expected a number"),
    ({"cvss": ["3.1"]}, "cvss[0] is str, expected Cvss"),
    ({"packages": [Package(name=None)]}, "packages[0].name is NoneType, expected str"),
    ({"code_locations": [CodeLocation("a.py", start_line="3")]}, "code_locations[0].start_line is str, expected int"),
    ({"iac_location": IacLocation("t.yaml", line=1.0)}, "iac_location.line is float, expected int"),
    ({"extra": {"k": 1}}, "extra['k'] is int, expected str"),
    ({"extra": {2: "v"}}, "extra[2] is int, expected str"),
    ({"extra": []}, "extra is list, expected an object"),
    ({"web_locations": {}}, "web_locations is dict, expected a list"),
])
def test_the_first_wrong_field_is_named(changes: dict[str, object], expected: str) -> None:
    assert finding_types.problem(full_finding(**changes)) == expected


def test_a_subclass_of_list_is_still_looked_into() -> None:
    class Tagged(list):
        pass

    assert finding_types.problem(full_finding(cwes=Tagged())) is None
    assert finding_types.problem(full_finding(cwes=Tagged(["x"]))) == "cwes[0] is str, expected int"
