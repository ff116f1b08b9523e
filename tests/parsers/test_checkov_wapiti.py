"""checkov and wapiti shapes the real fixtures do not cover: several check types,
skipped checks, terraform addresses, SCA details; anomalies, repeats, dates, errors."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from parsers import registry
from parsers.base import Report
from parsers.wapiti import parse_date
from pipeline.errors import ReportError
from pipeline.finding import Category, Severity


def _check(check_id: str, resource: str, path: str = "/main.tf", **more) -> dict:
    return {"check_id": check_id, "check_name": f"name of {check_id}", "check_result": {"result": "FAILED"},
            "file_path": path, "file_line_range": [3, 9], "resource": resource, "guideline": "https://docs.test/g", **more}


def _checkov(check_type: str, failed=(), skipped=()) -> dict:
    return {"check_type": check_type, "results": {"passed_checks": [], "failed_checks": list(failed),
                                                   "skipped_checks": list(skipped), "parsing_errors": []},
            "summary": {"passed": 0, "failed": len(failed), "skipped": len(skipped), "checkov_version": "3.3.30"}}


def _parse(tool: str, doc, name: str = "report.json"):
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return registry.parse_report(tool, data, name)


def test_checkov_list_of_check_types_with_skipped_and_terraform() -> None:
    skipped = _check("CKV_AWS_18", "module.logs.aws_s3_bucket.data", severity="LOW",
                     check_result={"result": "SKIPPED", "suppress_comment": "logging is done by the module"})
    doc = [_checkov("terraform", [_check("CKV_AWS_20", "aws_s3_bucket.data", severity="HIGH")], [skipped]),
           {"passed": 0, "failed": 0, "skipped": 0, "checkov_version": "3.3.30"},
           _checkov("secrets", [_check("CKV_SECRET_6", "abc123", path="/cfg/app.ini",
                                       code_block=[[4, "password = \"hunter2hunter2\"\n"]])])]
    assert registry.detect(Report("r.json", json.dumps(doc).encode())).name == "checkov"
    active, suppressed, secret = _parse("checkov", doc)
    assert active.iac_location.logical_id == "aws_s3_bucket.data" and active.iac_location.resource_type == "aws_s3_bucket"
    assert active.iac_location.template == "main.tf" and active.severity is Severity.HIGH
    assert active.remediation_url == "https://docs.test/g"
    assert suppressed.suppressed and suppressed.suppression_reason == "logging is done by the module"
    assert suppressed.iac_location.logical_id == "module.logs.aws_s3_bucket.data" and suppressed.severity is Severity.LOW
    assert secret.category is Category.SECRET and secret.code_locations[0].path == "cfg/app.ini"
    assert "hunter2hunter2" not in repr(secret)


def test_checkov_sca_check_carries_cve_and_package() -> None:
    details = {"id": "CVE-2023-1234", "package_name": "requests", "package_version": "2.0.0",
               "lowest_fixed_version": "2.31.0", "cvss": 9.8}
    (finding,) = _parse("checkov", _checkov("sca_package", [_check("CKV_CVE_2023_1234", "requirements.txt.requests",
                                                                   path="/requirements.txt", vulnerability_details=details)]))
    assert finding.category is Category.SCA and finding.vulnerability_ids == ["CVE-2023-1234"]
    assert finding.severity is Severity.CRITICAL and finding.packages[0].fixed_version == "2.31.0"


def test_checkov_rejects_other_json() -> None:
    with pytest.raises(ReportError, match="not a checkov"):
        _parse("checkov", [{"hello": 1}])
    assert not registry.get("checkov").sniff(Report("x.json", b'{"results": [], "metrics": {}}'))


WAPITI = {
    "classifications": {"Cross Site Scripting": {"desc": "XSS lets a script run.", "sol": "Encode output.",
                                                 "ref": {"CWE-79: XSS": "https://cwe.mitre.org/data/definitions/79.html"}},
                        "Internal Server Error": {"desc": "The server failed.", "sol": "Handle errors.", "ref": {}}},
    "vulnerabilities": {"Cross Site Scripting": [
        {"method": "GET", "path": "/a", "info": "XSS in q", "level": 2, "parameter": "q", "http_request": "GET /a?q=<x>",
         "curl_command": "curl x"},
        {"method": "GET", "path": "/a", "info": "XSS in q", "level": 2, "parameter": "q", "http_request": "GET /a?q=<x>",
         "curl_command": "curl x"},
        {"method": "GET", "path": "/b", "info": "XSS in q", "level": 2, "parameter": "q", "http_request": "GET /b?q=<x>",
         "curl_command": "curl y"}]},
    "anomalies": {"Internal Server Error": [
        {"method": "POST", "path": "/c", "info": "500 received", "level": 3, "parameter": "", "http_request": "POST /c"}]},
    "additionals": {},
    "infos": {"target": "https://shop.test:8443/app/", "date": "Thu, 01 Jan 1970 00:00:00 +0000", "version": "Wapiti 3.1.8"},
}


def test_wapiti_folds_identical_entries_only_and_keeps_anomalies() -> None:
    first, other_url, anomaly = _parse("wapiti", WAPITI)
    assert first.extra["repeats"] == "2" and "repeats" not in other_url.extra
    assert first.web_locations[0].url == "https://shop.test:8443/a" and other_url.web_locations[0].url == "https://shop.test:8443/b"
    assert first.cwes == [79] and first.remediation == "Encode output."
    assert anomaly.rule_id == "Internal Server Error" and anomaly.severity is Severity.HIGH
    assert anomaly.extra["section"] == "anomaly" and anomaly.web_locations[0].parameter is None
    assert first.observed_at == datetime(1970, 1, 1, tzinfo=UTC)


def test_wapiti_dates() -> None:
    assert parse_date("Sun, 28 Mar 2021 07:50:09 +0000") == datetime(2021, 3, 28, 7, 50, 9, tzinfo=UTC)
    assert parse_date("not a date") is None and parse_date(None) is None


def test_wapiti_errors_are_report_errors() -> None:
    with pytest.raises(ReportError, match="not a wapiti JSON report"):
        _parse("wapiti", {"vulnerabilities": []})
    with pytest.raises(ReportError, match="not a wapiti XML report"):
        _parse("wapiti", b"<analysis><dependencies/></analysis>", "r.xml")
    broken = dict(WAPITI, anomalies={"Internal Server Error": "oops"})
    with pytest.raises(ReportError):
        _parse("wapiti", broken)
