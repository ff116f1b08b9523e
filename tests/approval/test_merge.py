"""One approval email for the whole pipeline: every stage's summary.json merged (pipeline/summary_merge.py)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pipeline.cli import main
from pipeline.context import ScanContext
from pipeline.errors import ReportError
from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.result import GateDecision, Summary, load_summary, write_summary
from pipeline.stages import Stage
from pipeline.summary_merge import UNKNOWN_STAGE, merge_summaries, stage_label
from pipeline.tools.base import ToolRun, ToolStatus
from reports.email import render_email
from tests.reports.conftest import make_result, sample_findings, sample_runs

TOPIC = "arn:aws:sns:eu-west-1:123456789012:secpipe-approval"
STAGE_TOOLS = {Stage.SCA: {"pip-audit"}, Stage.SAST: {"bandit", "semgrep"}, Stage.IAC: {"checkov", "cfn-nag"},
               Stage.DAST: {"wapiti", "zap"}}


def _gate(stage: Stage, passed: bool, threshold: str = "HIGH") -> GateDecision:
    reasons = [] if passed else [f"{stage.value}: 1 finding(s) at HIGH or above (fail_on = high)"]
    return GateDecision(passed=passed, reasons=reasons, threshold=threshold,
                        counted={"CRITICAL": 0, "HIGH": 0 if passed else 1, "MEDIUM": 0, "LOW": 0, "INFORMATIONAL": 0})


def _write_stage(tmp_path: Path, stage: Stage, passed: bool, runs: list[ToolRun] | None = None,
                 findings: list[Finding] | None = None, repo: str = "demo-repo", threshold: str = "HIGH") -> Path:
    """The summary.json a CodeBuild stage writes: that stage's tools and findings, its own build id and report."""
    if findings is None:
        findings = [f for f in sample_findings() if f.tool in STAGE_TOOLS[stage]]
    if runs is None:
        runs = [r for r in sample_runs(findings) if r.stage is stage]
    context = ScanContext(account="123456789012", region="eu-west-1", repo=repo, branch="main",
                          commit="abc123def4567890", build_id=f"secpipe-{stage.value}:1")
    result = make_result(findings, runs, _gate(stage, passed, threshold), context=context)
    result.links = {"report": f"https://example.com/reports/{stage.value}/report.html"}
    folder = tmp_path / stage.value
    folder.mkdir(exist_ok=True)
    return write_summary(result, folder / "summary.json")


def test_two_stages_merge_into_one_summary(tmp_path: Path) -> None:
    sca = load_summary(_write_stage(tmp_path, Stage.SCA, passed=True))
    sast = load_summary(_write_stage(tmp_path, Stage.SAST, passed=True))
    merged = merge_summaries([sca, sast])

    assert merged.decision == "PASSED"
    assert merged.stage_decisions == {"sca": "PASSED", "sast": "PASSED"}
    assert merged.by_severity == {label: sca.by_severity[label] + sast.by_severity[label] for label in sca.by_severity}
    assert merged.by_severity["CRITICAL"] == 1 and merged.by_severity["MEDIUM"] == 1  # semgrep's key, pip-audit's CVE
    assert merged.total == sca.total + sast.total and merged.suppressed == 1  # bandit's suppressed assert
    assert merged.by_stage["sca"]["MEDIUM"] == 1 and merged.by_stage["sast"]["CRITICAL"] == 1
    assert [(r.tool, r.stage) for r in merged.runs] == [("pip-audit", "sca"), ("bandit", "sast"), ("semgrep", "sast")]
    # Re-sorted across the stages, most severe first.
    assert [(f.severity, f.tool) for f in merged.top_findings] == [("CRITICAL", "semgrep"), ("HIGH", "bandit"),
                                                                    ("MEDIUM", "pip-audit")]
    assert merged.build_id == "secpipe-sca:1, secpipe-sast:1"
    assert merged.started_at == min(sca.started_at, sast.started_at)
    assert merged.links == {"report (sca)": "https://example.com/reports/sca/report.html",
                            "report (sast)": "https://example.com/reports/sast/report.html"}


def test_failed_and_passed_stages_make_a_failed_pipeline(tmp_path: Path) -> None:
    summaries = [load_summary(_write_stage(tmp_path, stage, passed=stage is not Stage.SAST))
                 for stage in (Stage.SCA, Stage.SAST, Stage.IAC)]
    merged = merge_summaries(summaries)
    assert merged.decision == "FAILED"
    assert merged.failed_stages == ["sast"]
    assert merged.gate is not None and merged.gate.reasons == ["sast: 1 finding(s) at HIGH or above (fail_on = high)"]
    assert merged.gate.counted["HIGH"] == 1
    email = render_email(merged)
    assert email.subject == "[secpipe] FAILED in sast: demo-repo@main abc123de (1 critical, 1 high)"
    assert "Stages: sca PASSED; sast FAILED; iac PASSED" in email.text
    assert "Full report (sast): https://example.com/reports/sast/report.html" in email.text


def test_passed_stages_make_a_passed_pipeline_and_undecided_ones_no_decision(tmp_path: Path) -> None:
    sca = load_summary(_write_stage(tmp_path, Stage.SCA, passed=True))
    iac = load_summary(_write_stage(tmp_path, Stage.IAC, passed=True, threshold="CRITICAL"))
    merged = merge_summaries([sca, iac])
    assert merged.decision == "PASSED" and merged.failed_stages == []
    assert merged.gate is not None and merged.gate.threshold == "HIGH"  # the strictest stage's threshold
    assert render_email(merged).subject.startswith("[secpipe] PASSED: demo-repo@main abc123de")
    assert merge_summaries([sca, replace(iac, gate=None)]).decision == "NOT DECIDED"


def test_the_same_tool_in_two_stages_stays_two_runs(tmp_path: Path) -> None:
    def semgrep_finding(path: str) -> Finding:
        return Finding(tool="semgrep", rule_id="yaml.secret", title="secret in template", severity=Severity.HIGH,
                       category=Category.SAST, code_locations=[CodeLocation(path, 3)])

    sast_finding, iac_finding = semgrep_finding("src/app.py"), semgrep_finding("cloudformation/app.yaml")
    sast = _write_stage(tmp_path, Stage.SAST, passed=False, findings=[sast_finding],
                        runs=[ToolRun("semgrep", Stage.SAST, ToolStatus.FINDINGS, [sast_finding], duration_s=2.0)])
    iac = _write_stage(tmp_path, Stage.IAC, passed=True, findings=[iac_finding],
                       runs=[ToolRun("semgrep", Stage.IAC, ToolStatus.ERROR, detail="rules did not load")])
    merged = merge_summaries([load_summary(sast), load_summary(iac)])
    assert [(r.tool, r.stage, r.status) for r in merged.runs] == [("semgrep", "sast", "findings"),
                                                                  ("semgrep", "iac", "error")]
    assert merged.by_tool["semgrep"]["HIGH"] == 2
    assert {f.location for f in merged.top_findings} == {"src/app.py:3", "cloudformation/app.yaml:3"}
    text = render_email(merged).text
    assert "semgrep (iac): error: rules did not load" in text  # the incomplete one is not hidden by the other


def test_stage_of_a_summary_without_runs_comes_from_its_gate(tmp_path: Path) -> None:
    summary = load_summary(_write_stage(tmp_path, Stage.DAST, passed=False, runs=[], findings=[]))
    assert stage_label(summary) == "dast"
    assert stage_label(replace(summary, gate=None)) == UNKNOWN_STAGE


def test_summaries_of_different_repositories_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sca = _write_stage(tmp_path, Stage.SCA, passed=True)
    other = _write_stage(tmp_path, Stage.SAST, passed=True, repo="other-repo")
    code = main(["approval", "send", "--via", "sns", "--topic-arn", TOPIC, "--dry-run",
                 "--summary", str(sca), "--summary", str(other)])
    err = capsys.readouterr().err
    assert code == 2 and "different repos (demo-repo, other-repo)" in err and err.count("\n") == 1


def test_a_bad_file_among_several_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write_stage(tmp_path, Stage.SCA, passed=True)
    bad = tmp_path / "broken.json"
    bad.write_text('{"version": 1, "repo": "demo-repo"}')
    code = main(["approval", "send", "--via", "sns", "--topic-arn", TOPIC, "--dry-run",
                 "--summary", str(good), "--summary", str(bad)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith(f"secpipe: error: {bad}: incomplete summary") and captured.err.count("\n") == 1


def test_one_summary_is_sent_exactly_as_before(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    findings = sample_findings()
    out = tmp_path / "secpipe-out"
    out.mkdir()
    from tests.reports.conftest import sample_gate
    path = write_summary(make_result(findings, sample_runs(findings), sample_gate()), out / "summary.json")
    expected = render_email(load_summary(path))
    monkeypatch.chdir(tmp_path)
    for argv in (["--summary", str(path)], []):  # the flag, and the default secpipe-out/summary.json
        assert main(["approval", "send", "--via", "sns", "--topic-arn", TOPIC, "--dry-run", *argv]) == 0
        assert capsys.readouterr().out == f"Subject: {expected.subject}\n\n{expected.text}\n"
    assert expected.subject == "[secpipe] FAILED: demo-repo@main abc123de (2 critical, 1 high)"
    assert "Stages:" not in expected.text


def test_four_stage_summaries_are_one_sns_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    paths = [_write_stage(tmp_path, stage, passed=stage not in (Stage.SAST, Stage.DAST)) for stage in Stage]
    with mock_aws():
        sns, sqs = boto3.client("sns", region_name="eu-west-1"), boto3.client("sqs", region_name="eu-west-1")
        topic = sns.create_topic(Name="secpipe-approval")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        argv = [arg for path in paths for arg in ("--summary", str(path))]
        assert main(["approval", "send", "--via", "sns", "--topic-arn", topic, *argv]) == 0
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    notification = json.loads(messages[0]["Body"])
    assert notification["Subject"] == "[secpipe] FAILED in sast, dast: demo-repo@main abc123de (2 critical, 1 high)"
    body = notification["Message"]
    assert "Stages: sca PASSED; sast FAILED; iac PASSED; dast FAILED" in body
    assert all(f"{tool} " in body for tools in STAGE_TOOLS.values() for tool in tools)


def test_merging_nothing_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        merge_summaries([])


def test_merged_summary_is_a_summary(tmp_path: Path) -> None:
    merged = merge_summaries([load_summary(_write_stage(tmp_path, Stage.IAC, passed=False))])
    assert isinstance(merged, Summary) and merged.failed_stages == ["iac"]


def test_times_span_the_stages_and_a_bad_time_is_one_line(tmp_path: Path) -> None:
    sca = load_summary(_write_stage(tmp_path, Stage.SCA, passed=True))
    later = replace(sca, started_at="2026-11-27T14:00:00", finished_at="2026-11-27T14:05:00")  # no offset: UTC
    merged = merge_summaries([sca, later])
    assert (merged.started_at, merged.finished_at) == (sca.started_at, "2026-11-27T14:05:00")
    with pytest.raises(ReportError, match="not an ISO 8601 time: 'yesterday'"):
        merge_summaries([sca, replace(sca, started_at="yesterday")])
