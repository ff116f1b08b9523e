"""The gate: one decision from Findings, runs and policy, every reason stated."""
from __future__ import annotations

from datetime import date

from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.gate import decide
from pipeline.identity import finding_id
from pipeline.policy import Policy, Threshold, parse_policy
from pipeline.stages import Stage
from pipeline.suppression import apply_suppressions
from pipeline.tools.base import ToolRun, ToolStatus


def finding(tool: str, severity: Severity, category: Category = Category.SAST, rule: str = "R1",
            path: str = "app.py") -> Finding:
    return Finding(tool, rule, f"{rule} in {path}", severity, category, code_locations=[CodeLocation(path, 1)])


def run(tool: str, stage: Stage, status: ToolStatus = ToolStatus.FINDINGS, detail: str = "") -> ToolRun:
    return ToolRun(tool=tool, stage=stage, status=status, detail=detail)


def test_passes_below_threshold() -> None:
    decision = decide([finding("bandit", Severity.MEDIUM)], [run("bandit", Stage.SAST)], Policy())
    assert decision.passed
    assert decision.counted["MEDIUM"] == 1
    assert decision.reasons[0].startswith("passed")


def test_fails_at_threshold_with_stage_in_reason() -> None:
    decision = decide([finding("bandit", Severity.HIGH), finding("bandit", Severity.CRITICAL, rule="R2")],
                      [run("bandit", Stage.SAST)], Policy())
    assert not decision.passed
    assert "sast: 2 finding(s) at HIGH or above" in decision.reasons[0]


def test_per_stage_threshold() -> None:
    policy = Policy(default=Threshold(Severity.HIGH), stages={Stage.SCA: Threshold(Severity.CRITICAL)})
    findings = [finding("pip-audit", Severity.HIGH, Category.SCA)]
    assert decide(findings, [run("pip-audit", Stage.SCA)], policy).passed
    policy = Policy(default=Threshold(Severity.HIGH), stages={Stage.SCA: Threshold(Severity.MEDIUM)})
    assert not decide([finding("pip-audit", Severity.MEDIUM, Category.SCA)], [run("pip-audit", Stage.SCA)], policy).passed


def test_max_counts() -> None:
    policy = Policy(default=Threshold(None, {Severity.LOW: 2}))
    findings = [finding("bandit", Severity.LOW, rule=f"R{i}") for i in range(3)]
    decision = decide(findings, [run("bandit", Stage.SAST)], policy)
    assert not decision.passed
    assert "3 finding(s) at LOW or above, more than the maximum of 2" in " ".join(decision.reasons)
    assert decide(findings[:2], [run("bandit", Stage.SAST)], policy).passed


def test_incomplete_tool_fails_by_default_and_can_warn() -> None:
    runs = [run("pip-audit", Stage.SCA, ToolStatus.INCOMPLETE, "3 dependencies not checked")]
    decision = decide([], runs, Policy())
    assert not decision.passed
    assert "pip-audit: incomplete (fails the gate): 3 dependencies not checked" in decision.reasons
    assert decide([], runs, Policy(incomplete="warn")).passed


def test_tool_error_counts_as_incomplete() -> None:
    assert not decide([], [run("semgrep", Stage.SAST, ToolStatus.ERROR, "timed out")], Policy()).passed


def test_missing_tool_warns_by_default() -> None:
    runs = [run("zap", Stage.DAST, ToolStatus.NOT_INSTALLED, "OWASP ZAP is not reachable")]
    decision = decide([], runs, Policy())
    assert decision.passed
    assert any("zap: not installed (not run)" in r for r in decision.reasons)
    assert not decide([], runs, Policy(missing="fail")).passed


def test_suppressed_findings_do_not_count_and_expired_ones_are_listed() -> None:
    policy = parse_policy({"suppress": [
        {"rule": "R1", "reason": "accepted risk", "expires": date(2030, 1, 1)},
        {"rule": "R2", "reason": "was accepted", "expires": date(2020, 1, 1)},
    ]})
    findings = [finding("bandit", Severity.HIGH, rule="R1"), finding("bandit", Severity.HIGH, rule="R2")]
    expired = apply_suppressions(findings, policy, lambda f: finding_id(f, "repo", "main"), date(2026, 11, 27))
    assert findings[0].suppressed and "accepted risk" in findings[0].suppression_reason
    assert not findings[1].suppressed
    decision = decide(findings, [run("bandit", Stage.SAST)], policy, expired)
    assert not decision.passed
    assert "sast: 1 finding(s) at HIGH or above" in decision.reasons[0]
    assert any("expired suppression no longer applies: rule=R2" in r for r in decision.reasons)
    assert decision.expired_suppressions and "R2" in decision.expired_suppressions[0]


def test_tool_suppression_keeps_its_own_reason() -> None:
    policy = parse_policy({"suppress": [{"rule": "R1", "reason": "policy", "expires": date(2030, 1, 1)}]})
    tool_suppressed = finding("bandit", Severity.HIGH)
    tool_suppressed.suppressed, tool_suppressed.suppression_reason = True, "nosec in code"
    apply_suppressions([tool_suppressed], policy, lambda f: "x", date(2026, 1, 1))
    assert tool_suppressed.suppression_reason == "nosec in code"


def test_baseline_counts_only_new_findings() -> None:
    policy = Policy(baseline_branch="main")
    old = finding("bandit", Severity.HIGH, rule="OLD")
    new = finding("bandit", Severity.HIGH, rule="NEW")
    baseline = {finding_id(old, "repo", "main")}
    decision = decide([old, new], [run("bandit", Stage.SAST)], policy, (), baseline,
                      lambda f: finding_id(f, "repo", "main"))
    assert not decision.passed
    assert "sast: 1 finding(s)" in " ".join(decision.reasons)
    assert "baseline: 1 finding(s) already on main not counted" in decision.reasons
    only_old = decide([old], [run("bandit", Stage.SAST)], policy, (), baseline, lambda f: finding_id(f, "repo", "main"))
    assert only_old.passed


def test_stage_comes_from_the_run_not_the_category() -> None:
    """A secret found by a SAST tool counts in the SAST stage, whatever its category."""
    policy = Policy(default=Threshold(None), stages={Stage.SAST: Threshold(Severity.HIGH)})
    secret = finding("trivy", Severity.CRITICAL, Category.SECRET)
    assert not decide([secret], [run("trivy", Stage.SAST)], policy).passed
    assert decide([secret], [run("trivy", Stage.SCA)], policy).passed
