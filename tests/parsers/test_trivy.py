from __future__ import annotations

import json

import pytest

from parsers.base import Report
from parsers.trivy import TrivyParser
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, parse, valid_asff
from tests.parsers.malformed import assert_refuses_malformed

TOOL = "trivy"
SECRET = "tok_TESTONLY_9f8e7d6c5b4a39281706"


@pytest.fixture
def findings():
    return parse(TOOL, fixture_bytes("trivy", "schema2.json"), "trivy.json")


def test_every_section_and_failed_checks_only(findings):
    assert [(f.rule_id, f.category) for f in findings] == [
        ("CVE-2023-4911", Category.SCA), ("CVE-2005-2541", Category.SCA), ("AVD-AWS-0086", Category.IAC),
        ("generic-token", Category.SECRET), ("license:GPL-3.0", Category.SCA)]


def test_vulnerability_mapping(findings):
    glibc = findings[0]
    assert glibc.title == "CVE-2023-4911 libc6 2.36-9"
    assert glibc.cwes == [122] and glibc.vulnerability_ids == ["CVE-2023-4911"]
    pkg = glibc.packages[0]
    assert (pkg.name, pkg.version, pkg.fixed_version, pkg.ecosystem, pkg.file_path) == (
        "libc6", "2.36-9", "2.36-9+deb12u3", "debian", None)  # an OS package has no manifest file
    assert {(c.source, c.version, c.score) for c in glibc.cvss} == {("nvd", "3.1", 7.8), ("redhat", "3.1", 7.0)}
    assert glibc.severity is Severity.HIGH and glibc.native_severity == "HIGH"
    assert glibc.references[0] == "https://avd.aquasec.com/nvd/cve-2023-4911"
    assert not glibc.suppressed


def test_cvss_v2_only_still_decides_and_vendor_status_suppresses(findings):
    tar = findings[1]
    assert tar.cvss[0].version == "2.0" and tar.severity is Severity.CRITICAL and tar.native_severity == "LOW"
    assert tar.suppressed and tar.suppression_reason == "the vendor will not fix this vulnerability"


def test_misconfiguration_is_iac(findings):
    check = findings[2]
    assert check.title == "AVD-AWS-0086 - S3 Access block should block public ACL"
    assert check.iac_location.template == "infra/main.tf"
    assert check.iac_location.logical_id == "aws_s3_bucket.data" and check.iac_location.line == 4
    assert check.remediation == "Enable blocking any PUT calls with a public ACL specified"


def test_secret_is_masked_everywhere(findings, context):
    secret = findings[3]
    assert secret.title == "Secret detected in config/app.env - Generic Token"
    assert secret.severity is Severity.CRITICAL
    assert secret.code_locations[0].path == "config/app.env" and secret.code_locations[0].start_line == 2
    asff = valid_asff(findings, context)
    assert SECRET not in json.dumps(asff)
    assert "sha256:" in secret.code_locations[0].snippet


def test_license_finding(findings):
    license_ = findings[4]
    assert license_.title == "License GPL-3.0 (restricted) in gpl-lib" and license_.severity is Severity.HIGH


def test_legacy_layouts():
    (urllib3,) = parse(TOOL, fixture_bytes("trivy", "legacy.json"))
    assert urllib3.packages[0].file_path == "requirements.txt" and urllib3.severity is Severity.HIGH
    assert parse(TOOL, fixture_bytes("trivy", "null.json")) == []


def test_sniff():
    parser = TrivyParser()
    for name in ("schema2.json", "legacy.json", "null.json"):
        assert parser.sniff(Report(name, fixture_bytes("trivy", name)))
    assert not parser.sniff(Report("x", fixture_bytes("pip_audit", "old_layout.json")))
    assert not parser.sniff(Report("x", b"[]"))


def test_malformed_inputs_are_report_errors():
    assert_refuses_malformed(TOOL, fixture_bytes("trivy", "schema2.json"), fixture_bytes("semgrep", "mixed.json"))


def test_kubernetes_cluster_report_reads_results_per_resource():
    doc = {"ClusterName": "dev", "SchemaVersion": 2, "Resources": [
        {"Namespace": "default", "Kind": "Deployment", "Name": "web", "Results": [
            {"Target": "nginx:1.25 (debian 12.1)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2023-0001", "PkgName": "openssl", "InstalledVersion": "3.0.9", "Severity": "MEDIUM"}]}]},
        {"Namespace": "default", "Kind": "Service", "Name": "web"}]}
    (finding,) = parse(TOOL, json.dumps(doc).encode())
    assert finding.rule_id == "CVE-2023-0001" and finding.severity is Severity.MEDIUM
