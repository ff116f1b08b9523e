from __future__ import annotations

import json

import pytest

from parsers.dependency_check import component_from_purl, decide_severity
from pipeline.errors import ReportError
from pipeline.finding import Category, Cvss, Severity
from tests.parsers.helpers import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    fixture_bytes,
    fixture_json,
    hostile_xml,
    parse,
    truncated,
    valid_asff,
)

TOOL = "dependency-check"


@pytest.fixture
def json_findings():
    return parse(TOOL, fixture_bytes("dependency_check", "report.json"), "dc.json")


@pytest.fixture
def xml_findings():
    return parse(TOOL, fixture_bytes("dependency_check", "report.xml"), "dc.xml")


def test_one_finding_per_vulnerability_and_suppressed_vulnerability(json_findings):
    assert [f.title for f in json_findings] == [
        "@acme/left-pad:1.1.0 | CVE-2024-1111",
        "@acme/left-pad:1.1.0 | CVE-2023-2222",
        "org.apache.commons:commons-text:1.9 | GHSA-599f-7c49-w659",
    ]
    assert [f.suppressed for f in json_findings] == [False, True, False]
    assert json_findings[1].suppression_reason == "Not reachable: only used at build time (ticket SEC-12)."


def test_json_field_mapping(json_findings):
    cve = json_findings[0]
    assert cve.vulnerability_ids == ["CVE-2024-1111"]
    assert cve.cwes == [1321]
    assert [(c.version, c.score) for c in cve.cvss] == [("3.1", 9.1), ("4.0", 9.3)]
    assert cve.cvss[0].vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"
    assert cve.cvss[1].vector.startswith("CVSS:4.0/AV:N")
    assert cve.severity is Severity.CRITICAL  # CVSS v4 9.3 wins over the word HIGH
    (pkg,) = cve.packages
    assert (pkg.name, pkg.version, pkg.fixed_version, pkg.ecosystem, pkg.file_path) == (
        "@acme/left-pad", "1.1.0", "1.3.0", "npm", "/src/app/package-lock.json?left-pad")
    assert cve.references == ["https://example.org/advisory/1111"]
    assert "/src/other/package-lock.json?left-pad" in cve.description  # related dependency folded in
    assert cve.category is Category.SCA


def test_unscored_vulnerability_uses_the_native_word(json_findings):
    ghsa = json_findings[2]
    assert ghsa.severity is Severity.MEDIUM and ghsa.native_severity == "moderate"
    assert ghsa.vulnerability_ids == ["GHSA-599f-7c49-w659"]
    assert ghsa.references == ["https://github.com/advisories/GHSA-599f-7c49-w659"]
    assert ghsa.packages[0].ecosystem == "maven"


def test_suppressed_cvss_v2_vector(json_findings):
    v2 = json_findings[1].cvss[0]
    assert (v2.version, v2.score, v2.vector) == ("2.0", 5.0, "AV:N/AC:L/Au:N/C:N/I:P/A:N")


def test_xml_with_another_schema_version(xml_findings):
    vuln, suppressed = xml_findings
    assert vuln.title == "com.fasterxml.jackson.core:jackson-databind:2.9.8 | CVE-2019-12384"
    assert vuln.description.startswith("Polymorphic typing & deserialization issue.")
    assert vuln.cwes == [502]
    assert vuln.cvss[0].vector == "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"
    assert vuln.severity is Severity.MEDIUM
    assert vuln.packages[0].fixed_version == "2.9.9.1"
    assert vuln.packages[0].file_path == "/src/app/lib/jackson-databind-2.9.8.jar"
    assert vuln.observed_at.isoformat() == "2024-05-02T10:11:12+02:00"
    assert suppressed.suppressed and "no notes" in suppressed.suppression_reason
    assert suppressed.severity is Severity.HIGH


def test_cvss_v2_alone_does_not_override_the_native_word():
    v2 = [Cvss(version="2.0", score=7.5)]
    assert decide_severity("Moderate", v2) is Severity.MEDIUM
    assert decide_severity(None, v2) is Severity.HIGH
    assert decide_severity("LOW", [Cvss(version="3.1", score=9.8)]) is Severity.CRITICAL


@pytest.mark.parametrize("purl, expected", [
    ("pkg:maven/org.dom4j/dom4j@2.1.1", ("org.dom4j:dom4j", "2.1.1", "maven")),
    ("pkg:npm/%40scope/name@1.0.0?x=1", ("@scope/name", "1.0.0", "npm")),
    ("pkg:pypi/requests", ("requests", None, "pypi")),
    ("cpe:/a:x:y", None),
])
def test_component_from_purl(purl, expected):
    assert component_from_purl(purl) == expected


def test_asff(json_findings, context):
    asff = valid_asff(json_findings, context)
    vuln = asff[0]["Vulnerabilities"][0]
    assert vuln["Id"] == "CVE-2024-1111"
    assert vuln["VulnerablePackages"][0]["FixedInVersion"] == "1.3.0"
    assert vuln["FixAvailable"] == "YES"
    assert {c["Version"] for c in vuln["Cvss"]} == {"3.1", "4.0"}
    assert asff[1]["ProductFields"]["secpipe/suppressed"] == "true"
    assert asff[0]["Types"] == ["Software and Configuration Checks/Vulnerabilities/CVE"]


def test_long_description_is_truncated_and_valid(context):
    doc = fixture_json("dependency_check", "report.json")
    doc["dependencies"][0]["vulnerabilities"][0]["description"] = "word " * 2000
    doc["dependencies"][0]["relatedDependencies"] = [{"filePath": f"/x/{i}.jar"} for i in range(300)]
    asff = valid_asff(parse(TOOL, json.dumps(doc).encode()), context)
    assert len(asff[0]["Description"]) == 1024 and asff[0]["Description"].endswith("[truncated]")


@pytest.mark.parametrize("data, message", [
    (truncated(fixture_bytes("dependency_check", "report.json")), "not valid JSON"),
    (truncated(fixture_bytes("dependency_check", "report.xml")), "not well-formed XML"),
    (b'<?xml version="1.0"?><OWASPZAPReport version="2"/>', "not a dependency-check XML report"),
    (b'{"site": [], "@version": "2.14"}', "not a dependency-check JSON report"),
    (hostile_xml(BILLION_LAUGHS, "analysis"), "unsafe XML refused"),
    (hostile_xml(EXTERNAL_ENTITY, "analysis"), "unsafe XML refused"),
])
def test_malformed_input_is_a_clear_report_error(data, message):
    with pytest.raises(ReportError, match=message):
        parse(TOOL, data)
