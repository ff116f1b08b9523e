from __future__ import annotations

import pytest

from parsers.base import Report
from parsers.npm_audit import NpmAuditParser
from pipeline.errors import ReportError
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, parse, valid_asff
from tests.parsers.malformed import assert_refuses_malformed

TOOL = "npm-audit"


@pytest.fixture
def npm6():
    return parse(TOOL, fixture_bytes("npm_audit", "npm6.json"), "npm6.json")


@pytest.fixture
def npm7():
    return parse(TOOL, fixture_bytes("npm_audit", "npm7.json"), "npm7.json")


def test_npm6_one_finding_per_advisory(npm6):
    assert [f.title for f in npm6] == ["lodash: Prototype Pollution", "minimatch: Regular Expression Denial of Service"]
    lodash = npm6[0]
    assert lodash.vulnerability_ids == ["CVE-2019-10744", "GHSA-jf85-cpcp-j695"]
    assert lodash.cwes == [471]
    assert lodash.cvss[0].score == 9.1 and lodash.cvss[0].version == "3.1"
    assert lodash.severity is Severity.CRITICAL and lodash.native_severity == "high"  # CVSS 9.1 wins
    assert lodash.packages[0].version == "4.17.11" and lodash.packages[0].fixed_version == ">=4.17.12"
    assert lodash.extra["paths"] == "lodash, async>lodash"
    assert lodash.category is Category.SCA


def test_npm6_every_installed_version_is_a_package_and_no_fix_is_none(npm6):
    minimatch = npm6[1]
    assert [(p.version, p.file_path, p.fixed_version) for p in minimatch.packages] == [
        ("2.0.10", "glob>minimatch", None), ("3.0.0", "minimatch", None)]
    assert minimatch.severity is Severity.MEDIUM and minimatch.rule_id == "npm-advisory-577"


def test_npm7_one_finding_per_vulnerable_package_including_transitive(npm7):
    assert [f.rule_id for f in npm7] == ["minimist", "mkdirp", "ms"]
    minimist, mkdirp, ms = npm7
    assert minimist.vulnerability_ids == ["GHSA-xvch-5gv4-984h"] and minimist.cwes == [1321]
    assert minimist.packages[0].fixed_version == "0.2.4" and minimist.packages[0].file_path == "node_modules/minimist"
    assert minimist.severity is Severity.CRITICAL
    assert mkdirp.title == "mkdirp is vulnerable through minimist"
    assert mkdirp.severity is Severity.CRITICAL and mkdirp.extra["via"] == "minimist"
    assert ms.cvss == []  # score 0 without a vector is "not scored"
    assert ms.severity is Severity.LOW and ms.extra["fix-available"] == "false"


def test_npm7_transitive_rating_is_not_lowered_by_own_advisory():
    data = (b'{"auditReportVersion": 2, "vulnerabilities": {"debug": {"name": "debug", "severity": "high", '
            b'"via": [{"title": "ReDoS", "url": "https://github.com/advisories/GHSA-gxpj-cx7g-858c", "severity": "moderate", '
            b'"cvss": {"score": 5.3, "vectorString": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}}, "ms"], '
            b'"nodes": ["node_modules/debug"], "fixAvailable": false}}}')
    (debug,) = parse(TOOL, data)
    assert debug.severity is Severity.HIGH


def test_asff(npm6, npm7, context):
    asff = valid_asff(npm6 + npm7, context)
    lodash = asff[0]["Vulnerabilities"][0]
    assert lodash["Id"] == "CVE-2019-10744" and lodash["Cvss"][0]["BaseScore"] == 9.1
    assert lodash["VulnerablePackages"][0]["FixedInVersion"] == ">=4.17.12"


def test_error_report_is_an_error_not_zero_findings():
    with pytest.raises(ReportError, match="npm audit did not run: ENOLOCK"):
        parse(TOOL, fixture_bytes("npm_audit", "error.json"), "error.json")


def test_sniff():
    parser = NpmAuditParser()
    for name in ("npm6.json", "npm7.json", "error.json"):
        assert parser.sniff(Report(name, fixture_bytes("npm_audit", name)))
    assert not parser.sniff(Report("x", fixture_bytes("trivy", "schema2.json")))


def test_malformed_inputs_are_report_errors():
    assert_refuses_malformed(TOOL, fixture_bytes("npm_audit", "npm7.json"), fixture_bytes("pip_audit", "new_layout.json"))
