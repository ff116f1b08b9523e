"""Reports from other tools' layouts that were refused or miscounted (issue 10 items 14-17)."""
from __future__ import annotations

import json
from typing import Any

from parsers import registry
from parsers.base import Report
from tests.parsers.helpers import parse

HOTSPOT = {"key": "AYx1", "component": "shop:app/views.py", "project": "shop", "securityCategory": "sql-injection",
           "vulnerabilityProbability": "HIGH", "status": "TO_REVIEW", "line": 12, "message": "Make sure this is safe.",
           "ruleKey": "python:S3649", "textRange": {"startLine": 12, "endLine": 12, "startOffset": 0, "endOffset": 9}}


def test_sonarqube_hotspots_as_a_plain_list() -> None:
    data = json.dumps([HOTSPOT, {**HOTSPOT, "key": "AYx2", "line": 30}]).encode()
    assert len(parse("sonarqube", data)) == 2
    assert registry.detect(Report("hotspots.json", data)).name == "sonarqube"


def _workload(kind: str, name: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Namespace": "default", "Kind": kind, "Name": name, "Results": results}


IMAGE = {"Target": "nginx:1.19 (debian 10.10)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [
    {"VulnerabilityID": "CVE-2021-3711", "PkgName": "openssl", "InstalledVersion": "1.1.1d",
     "FixedVersion": "1.1.1l", "Severity": "CRITICAL"}]}
CONFIG = {"Target": "Deployment/web", "Class": "config", "Type": "kubernetes", "Misconfigurations": [
    {"Type": "Kubernetes Security Check", "ID": "KSV001", "Title": "Privilege escalation", "Severity": "MEDIUM",
     "Status": "FAIL", "Message": "set allowPrivilegeEscalation to false"}]}


def test_trivy_k8s_cluster_report_with_resources() -> None:
    doc = {"ClusterName": "kind", "Resources": [_workload("Deployment", "web", [IMAGE, CONFIG]),
                                                _workload("Deployment", "api", [IMAGE])]}
    data = json.dumps(doc).encode()
    findings = parse("trivy", data)
    assert sorted(f.rule_id for f in findings) == ["CVE-2021-3711", "CVE-2021-3711", "KSV001"]
    assert registry.detect(Report("k8s.json", data)).name == "trivy"
    # One image in two Deployments is two places to fix, told apart by the workload.
    assert {f.extra["target"] for f in findings if f.rule_id.startswith("CVE")} == {
        "default/Deployment/web: nginx:1.19 (debian 10.10)", "default/Deployment/api: nginx:1.19 (debian 10.10)"}


def test_trivy_k8s_summary_layout_with_vulnerabilities_and_misconfigurations() -> None:
    doc = {"ClusterName": "kind", "Vulnerabilities": [_workload("Deployment", "web", [IMAGE])],
           "Misconfigurations": [_workload("Deployment", "web", [CONFIG])]}
    data = json.dumps(doc).encode()
    assert sorted(f.rule_id for f in registry.parse_report("auto", data, "k8s.json")) == ["CVE-2021-3711", "KSV001"]


WAPITI_UNDECLARED_XSI = b"""<?xml version="1.0" encoding="UTF-8"?>
<report type="security"><report_infos><info name="target">http://t/</info></report_infos>
<vulnerabilities><vulnerability name="Cross Site Scripting"><description>d</description><solution>s</solution>
<references/><entries><entry><method>GET</method><path>/a</path><level>2</level><parameter>q</parameter>
<info>xss</info></entry></entries></vulnerability></vulnerabilities>
<anomalies xsi:noNamespaceSchemaLocation="anomalies.xsd"/><additionals/></report>
"""


def test_wapiti_xml_with_an_undeclared_xsi_prefix_is_read() -> None:
    findings = parse("wapiti", WAPITI_UNDECLARED_XSI)
    assert [f.title for f in findings] == ["Cross Site Scripting: xss"]
    assert registry.detect(Report("wapiti.xml", WAPITI_UNDECLARED_XSI)).name == "wapiti"


def test_an_other_undeclared_prefix_is_still_refused() -> None:
    import pytest

    from pipeline.errors import ReportError

    with pytest.raises(ReportError, match="not well-formed XML"):
        parse("wapiti", WAPITI_UNDECLARED_XSI.replace(b"xsi:", b"foo:"))


def _semgrep(*starts: tuple[int, int]) -> bytes:
    results = [{"check_id": "python.lang.security.audit.eval", "path": "app.py",
                "start": {"line": line, "col": col}, "end": {"line": line, "col": col + 4},
                "extra": {"message": "eval of input", "severity": "ERROR", "lines": "eval(x)",
                          "metavars": {"$X": {"abstract_content": f"x{index}"}}}}
               for index, (line, col) in enumerate(starts)]
    return json.dumps({"results": results, "errors": []}).encode()


def test_semgrep_same_rule_file_line_and_column_is_one_finding() -> None:
    assert len(parse("semgrep", _semgrep((3, 1), (3, 1)))) == 1
    assert len(parse("semgrep", _semgrep((3, 1), (3, 9), (4, 1)))) == 3
