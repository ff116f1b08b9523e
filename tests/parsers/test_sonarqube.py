from __future__ import annotations

import json

import pytest

from pipeline.errors import ReportError
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, fixture_json, parse, truncated, valid_asff

TOOL = "sonarqube"


def _pages() -> bytes:
    return json.dumps([fixture_json("sonarqube", "issues_page1.json"),
                       fixture_json("sonarqube", "issues_page2.json")]).encode()


@pytest.fixture
def issues():
    return parse(TOOL, _pages(), "sonar-pages.json")


def test_all_pages_are_read_and_closed_issues_skipped(issues):
    # AX-2 is RESOLVED as FALSE-POSITIVE; AX-3 is on page 2.
    assert [f.extra["issue-key"] for f in issues] == ["AX-1", "AX-3"]


def test_single_page_document():
    findings = parse(TOOL, fixture_bytes("sonarqube", "issues_page1.json"))
    assert [f.extra["issue-key"] for f in findings] == ["AX-1"]


def test_raw_issues_list():
    raw = fixture_json("sonarqube", "issues_page1.json")["issues"]
    findings = parse(TOOL, json.dumps(raw).encode())
    assert [f.extra["issue-key"] for f in findings] == ["AX-1"]
    assert findings[0].code_locations[0].path == "app/db.py"  # from "<project>:<path>" without components


def test_issue_fields(issues):
    sqli = issues[0]
    assert sqli.rule_id == "python:S3649"
    assert sqli.title.startswith("Change this code to not construct SQL queries")
    assert sqli.severity is Severity.CRITICAL and sqli.native_severity == "CRITICAL"
    loc = sqli.code_locations[0]
    assert (loc.path, loc.start_line, loc.end_line) == ("app/db.py", 12, 13)
    assert sqli.fingerprint == "sonar:AX-1"
    assert sqli.extra["type"] == "VULNERABILITY"
    assert sqli.category is Category.SAST


def test_advisory_facts_scraped_from_the_message(issues):
    dep = issues[1]
    assert dep.vulnerability_ids == ["CVE-2018-18074"]
    assert dep.cwes == [522]
    assert dep.cvss[0].score == 9.8
    assert dep.severity is Severity.CRITICAL  # CVSS 9.8 wins over MAJOR
    assert (dep.packages[0].name, dep.packages[0].version) == ("requests", "2.19.0")
    assert dep.code_locations == []  # the issue is on the project, not a file


def test_hotspots():
    findings = parse(TOOL, fixture_bytes("sonarqube", "hotspots.json"))
    (csrf,) = findings  # HS-2 was reviewed as SAFE
    assert csrf.rule_id == "python:S4502"
    assert csrf.severity is Severity.HIGH and csrf.native_severity == "HIGH"
    assert csrf.code_locations[0].path == "web/views.py" and csrf.code_locations[0].start_line == 20
    assert csrf.extra["type"] == "SECURITY_HOTSPOT"


def test_impacts_only_issue_uses_the_worst_impact():
    issue = {"key": "K", "rule": "java:S1", "component": "p:A.java", "project": "p", "status": "OPEN",
             "message": "m", "impacts": [{"softwareQuality": "SECURITY", "severity": "LOW"},
                                         {"softwareQuality": "RELIABILITY", "severity": "HIGH"}]}
    (finding,) = parse(TOOL, json.dumps([issue]).encode())
    assert finding.severity is Severity.HIGH


def test_asff(issues, context):
    asff = valid_asff(issues, context)
    assert asff[0]["ProductFields"]["secpipe/file"] == "app/db.py"
    assert asff[0]["ProductFields"]["secpipe/issue-key"] == "AX-1"
    assert asff[1]["Vulnerabilities"][0]["Id"] == "CVE-2018-18074"
    assert asff[1]["ProductFields"]["secpipe/cwe"] == "CWE-522"


def test_long_message_is_truncated_and_valid(context):
    page = fixture_json("sonarqube", "issues_page1.json")
    page["issues"][0]["message"] = "Change this " * 500
    asff = valid_asff(parse(TOOL, json.dumps(page).encode()), context)
    assert len(asff[0]["Title"]) == 256 and len(asff[0]["Description"]) == 1024


@pytest.mark.parametrize("data, message", [
    (truncated(fixture_bytes("sonarqube", "issues_page1.json")), "not valid JSON"),
    (b'{"totals": {"file_errors": 0}, "files": []}', "not a SonarQube report"),
    (b'[{"filename": "./a.yaml", "file_results": {}}]', "not a SonarQube report"),
    (b'[{"paging": {}, "issues": []}, {"nothing": 1}]', "neither 'issues' nor 'hotspots'"),
])
def test_malformed_input_is_a_clear_report_error(data, message):
    with pytest.raises(ReportError, match=message):
        parse(TOOL, data)
