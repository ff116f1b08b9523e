"""junit.xml parses and has the structure CodeBuild's JUnit reader (and the common JUnit XSD) expects."""
from __future__ import annotations

import defusedxml.ElementTree as SafeET

from pipeline.finding import Category, Finding, Severity
from pipeline.gate import decide
from pipeline.policy import Policy
from pipeline.result import ScanResult
from reports.junit import render_junit, xml_text
from tests.reports.conftest import make_result

SUITE_ATTRIBUTES = {"name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname", "id", "package"}
CASE_CHILDREN = {"failure", "error", "skipped", "system-out", "system-err"}


def check_structure(root) -> None:
    assert root.tag == "testsuites"
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        assert suite.tag == "testsuite"
        assert SUITE_ATTRIBUTES <= set(suite.attrib), set(suite.attrib)
        float(suite.get("time"))
        assert [c.tag for c in suite][0] == "properties" and [c.tag for c in suite][-2:] == ["system-out", "system-err"]
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        for key, child in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            assert int(suite.get(key)) == len(suite.findall(f"testcase/{child}"))
            totals[key] += int(suite.get(key))
        totals["tests"] += len(cases)
        for case in cases:
            assert case.get("name") and case.get("classname")
            float(case.get("time"))
            assert {c.tag for c in case} <= CASE_CHILDREN
            assert len([c for c in case if c.tag in ("failure", "error", "skipped")]) <= 1
            for outcome in case.findall("failure") + case.findall("error"):
                assert outcome.get("message") and outcome.get("type")
    for key, value in totals.items():
        assert int(root.get(key)) == value


def test_structure_and_outcomes(scan_result: ScanResult) -> None:
    root = SafeET.fromstring(render_junit(scan_result).encode())
    check_structure(root)
    suites = {s.get("name"): s for s in root}
    assert list(suites) == ["pip-audit", "bandit", "semgrep", "checkov", "wapiti", "cfn-nag", "zap"]
    # Tool runs: incomplete, not installed and error are errors; complete runs pass.
    for tool in ("pip-audit", "cfn-nag", "zap"):
        error = suites[tool].find("testcase/error")
        assert error is not None and error.get("type") in ("INCOMPLETE", "NOT_INSTALLED", "ERROR")
    assert suites["zap"].find("testcase/error").get("message") == 'error: ZAP API <b>refused</b> "connection" on 127.0.0.1:8090'
    assert suites["bandit"].find("testcase[@name='bandit run (sast)']/error") is None
    # Findings: at/above the gate threshold fail, suppressed are skipped, the rest pass.
    bandit = suites["bandit"]
    failure = bandit.find("testcase/failure")
    assert failure.get("type") == "HIGH" and "src/app.py:42" in failure.text and "CWE-78" in failure.text
    assert "pytest" in bandit.find("testcase/skipped").get("message")
    assert suites["checkov"].find("testcase/failure") is None  # LOW, below HIGH
    assert suites["wapiti"].find("testcase/failure").get("type") == "CRITICAL"
    sca = suites["pip-audit"].find("testcase/system-out").text
    assert "CVE-2023-32681" in sca and "requests 2.19.0 fixed in 2.31.0" in sca
    assert int(root.get("failures")) == 3 and int(root.get("skipped")) == 1 and int(root.get("errors")) == 3


def test_control_characters_are_removed_and_text_round_trips() -> None:
    title = "bad\x00 \x1b[31mcolour\x07 & <tag> \ufffe ok"
    finding = Finding(tool="semgrep", rule_id="r\x01", title=title, severity=Severity.CRITICAL, category=Category.SAST)
    result = make_result([finding])
    result.gate = decide(result.findings, result.runs, Policy())
    root = SafeET.fromstring(render_junit(result).encode())
    check_structure(root)
    failure = root.find("testsuite/testcase/failure")
    assert "& <tag>" in failure.get("message") and "\x00" not in failure.get("message")
    assert xml_text(title) == "bad [31mcolour & <tag>  ok"
    assert xml_text("lone \ud800 surrogate") == "lone  surrogate"


def test_no_findings_and_no_runs_is_still_valid() -> None:
    root = SafeET.fromstring(render_junit(make_result([])).encode())
    assert root.tag == "testsuites" and root.get("tests") == "0" and len(root) == 0
