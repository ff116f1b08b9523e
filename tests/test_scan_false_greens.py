"""Issue 10: every way `scan`, the gate and the reports could pass by accident, pinned down.

Fake runners (from test_scan_flow) stand in for the scanners; the local hub is the real one.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from botocore.exceptions import EndpointConnectionError

from pipeline.context import ScanContext, context_from_environment
from pipeline.finding import Severity
from pipeline.policy import Policy, parse_policy
from pipeline.progress import PlainProgress
from pipeline.scan import scan
from pipeline.sinks import registry as hubs
from pipeline.sinks.base import PublishResult, Sink
from pipeline.sinks.baseline import BaselineSource, FileBaseline
from pipeline.sinks.connection import HubOptions
from pipeline.sinks.history import HubHistory
from pipeline.stages import Stage
from pipeline.verdict import Standing
from reports import write_all
from tests.test_scan_flow import FakeRunner, RecordingSink, finding, request, runners  # noqa: F401  (fixture)

REPO_ROOT = Path(__file__).resolve().parents[1]


def secpipe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def quiet() -> PlainProgress:
    return PlainProgress(io.StringIO())


# 1 -------------------------------------------------------------------------------------------------

def test_an_unknown_tool_name_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import os\n")
    done = secpipe("scan", str(tmp_path), "--tools", "bandti,chekov", "--hub", "none", "--out", str(tmp_path / "o"),
                   cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "bandti" in lines[0] and "bandit" in lines[0] and "checkov" in lines[0]
    assert "PASSED" not in done.stdout


@pytest.mark.parametrize("hub_args, policy, message", [
    (["--hub", "securityhub", "--region", "us-east-1"], "", "cannot find the AWS account"),
    (["--hub", "none"], "[gate]\nbaseline_branch = \"main\"\n", "baseline mode needs --baseline FILE or a hub"),
])
def test_a_hub_error_after_the_tools_started_is_still_the_one_line(hub_args: list[str], policy: str, message: str,
                                                                   tmp_path: Path) -> None:
    """The tools start before the hub is opened: what they printed meanwhile must not come out."""
    (tmp_path / "app.py").write_text("import subprocess\nsubprocess.call('ls', shell=True)\n")
    if policy:
        (tmp_path / ".secpipe.toml").write_text(policy)
    done = secpipe("scan", str(tmp_path), "--out", str(tmp_path / "o"), *hub_args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr


# 2 -------------------------------------------------------------------------------------------------

class MemoryHub(Sink, BaselineSource):
    """A hub that remembers what was published: the baseline it answers changes when a run publishes."""

    name = "memory"

    def __init__(self) -> None:
        self.active: list[dict] = []

    def publish(self, findings, scopes):
        self.active = list(findings)
        return PublishResult(sent=len(findings), accepted=len(findings))

    def ids(self, repo: str, branch: str) -> set[str]:
        return {f["Id"] for f in self.active if f["ProductFields"]["secpipe/branch"] == branch}


def test_the_baseline_is_what_was_there_before_this_run(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B602", Severity.HIGH)])]
    hub = MemoryHub()
    first = request(tmp_path, policy=Policy(baseline_branch="main"), sink=hub)
    first.baseline = hub
    outcome = scan(first, quiet(), write_all)
    assert outcome.exit_code == 1, "the first scan of main has nothing before it: its HIGH finding is new"
    again = request(tmp_path, policy=Policy(baseline_branch="main"), sink=hub)
    again.baseline = hub
    assert scan(again, quiet(), write_all).exit_code == 0, "now it is on main"


# 3 -------------------------------------------------------------------------------------------------

def test_a_missing_baseline_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import os\n")
    done = secpipe("scan", str(tmp_path), "--hub", "none", "--baseline", str(tmp_path / "nope.json"),
                   "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "nope.json" in done.stderr


def test_a_given_baseline_file_is_the_baseline_without_baseline_branch(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B602", Severity.HIGH)])]
    saved = scan(request(tmp_path), quiet(), write_all)
    assert saved.exit_code == 1
    baseline_file = tmp_path / "baseline.json"
    baseline_file.write_text((tmp_path / "out" / "findings.asff.json").read_text())
    again = request(tmp_path)  # the default policy: no baseline_branch
    again.baseline = FileBaseline(baseline_file)
    outcome = scan(again, quiet(), write_all)
    assert outcome.exit_code == 0
    assert [v.standing for v in outcome.result.gate.verdicts] == [Standing.BASELINE]


# 8 -------------------------------------------------------------------------------------------------

def test_every_report_reads_the_gates_decision(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B602", Severity.HIGH)])]
    policy = parse_policy({"gate": {"stages": {"sast": {"fail_on": "critical"}}}})
    outcome = scan(request(tmp_path, policy=policy), quiet(), write_all)
    assert outcome.exit_code == 0
    out = tmp_path / "out"
    junit = SafeET.fromstring((out / "junit.xml").read_bytes())
    assert junit.get("failures") == "0"
    markdown = (out / "report.md").read_text()
    assert "| HIGH ⛔" not in markdown and "| HIGH |" in markdown
    assert "sast: CRITICAL" in markdown
    sarif = json.loads((out / "results.sarif").read_text())
    [result] = sarif["runs"][0]["results"]
    assert result["properties"]["countsAgainstGate"] is False
    summary = json.loads((out / "summary.json").read_text())
    assert summary["top_findings"][0]["counts"] is False
    assert summary["gate"]["stage_thresholds"]["sast"] == "CRITICAL"
    email = (out / "approval-email.txt").read_text()
    assert "sast: CRITICAL" in email and "(counts against the gate)" not in email


# 9 -------------------------------------------------------------------------------------------------

def test_a_lost_finding_is_a_gate_reason_not_an_afterthought(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B101", Severity.LOW)])]
    first = scan(request(tmp_path, sink=RecordingSink()), quiet(), write_all)
    refused = first.result.asff[0]["Id"]
    outcome = scan(request(tmp_path, sink=RecordingSink({refused})), quiet(), write_all)
    gate = outcome.result.gate
    assert not gate.passed
    assert not any(reason.startswith("passed") for reason in gate.reasons)
    assert any(refused in reason and reason.startswith("hub:") for reason in gate.reasons)


# 4 -------------------------------------------------------------------------------------------------

class UnreachableHub(Sink):
    name = "unreachable"

    def publish(self, findings, scopes):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")


def test_reports_are_written_when_the_hub_import_fails(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B101", Severity.LOW)])]
    said = io.StringIO()
    job = request(tmp_path, sink=UnreachableHub())
    job.hub_label = "the local hub at http://127.0.0.1:9/"
    outcome = scan(job, PlainProgress(said), write_all)
    assert outcome.exit_code == 1
    assert "importing 1 finding(s) into the local hub at http://127.0.0.1:9/" in said.getvalue()
    assert "hub import failed" in said.getvalue()
    out = tmp_path / "out"
    for name in ("summary.json", "report.html", "report.md", "junit.xml", "results.sarif", "findings.asff.json"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["gate"]["passed"] is False
    assert any("hub: import failed" in r and "127.0.0.1:9" in r for r in summary["gate"]["reasons"])
    assert "hub: import failed" in (out / "report.md").read_text()


# 10 ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("region", "partition"), [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
                                                     ("eu-west-1", "aws")])
def test_the_region_brings_its_partition_for_every_command(region: str, partition: str) -> None:
    context = context_from_environment({}).with_overrides(region=region)
    assert context.partition == partition
    assert context.default_product_arn.startswith(f"arn:{partition}:securityhub:{region}:")


def test_scan_with_a_china_region_writes_aws_cn_arns(tmp_path: Path) -> None:
    import argparse

    from pipeline.commands.scan import _context

    args = argparse.Namespace(repo="r", branch="main", region="cn-north-1")
    assert _context(args, tmp_path).effective_product_arn.startswith("arn:aws-cn:securityhub:cn-north-1:")


# 12, 13 --------------------------------------------------------------------------------------------

def test_hub_triage_reaches_the_gate_and_first_sighting_is_kept(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B602", Severity.HIGH)])]
    first_seen = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    context = ScanContext(repo="r", branch="main", now=first_seen)
    options = HubOptions(db_path=tmp_path / "hub.sqlite3", product_arn=context.effective_product_arn)

    def run_scan(now: datetime):
        with hubs.open_hub("local", options) as (sink, connection):
            job = request(tmp_path, sink=sink)
            job.context = ScanContext(repo="r", branch="main", now=now)
            job.history = HubHistory(connection.client)
            return scan(job, quiet(), write_all), connection

    first, _ = run_scan(first_seen)
    assert first.exit_code == 1
    [document] = first.result.asff
    with hubs.open_hub("local", options) as (_sink, connection):
        connection.client.batch_update_findings(
            FindingIdentifiers=[{"Id": document["Id"], "ProductArn": document["ProductArn"]}],
            Workflow={"Status": "SUPPRESSED"}, Note={"Text": "test fixture, not shipped", "UpdatedBy": "alice"})

    second, _ = run_scan(datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    assert second.exit_code == 0, second.result.gate.reasons
    [verdict] = second.result.gate.verdicts
    assert verdict.standing is Standing.TRIAGED and "alice" in verdict.reason and "test fixture" in verdict.reason
    out = tmp_path / "out"
    assert "test fixture, not shipped" in (out / "report.md").read_text()
    assert "alice" in (out / "junit.xml").read_text()
    assert second.result.asff[0]["FirstObservedAt"] == document["FirstObservedAt"]
    assert second.result.asff[0]["FirstObservedAt"].startswith("2026-11-01")


class UnreachableBaseline(BaselineSource):
    def ids(self, repo: str, branch: str) -> set[str]:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")


def test_an_unreachable_baseline_fails_the_gate_and_still_writes_the_reports(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B101", Severity.LOW)])]
    job = request(tmp_path, policy=Policy(baseline_branch="main"), sink=RecordingSink())
    job.baseline = UnreachableBaseline()
    outcome = scan(job, quiet(), write_all)
    assert outcome.exit_code == 1
    assert any("cannot read the baseline" in r for r in outcome.result.gate.reasons)
    assert (tmp_path / "out" / "junit.xml").is_file() and (tmp_path / "out" / "summary.json").is_file()


def test_a_suppression_the_hub_did_not_apply_fails_the_gate(runners, tmp_path: Path) -> None:  # noqa: F811
    from pipeline.sinks.base import FailedFinding
    from pipeline.sinks.securityhub import SecurityHubPublishResult

    class HalfSuppressingHub(Sink):
        name = "half"

        def publish(self, findings, scopes):
            return SecurityHubPublishResult(sent=len(findings), accepted=len(findings), unsuppressed=[
                FailedFinding(findings[0]["Id"], "AccessDenied", "no BatchUpdateFindings")])

    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B101", Severity.LOW)])]
    outcome = scan(request(tmp_path, sink=HalfSuppressingHub()), quiet(), write_all)
    assert outcome.exit_code == 1
    assert any("not marked SUPPRESSED" in r for r in outcome.result.gate.reasons)
