"""End to end: `secpipe scan` as a user runs it, real scanners, real local hub.

The vulnerable example must be caught (expected.json says what each tool must
find), every report must be written, findings must arrive in the hub and stay
single across re-runs, the clean example must pass, and a real DAST run against
the example app on 127.0.0.1 must find its XSS.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline.hub import start_local_hub
from pipeline.tools.locate import find_executable
from tests.conftest import PROJECT

VULNERABLE = PROJECT / "examples" / "vulnerable-app"
CLEAN = PROJECT / "examples" / "clean-app"
EXPECTED = json.loads((VULNERABLE / "expected.json").read_text())
OUTPUT_FILES = ["findings.asff.json", "summary.json", "report.html", "report.md", "junit.xml", "results.sarif"]
STATIC_SCANNERS = ["bandit", "semgrep", "checkov", "cfn-lint"]

pytestmark = [pytest.mark.scanner, pytest.mark.slow]


def secpipe(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CI="true")
    env.pop("SECPIPE_REPO", None)
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=PROJECT, env=env)


def require(*tools: str) -> None:
    missing = [t for t in tools if find_executable(t) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (run: secpipe tools install)")


def hub_findings(db: Path) -> list[dict[str, Any]]:
    with start_local_hub(db) as hub:
        client = boto3.client("securityhub", endpoint_url=hub.endpoint_url, region_name="us-east-1",
                              aws_access_key_id="x", aws_secret_access_key="x")
        pages = client.get_paginator("get_findings").paginate(
            Filters={"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]})
        return [f for page in pages for f in page["Findings"]]


def by_tool(asff: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for finding in asff:
        grouped.setdefault(finding["ProductFields"]["secpipe/tool"], []).append(finding)
    return grouped


def matches(finding: dict[str, Any], want: dict[str, str]) -> bool:
    fields = finding["ProductFields"]
    checks = {
        "rule": fields.get("secpipe/rule"),
        "file": fields.get("secpipe/file") or fields.get("secpipe/template"),
        "resource": fields.get("secpipe/logical-id"),
    }
    return all(checks[key] == value for key, value in want.items() if key in checks)


@pytest.fixture(scope="module")
def vulnerable_scan(tmp_path_factory) -> dict[str, Any]:
    require(*STATIC_SCANNERS)
    work = tmp_path_factory.mktemp("scan")
    db = work / "hub.sqlite3"
    first = secpipe("scan", str(VULNERABLE), "--out", str(work / "out"), "--db", str(db))
    first_hub = hub_findings(db)
    second = secpipe("scan", str(VULNERABLE), "--out", str(work / "out2"), "--db", str(db))
    return {"first": first, "second": second, "out": work / "out", "out2": work / "out2", "db": db,
            "first_hub": first_hub}


def test_vulnerable_example_fails_the_gate_and_writes_every_report(vulnerable_scan) -> None:
    run = vulnerable_scan["first"]
    assert run.returncode == 1, run.stderr[-2000:]
    assert "gate: FAILED" in run.stdout
    assert "Traceback" not in run.stderr
    for name in OUTPUT_FILES:
        assert (vulnerable_scan["out"] / name).stat().st_size > 0, name
    raw = {p.name for p in (vulnerable_scan["out"] / "raw").iterdir()}
    assert {"bandit.json", "checkov.json", "cfn-lint.json"} <= raw
    assert any(name.startswith("semgrep") for name in raw)


@pytest.mark.parametrize("tool", ["bandit", "semgrep", "checkov", "cfn-lint"])
def test_each_tool_finds_what_expected_json_lists(vulnerable_scan, tool: str) -> None:
    asff = json.loads((vulnerable_scan["out"] / "findings.asff.json").read_text())
    found = by_tool(asff).get(tool, [])
    missing = [want for want in EXPECTED["tools"][tool] if not any(matches(f, want) for f in found)]
    assert not missing, f"{tool} did not report {missing}"


def test_offline_sca_tools_are_never_clean(vulnerable_scan) -> None:
    """pip-audit and npm audit cannot reach their data here: incomplete or error, and the gate says so."""
    summary = json.loads((vulnerable_scan["out"] / "summary.json").read_text())
    statuses = {run["tool"]: run["status"] for run in summary["runs"]}
    for tool in EXPECTED["offline_incomplete"]:
        if tool in statuses and statuses[tool] in ("passed", "findings"):
            # Online (a developer's laptop): then it must have found the listed vulnerabilities.
            asff = json.loads((vulnerable_scan["out"] / "findings.asff.json").read_text())
            ids = {v for f in by_tool(asff).get(tool, []) for vuln in f.get("Vulnerabilities", [])
                   for v in [vuln["Id"], *vuln.get("RelatedVulnerabilities", [])]}
            assert {w["vulnerability"] for w in EXPECTED["tools"][tool]} <= ids
        elif tool in statuses:
            assert statuses[tool] in ("incomplete", "error"), statuses
            assert f"{tool}: {statuses[tool]} (fails the gate)" in vulnerable_scan["first"].stdout


def test_findings_reach_the_hub_once_across_reruns(vulnerable_scan) -> None:
    asff = json.loads((vulnerable_scan["out"] / "findings.asff.json").read_text())
    rerun = json.loads((vulnerable_scan["out2"] / "findings.asff.json").read_text())
    assert {f["Id"] for f in asff} == {f["Id"] for f in rerun}, "Ids must be stable across runs"
    first_hub = {f["Id"] for f in vulnerable_scan["first_hub"]}
    after = {f["Id"] for f in hub_findings(vulnerable_scan["db"])}
    assert first_hub == {f["Id"] for f in asff}
    assert after == first_hub, "a re-run updates findings, never duplicates them"
    assert "archived 0" in vulnerable_scan["second"].stdout


def test_no_reported_secret_leaves_the_scanner(vulnerable_scan) -> None:
    secrets = ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "hunter2-prod-password", "app-password-123",
               "sk_live_51HqLyjWDarjtT1zdp7dcXYZsecret"]
    raw = sorted(str(p.relative_to(vulnerable_scan["out"])) for p in (vulnerable_scan["out"] / "raw").rglob("*") if p.is_file())
    for name in OUTPUT_FILES + raw:  # the kept raw reports are masked too (scan --unmasked-raw keeps them verbatim)
        text = (vulnerable_scan["out"] / name).read_text(encoding="utf-8", errors="replace")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{name} carries {leaked}"


def test_clean_example_passes(tmp_path) -> None:
    require("bandit", "semgrep")
    run = secpipe("scan", str(CLEAN), "--out", str(tmp_path / "out"), "--hub", "none")
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert "gate: PASSED" in run.stdout
    assert json.loads((tmp_path / "out" / "findings.asff.json").read_text()) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def running_example():
    port = _free_port()
    app = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=VULNERABLE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or app.poll() is not None:
                    pytest.fail("the example app did not start")
                time.sleep(0.2)
        yield url
    finally:
        app.terminate()
        app.wait(timeout=10)


def test_dast_finds_the_xss_and_it_arrives_in_the_hub(running_example, tmp_path) -> None:
    require("wapiti")
    db = tmp_path / "hub.sqlite3"
    run = secpipe("scan", str(VULNERABLE), "--stages", "dast", "--target", running_example,
                  "--out", str(tmp_path / "out"), "--db", str(db))
    assert run.returncode in (0, 1), run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    want = EXPECTED["tools"]["wapiti"][0]
    in_hub = [f for f in hub_findings(db) if f["ProductFields"]["secpipe/tool"] == "wapiti"]
    xss = [f for f in in_hub if want["category"] in f["Title"]
           and f["ProductFields"].get("secpipe/url", "").endswith(want["url_path"])]
    assert xss, [f["Title"] for f in in_hub]
    parameters = {r.get("Details", {}).get("Other", {}).get("parameter") for f in xss for r in f["Resources"]}
    assert want["parameter"] in parameters
    assert xss[0]["Types"] == ["Software and Configuration Checks/Vulnerabilities/Web Application"]


@pytest.mark.parametrize("args, message", [
    (["scan", "no/such/folder"], "not a folder to scan"),
    (["scan", str(CLEAN), "--stages", "sast,fuzz"], "unknown stage 'fuzz'"),
    (["scan", str(CLEAN), "--stages", "dast"], "the dast stage needs --target URL"),
    (["scan", str(CLEAN), "--fail-on", "severe"], "--fail-on: unknown severity"),
])
def test_usage_errors_are_one_line_exit_2(args: list[str], message: str, tmp_path) -> None:
    run = secpipe(*args, "--out", str(tmp_path / "out"), "--hub", "none")
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], run.stderr
