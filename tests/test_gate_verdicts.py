"""The gate's one decision per finding: whether it counts and why, read by every report."""
from __future__ import annotations

import pytest

from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.gate import Baseline, decide
from pipeline.identity import finding_id
from pipeline.policy import Policy, Threshold
from pipeline.stages import Stage
from pipeline.tools.base import ToolRun, ToolStatus
from pipeline.triage import Triage, triage_of
from pipeline.verdict import Standing


def finding(rule: str, severity: Severity, suppressed: bool = False) -> Finding:
    return Finding("bandit", rule, f"{rule} issue", severity, Category.SAST, code_locations=[CodeLocation("a.py", 1)],
                   suppressed=suppressed, suppression_reason="# nosec" if suppressed else None)


RUNS = [ToolRun("bandit", Stage.SAST, ToolStatus.FINDINGS)]


def fid(f: Finding) -> str:
    return finding_id(f, "r", "main")


def test_each_finding_gets_one_verdict_in_order() -> None:
    findings = [finding("HIGH1", Severity.HIGH), finding("LOW1", Severity.LOW), finding("SUP", Severity.CRITICAL, True)]
    gate = decide(findings, RUNS, Policy())
    assert [v.standing for v in gate.verdicts] == [Standing.COUNTS, Standing.BELOW_THRESHOLD, Standing.SUPPRESSED]
    assert gate.verdicts[0].reason == "sast: HIGH is at or above fail_on = high"
    assert gate.verdicts[2].reason == "# nosec"
    assert gate.stage_thresholds[Stage.SAST] is Severity.HIGH


def test_a_maximum_exceeded_makes_those_findings_count() -> None:
    policy = Policy(default=Threshold(None, {Severity.MEDIUM: 1}))
    findings = [finding("M1", Severity.MEDIUM), finding("M2", Severity.MEDIUM), finding("L", Severity.LOW)]
    gate = decide(findings, RUNS, policy)
    assert not gate.passed
    assert [v.standing for v in gate.verdicts] == [Standing.COUNTS, Standing.COUNTS, Standing.BELOW_THRESHOLD]
    assert "maximum 1" in gate.verdicts[0].reason


def test_baseline_and_triage_take_findings_off_the_gate() -> None:
    old, triaged, new = finding("OLD", Severity.HIGH), finding("TRI", Severity.HIGH), finding("NEW", Severity.HIGH)
    baseline = Baseline("main", frozenset({finding_id(old, "r", "main")}), lambda f: finding_id(f, "r", "main"))
    triage = {fid(triaged): Triage("RESOLVED", "fixed upstream", "bob")}
    gate = decide([old, triaged, new], RUNS, Policy(), baseline=baseline, triage=triage, finding_id=fid)
    assert [v.standing for v in gate.verdicts] == [Standing.BASELINE, Standing.TRIAGED, Standing.COUNTS]
    assert gate.verdicts[1].reason == "resolved in the hub by bob: fixed upstream"
    assert "sast: 1 finding(s) at HIGH or above" in " ".join(gate.reasons)


def test_triage_needs_the_finding_ids() -> None:
    with pytest.raises(ValueError, match="finding_id"):
        decide([finding("X", Severity.HIGH)], RUNS, Policy(), triage={"x": Triage("SUPPRESSED")})


def test_only_a_reviewers_triage_counts() -> None:
    def hub_finding(status: str, suppressed_by_secpipe: bool, updated_by: str) -> dict:
        fields = {"secpipe/suppressed": "true"} if suppressed_by_secpipe else {}
        return {"RecordState": "ACTIVE", "Workflow": {"Status": status}, "ProductFields": fields,
                "Note": {"Text": "why", "UpdatedBy": updated_by}}

    assert triage_of(hub_finding("SUPPRESSED", False, "alice")) == Triage("SUPPRESSED", "why", "alice")
    assert triage_of(hub_finding("RESOLVED", True, "secpipe")) is not None
    # secpipe's own SUPPRESSED for a `# nosec` of an earlier run: once the comment is gone, the finding counts.
    assert triage_of(hub_finding("SUPPRESSED", True, "secpipe")) is None
    assert triage_of(hub_finding("NEW", False, "alice")) is None
    assert triage_of({**hub_finding("SUPPRESSED", False, "alice"), "RecordState": "ARCHIVED"}) is None
