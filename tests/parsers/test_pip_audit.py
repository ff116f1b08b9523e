from __future__ import annotations

import pytest

from parsers.base import Report
from parsers.pip_audit import PipAuditParser, nearest_fix
from pipeline.errors import ReportError
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, parse, valid_asff
from tests.parsers.malformed import assert_refuses_malformed

TOOL = "pip-audit"


def test_old_layout_one_finding_per_vuln_skipped_dependencies_ignored(context):
    findings = parse(TOOL, fixture_bytes("pip_audit", "old_layout.json"))
    assert [f.title for f in findings] == ["PYSEC-2021-439 in django:3.2.9", "GHSA-xxxx-yyyy-zzzz in django:3.2.9"]
    django = findings[0]
    assert django.vulnerability_ids == ["PYSEC-2021-439", "CVE-2021-44420", "GHSA-v6rh-hp5x-86rv"]
    assert django.packages[0].name == "django" and django.packages[0].version == "3.2.9"
    assert django.packages[0].fixed_version == "3.2.10"  # the fix on django's own release line
    assert django.severity is Severity.MEDIUM and django.category is Category.SCA
    assert findings[1].packages[0].fixed_version is None
    asff = valid_asff(findings, context)
    assert asff[0]["Vulnerabilities"][0]["Id"] == "PYSEC-2021-439"
    assert "CVE-2021-44420" in asff[0]["Vulnerabilities"][0]["RelatedVulnerabilities"]
    assert asff[0]["Vulnerabilities"][0]["FixAvailable"] == "YES"
    assert asff[1]["Vulnerabilities"][0]["FixAvailable"] == "NO"


def test_new_layout():
    (finding,) = parse(TOOL, fixture_bytes("pip_audit", "new_layout.json"))
    assert finding.title == "PYSEC-2021-66 in jinja2:2.11.2"
    assert finding.packages[0].fixed_version == "2.11.3"
    assert finding.vulnerability_ids == ["PYSEC-2021-66", "CVE-2020-28493"]


def test_cvss_when_present_decides_severity():
    data = (b'[{"name": "x", "version": "1.0", "vulns": [{"id": "PYSEC-1", "fix_versions": [], '
            b'"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}]}]')
    (finding,) = parse(TOOL, data)
    assert finding.cvss[0].version == "3.1" and finding.cvss[0].vector.startswith("CVSS:3.1/")


@pytest.mark.parametrize("installed,fixes,expected", [
    ("3.2.9", ["2.2.25", "3.1.14", "3.2.10"], "3.2.10"),
    ("1.0", ["0.9"], "0.9"),
    (None, ["1.2", "1.10"], "1.10"),
    ("1.0", [], None),
])
def test_nearest_fix(installed, fixes, expected):
    assert nearest_fix(installed, fixes) == expected


def test_sniff():
    parser = PipAuditParser()
    assert parser.sniff(Report("x", fixture_bytes("pip_audit", "old_layout.json")))
    assert parser.sniff(Report("x", fixture_bytes("pip_audit", "new_layout.json")))
    assert not parser.sniff(Report("x", b"[]"))  # a bare [] is cfn-lint's clean report as well
    assert not parser.sniff(Report("x", b'{"dependencies": [], "reportSchema": "1.1"}'))  # dependency-check


def test_both_empty_layouts_are_zero_findings():
    assert parse(TOOL, b"[]") == []
    assert parse(TOOL, b'{"dependencies": []}') == []


def test_vuln_without_id_is_refused():
    with pytest.raises(ReportError, match="has no 'id'"):
        parse(TOOL, b'[{"name": "x", "version": "1", "vulns": [{"fix_versions": []}]}]')


def test_malformed_inputs_are_report_errors():
    assert_refuses_malformed(TOOL, fixture_bytes("pip_audit", "old_layout.json"), fixture_bytes("npm_audit", "npm7.json"))
