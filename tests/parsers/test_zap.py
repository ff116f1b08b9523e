from __future__ import annotations

import json

import pytest

from parsers.zap import parse_generated
from pipeline.errors import ReportError
from pipeline.finding import Category, Severity
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

TOOL = "zap"


@pytest.fixture
def json_findings():
    return parse(TOOL, fixture_bytes("zap", "two_sites.json"), "zap.json")


@pytest.fixture
def xml_findings():
    return parse(TOOL, fixture_bytes("zap", "report.xml"), "zap.xml")


def test_every_site_one_finding_per_alert(json_findings):
    assert [(f.extra["site"], f.rule_id) for f in json_findings] == [
        ("https://app.example.test", "40012"), ("https://api.example.test", "10021")]


def test_instances_are_web_locations(json_findings):
    xss = json_findings[0]
    assert [(w.url, w.method, w.parameter) for w in xss.web_locations] == [
        ("https://app.example.test/search?q=x", "GET", "q"), ("https://app.example.test/comment", "POST", "body")]
    assert xss.web_locations[0].attack == "<script>alert(1)</script>"
    assert xss.web_locations[1].attack is None  # empty strings are absent values


def test_fields(json_findings):
    xss, header = json_findings
    assert xss.severity is Severity.HIGH and xss.native_severity == "High (Medium)"
    assert xss.confidence == "Medium"
    assert xss.cwes == [79]
    assert xss.extra["wascid"] == "8"
    assert xss.description == "Cross-site Scripting (XSS) is an attack technique & more."
    assert xss.remediation == "Encode output <properly>."
    assert xss.references == ["https://owasp.org/www-community/attacks/xss/",
                              "https://cwe.mitre.org/data/definitions/79.html"]
    assert xss.category is Category.DAST
    assert header.severity is Severity.LOW
    # confidence 0 is ZAP's "false positive" mark: kept, but suppressed
    assert header.suppressed and "false positive" in header.suppression_reason


def test_xml_entities_and_html_become_text(xml_findings):
    (csrf,) = xml_findings
    assert csrf.description == "No Anti-CSRF tokens were found in a HTML submission form & that's bad."
    assert csrf.severity is Severity.MEDIUM and csrf.confidence == "Low"
    assert csrf.web_locations[0].evidence == '<form action="/login" method="post">'
    assert csrf.references == ["http://projects.webappsec.org/Cross-Site-Request-Forgery",
                               "https://cwe.mitre.org/data/definitions/352.html"]
    # request headers of the -plus formats (cookies) are not carried
    assert "secret-cookie-value" not in repr(csrf)


def test_localised_date_is_tolerated(xml_findings):
    assert xml_findings[0].observed_at is None
    assert parse_generated("Thu, 2 May 2024 10:11:12").isoformat() == "2024-05-02T10:11:12+00:00"
    assert parse_generated("Fr., 30 Sep. 2022 08:40:35") is None
    assert parse_generated("") is None


def test_asff(json_findings, xml_findings, context):
    asff = valid_asff(json_findings, context)
    urls = [r["Details"]["Other"]["url"] for r in asff[0]["Resources"]]
    assert urls == ["https://app.example.test/search?q=x", "https://app.example.test/comment"]
    assert asff[0]["Resources"][0]["Details"]["Other"]["parameter"] == "q"
    assert asff[0]["ProductFields"]["secpipe/cwe"] == "CWE-79"
    assert asff[1]["ProductFields"]["secpipe/suppressed"] == "true"
    valid_asff(xml_findings, context)


def test_id_is_stable_when_instances_change(json_findings, context):
    doc = fixture_json("zap", "two_sites.json")
    doc["site"][0]["alerts"][0]["instances"].pop()
    fewer = parse(TOOL, json.dumps(doc).encode())
    assert valid_asff(fewer, context)[0]["Id"] == valid_asff(json_findings, context)[0]["Id"]


def test_many_instances_and_long_text_stay_valid(context):
    doc = fixture_json("zap", "two_sites.json")
    alert = doc["site"][0]["alerts"][0]
    alert["desc"] = "<p>" + "long &amp; detailed " * 300 + "</p>"
    alert["instances"] = [{"uri": f"https://app.example.test/p{i}", "method": "GET"} for i in range(100)]
    asff = valid_asff(parse(TOOL, json.dumps(doc).encode()), context)
    assert len(asff[0]["Description"]) <= 1024
    assert len(asff[0]["Resources"]) == 32
    assert asff[0]["Resources"][-1]["Details"]["Other"]["omittedLocations"] == "69"


@pytest.mark.parametrize("data, message", [
    (truncated(fixture_bytes("zap", "two_sites.json")), "not valid JSON"),
    (truncated(fixture_bytes("zap", "report.xml")), "not well-formed XML"),
    (b'<?xml version="1.0"?><analysis><dependencies/></analysis>', "not a ZAP XML report"),
    (b'{"totals": {"file_errors": 0}, "files": []}', "not a ZAP JSON report"),
    (hostile_xml(BILLION_LAUGHS, "OWASPZAPReport"), "unsafe XML refused"),
    (hostile_xml(EXTERNAL_ENTITY, "OWASPZAPReport"), "unsafe XML refused"),
])
def test_malformed_input_is_a_clear_report_error(data, message):
    with pytest.raises(ReportError, match=message):
        parse(TOOL, data)
