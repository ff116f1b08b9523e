"""Reports produced by really running the scanners (tests/fixtures/real/README.md
says how) parse into the findings the vulnerable inputs deserve, and into valid ASFF."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from parsers import registry
from parsers.base import Report
from pipeline.convert import to_validated_asff
from pipeline.finding import Category, Finding
from tests.conftest import FIXTURES, assert_valid_asff

REAL = FIXTURES / "real"
APP = "src/vulnerable_app.py"
TEMPLATE = "src/template.yaml"


@dataclass(frozen=True)
class Expected:
    tool: str
    file: str
    count: int
    rules: set[str]
    cwes: set[int] = field(default_factory=set)
    #: (rule id, path, line) triples that must be present
    places: set[tuple[str, str, int]] = field(default_factory=set)


EXPECTED = [
    Expected("bandit", "bandit.json", 6, {"B404", "B105", "B602", "B506", "B324", "B107"}, {78, 259, 20, 327},
             {("B602", APP, 11), ("B506", APP, 15), ("B324", APP, 19), ("B105", APP, 7)}),
    Expected("semgrep", "semgrep.json", 4,
             {"subprocess-shell-true", "yaml-load-without-loader", "insecure-hash-md5", "hardcoded-password-default"},
             {78, 502, 328, 259},
             {("subprocess-shell-true", APP, 11), ("yaml-load-without-loader", APP, 15),
              ("insecure-hash-md5", APP, 19), ("hardcoded-password-default", APP, 22)}),
    Expected("cfn-lint", "cfn-lint.json", 4, {"W2001", "E3045", "W3045", "W3010"}, set(),
             {("E3045", TEMPLATE, 10), ("W3010", TEMPLATE, 31), ("W2001", TEMPLATE, 4)}),
    Expected("checkov", "checkov.json", 16,
             {"CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_20", "CKV_AWS_18", "CKV_AWS_56", "CKV_AWS_55", "CKV_AWS_21",
              "CKV_AWS_24", "CKV_AWS_23", "CKV_AWS_3", "CKV_DOCKER_7", "CKV_DOCKER_4", "CKV_DOCKER_2", "CKV_DOCKER_3",
              "CKV_SECRET_2"}, set(),
             {("CKV_AWS_20", TEMPLATE, 8), ("CKV_AWS_24", TEMPLATE, 17), ("CKV_AWS_3", TEMPLATE, 28),
              ("CKV_DOCKER_7", "src/Dockerfile", 2), ("CKV_SECRET_2", "src/deploy.env", 2)}),
    Expected("wapiti", "wapiti.json", 3, {"Path Traversal", "Cross Site Scripting"}, {22, 79}),
    Expected("wapiti", "wapiti.xml", 3, {"Path Traversal", "Cross Site Scripting"}, {22, 79}),
]


def _parse(tool: str, name: str) -> list[Finding]:
    return registry.parse_report(tool, (REAL / name).read_bytes(), name)


def _places(finding: Finding) -> set[tuple[str, str, int]]:
    places = {(finding.rule_id, loc.path, loc.start_line) for loc in finding.code_locations if loc.start_line}
    if finding.iac_location and finding.iac_location.line:
        places.add((finding.rule_id, finding.iac_location.template, finding.iac_location.line))
    return places


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: e.file)
def test_real_report(expected: Expected, context) -> None:
    findings = _parse(expected.tool, expected.file)
    assert len(findings) == expected.count
    assert {f.rule_id for f in findings} == expected.rules
    assert expected.cwes <= {c for f in findings for c in f.cwes}
    assert expected.places <= set().union(*(_places(f) for f in findings))
    asff = to_validated_asff(findings, context)
    assert_valid_asff(asff)
    assert {a["ProductFields"]["secpipe/tool"] for a in asff} == {expected.tool}


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: e.file)
def test_real_report_is_auto_detected(expected: Expected) -> None:
    report = Report(expected.file, (REAL / expected.file).read_bytes())
    assert registry.detect(report).name == expected.tool


def test_checkov_cloudformation_findings_name_template_and_logical_id(context) -> None:
    by_rule = {f.rule_id: f for f in _parse("checkov", "checkov.json") if f.iac_location}
    public_read = by_rule["CKV_AWS_20"].iac_location
    assert (public_read.template, public_read.logical_id, public_read.resource_type) == (TEMPLATE, "PublicBucket", "AWS::S3::Bucket")
    assert by_rule["CKV_AWS_24"].iac_location.logical_id == "OpenSecurityGroup"
    assert by_rule["CKV_AWS_3"].iac_location.logical_id == "DataVolume"
    assert all(f.category is Category.IAC for f in by_rule.values())
    asff = to_validated_asff([by_rule["CKV_AWS_20"]], context)[0]
    assert asff["ProductFields"]["secpipe/logical-id"] == "PublicBucket"
    assert any(r["Id"].endswith(f"{TEMPLATE}#PublicBucket") for r in asff["Resources"])


def test_checkov_secrets_are_masked_everywhere(context) -> None:
    leaked = [line.split("=", 1)[1] for line in (REAL / "src" / "deploy.env").read_text().splitlines()
              if line.startswith("AWS_")]
    findings = [f for f in _parse("checkov", "checkov.json") if f.category is Category.SECRET]
    assert len(findings) == 2
    text = json.dumps(to_validated_asff(findings, context))
    for secret in leaked:
        # Not the value, and not the longer prefix checkov itself left visible.
        assert secret not in text and secret[:6] not in text
    assert "sha256:" in text
    assert len({f.fingerprint for f in findings}) == 2


def test_checkov_dockerfile_findings_have_a_code_location() -> None:
    docker = [f for f in _parse("checkov", "checkov.json") if f.rule_id.startswith("CKV_DOCKER")]
    assert docker and all(f.code_locations[0].path == "src/Dockerfile" and f.iac_location is None for f in docker)


def _by_parameter(findings: list[Finding]) -> dict[str | None, Finding]:
    return {f.web_locations[0].parameter: f for f in findings}


@pytest.mark.parametrize("name", ["wapiti.json", "wapiti.xml"])
def test_wapiti_web_locations_and_levels(name: str, context) -> None:
    findings = _by_parameter(_parse("wapiti", name))
    traversal, reflected, posted = findings["page"], findings["name"], findings["q"]
    assert (traversal.web_locations[0].url, traversal.web_locations[0].method) == ("http://127.0.0.1:18765/view", "GET")
    assert (posted.web_locations[0].url, posted.web_locations[0].method) == ("http://127.0.0.1:18765/search", "POST")
    assert reflected.rule_id == "Cross Site Scripting" and 79 in reflected.cwes
    assert traversal.native_severity == "4" and traversal.severity.name == "CRITICAL"
    assert reflected.native_severity == "2" and reflected.severity.name == "MEDIUM"
    assert "curl" in traversal.extra["curl-command"]
    assert traversal.observed_at is not None and traversal.observed_at.utcoffset() is not None
    asff = to_validated_asff([traversal], context)[0]
    assert asff["FirstObservedAt"].startswith("2026-11-27T13:4")


def test_wapiti_json_and_xml_scans_give_the_same_ids(context) -> None:
    """Two separate scans with different payload markers: the Id rests on method, path and parameter."""
    json_ids = {a["Id"] for a in to_validated_asff(_parse("wapiti", "wapiti.json"), context)}
    xml_ids = {a["Id"] for a in to_validated_asff(_parse("wapiti", "wapiti.xml"), context)}
    assert json_ids == xml_ids and len(json_ids) == 3


def test_bandit_and_semgrep_agree_on_the_shell_injection_line() -> None:
    bandit = {f.rule_id: f for f in _parse("bandit", "bandit.json")}["B602"]
    semgrep = {f.rule_id: f for f in _parse("semgrep", "semgrep.json")}["subprocess-shell-true"]
    assert bandit.code_locations[0].start_line == semgrep.code_locations[0].start_line == 11
    assert 78 in bandit.cwes and 78 in semgrep.cwes
    assert bandit.severity.name == "HIGH" and semgrep.severity.name == "HIGH"
