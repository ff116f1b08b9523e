"""Conformance: every real report in ../shared/corpus parses to the number of
findings an established parser makes of it, and the values it asserts (title,
severity, CWE, CVE, file, line) reach the ASFF.

Where secpipe deliberately differs, the difference is listed in DEVIATIONS with
its reason, and documented in parsers/README.md.
"""
from __future__ import annotations

from typing import Any

import pytest

from parsers import registry
from pipeline.convert import to_validated_asff
from pipeline.errors import ReportError
from tests.conftest import CORPUS, assert_valid_asff, corpus_manifest

#: corpus folder -> secpipe parser name
TOOL_NAMES = {
    "bandit": "bandit", "cfn_lint": "cfn-lint", "cfn_nag": "cfn-nag", "checkov": "checkov",
    "dependency_check": "dependency-check", "npm_audit": "npm-audit", "npm_audit_7_plus": "npm-audit",
    "phpstan": "phpstan", "pip_audit": "pip-audit", "sarif": "sarif", "semgrep": "semgrep",
    "sonarqube": "sonarqube", "trivy": "trivy", "wapiti": "wapiti", "zap": "zap",
}

#: (file, field) -> why secpipe differs from the reference parser. Keep in step with parsers/README.md.
DEVIATIONS: dict[tuple[str, str], str] = {
    ("npm_audit/many_vuln.json", "file_path"): "npm's dependency path is kept as written; DefectDojo replaces its 64-hex segment with 'censored_by_npm_audit'",
    ("npm_audit_7_plus/many_vulns.json", "title"): "title says why the package is vulnerable ('<pkg>: <advisory>' or '<pkg> is vulnerable through <pkgs>'), not the bare package name",
    ("npm_audit_7_plus/many_vulns.json", "cwe"): "a package vulnerable only through others has no CWE of its own; secpipe does not stamp the generic CWE-1035",
    ("pip_audit/many_vulns.json", "cwe"): "pip-audit reports no CWE; secpipe does not stamp the generic CWE-1395 on every finding",
    ("sonarqube/findings_over_api.json", "title"): "title is the issue message, not '<rule>_<issue key>'; rule and key are in ProductFields",
    ("sonarqube/findings_over_api_hotspots.json", "title"): "title is the hotspot message, not '<rule>_<hotspot key>'; rule and key are in ProductFields",
}

#: file -> the count secpipe makes, where it differs on purpose. Keep in step with parsers/README.md.
COUNT_DEVIATIONS: dict[str, tuple[int, str]] = {}

#: file -> why `--tool auto` cannot name its tool: the content carries no mark of any one tool.
DETECTION_AMBIGUOUS: dict[str, str] = {
    "pip_audit/empty.json": "a bare [] is also cfn-lint's clean report; either reading gives 0 findings (use --tool)",
}

SEVERITY_WORDS = {"info": "INFORMATIONAL", "informational": "INFORMATIONAL", "low": "LOW", "medium": "MEDIUM",
                  "high": "HIGH", "critical": "CRITICAL"}

ENTRIES = corpus_manifest()
#: Without ../shared (a bare clone), one clearly skipped case instead of an empty parameter set.
_NO_CORPUS = [pytest.param(None, marks=pytest.mark.skip(
    reason=f"conformance corpus not found at {CORPUS} (CI lays ../shared beside the checkout)"))]


def _id(entry: dict[str, Any] | None) -> str:
    return entry["file"] if entry else "no-corpus"


def _cwes(asff: dict[str, Any]) -> set[int]:
    text = asff["ProductFields"].get("secpipe/cwe", "")
    return {int(c.removeprefix("CWE-")) for c in text.split(",") if c}


def _vuln_ids(asff: dict[str, Any]) -> set[str]:
    ids = set()
    for vuln in asff.get("Vulnerabilities", []):
        ids.add(vuln["Id"])
        ids.update(vuln.get("RelatedVulnerabilities", []))
    return ids


def _paths_and_lines(asff: dict[str, Any]) -> tuple[set[str], set[int]]:
    paths, lines = set(), set()
    for resource in asff["Resources"]:
        other = resource.get("Details", {}).get("Other", {})
        for key in ("path", "template", "manifest", "url"):
            if key in other:
                paths.add(other[key])
        for key in ("startLine", "line"):
            if key in other:
                lines.add(int(other[key]))
    for vuln in asff.get("Vulnerabilities", []):
        for pkg in vuln.get("VulnerablePackages", []):
            if "FilePath" in pkg:
                paths.add(pkg["FilePath"])
    return paths, lines


def _check(entry: dict[str, Any], asff: list[dict[str, Any]], assertion: dict[str, Any]) -> None:
    name = entry["file"]
    if "index" in assertion:
        candidates = [asff[assertion["index"]]]
    else:
        candidates = asff
    problems = []
    for finding in candidates:
        problems = []
        if "title" in assertion and (name, "title") not in DEVIATIONS and finding["Title"] != assertion["title"]:
            problems.append(f"title {finding['Title']!r} != {assertion['title']!r}")
        if "severity" in assertion and (name, "severity") not in DEVIATIONS:
            want = SEVERITY_WORDS[assertion["severity"].lower()]
            if finding["Severity"]["Label"] != want:
                problems.append(f"severity {finding['Severity']['Label']} != {want}")
        if assertion.get("cwe") not in (None, 0, "0") and (name, "cwe") not in DEVIATIONS:
            wanted = set(assertion.get("cwes") or [int(assertion["cwe"])])
            if not wanted <= _cwes(finding):
                problems.append(f"cwes {_cwes(finding)} lack {wanted}")
        if assertion.get("vulnerability_ids") and not set(assertion["vulnerability_ids"]) <= _vuln_ids(finding):
            problems.append(f"vulnerability ids {_vuln_ids(finding)} lack {assertion['vulnerability_ids']}")
        paths, lines = _paths_and_lines(finding)
        if "line" in assertion and assertion["line"] not in lines:
            problems.append(f"line {assertion['line']} not in {lines}")
        if "file_path" in assertion and (name, "file_path") not in DEVIATIONS:
            want_path = assertion["file_path"].split(" (raw")[0].replace("\\", "/")
            if want_path not in paths:
                problems.append(f"file {want_path!r} not in {paths}")
        if not problems:
            return
    raise AssertionError(f"{name}: {assertion}: {problems}")


@pytest.mark.parametrize("entry", ENTRIES or _NO_CORPUS, ids=_id)
def test_corpus_report(entry: dict[str, Any], corpus, context) -> None:
    tool = TOOL_NAMES[entry["tool"]]
    data = (CORPUS / entry["file"]).read_bytes()
    if entry["expected_kind"] == "error":
        with pytest.raises(ReportError):
            registry.parse_report(tool, data, entry["file"])
        return
    findings = registry.parse_report(tool, data, entry["file"])
    asff = to_validated_asff(findings, context)
    assert_valid_asff(asff)
    expected = entry["expected_findings"]
    if entry["file"] in COUNT_DEVIATIONS:
        expected = COUNT_DEVIATIONS[entry["file"]][0]
    assert len(asff) == expected, f"{entry['file']}: {len(asff)} findings, expected {expected}"
    for assertion in entry["reference_assertions"]:
        if any(k in assertion for k in ("title", "severity", "cwe", "vulnerability_ids", "line", "file_path")):
            _check(entry, asff, assertion)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["expected_kind"] != "error"] or _NO_CORPUS, ids=_id)
def test_corpus_auto_detection(entry: dict[str, Any], corpus) -> None:
    """`--tool auto` picks the same parser the manifest names."""
    from parsers.base import Report

    report = Report(entry["file"], (CORPUS / entry["file"]).read_bytes())
    if entry["file"] in DETECTION_AMBIGUOUS:
        # Whatever parser claims it (or none), `auto` must not invent findings from it.
        try:
            assert registry.parse_report("auto", report.data, entry["file"]) == []
        except ReportError as exc:
            assert "ambiguous" in str(exc) or "not a report of any supported tool" in str(exc)
        return
    assert registry.detect(report).name == TOOL_NAMES[entry["tool"]]

