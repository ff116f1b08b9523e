"""The gate: decided once, from normalised Findings and tool runs, with every reason.

Inputs are the findings after policy suppressions, the tool runs (for stage and
completeness) and, in baseline mode, the Ids the same findings have on the
target branch. Nothing here knows any tool's report format.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from pipeline.finding import Category, Finding, Severity
from pipeline.policy import Policy, Suppression
from pipeline.result import GateDecision
from pipeline.stages import Stage
from pipeline.tools.base import ToolRun, ToolStatus

#: Where a finding counts when no tool run says which stage produced it.
CATEGORY_STAGE = {Category.SCA: Stage.SCA, Category.SAST: Stage.SAST, Category.SECRET: Stage.SAST,
                  Category.IAC: Stage.IAC, Category.DAST: Stage.DAST}


def stage_of(finding: Finding, tool_stages: dict[str, Stage]) -> Stage:
    return tool_stages.get(finding.tool) or CATEGORY_STAGE[finding.category]


def decide(findings: Iterable[Finding], runs: Iterable[ToolRun], policy: Policy,
           expired: Iterable[Suppression] = (), baseline_ids: set[str] | None = None,
           baseline_id: Callable[[Finding], str] | None = None) -> GateDecision:
    """Pass or fail, with one reason per rule that failed (and warnings as reasons too).

    In baseline mode (`baseline_ids` given), findings whose target-branch Id is in
    the baseline are known debt and do not count.
    """
    runs = list(runs)
    tool_stages = {run.tool: run.stage for run in runs}
    reasons: list[str] = []
    failed = False

    counting = [f for f in findings if not f.suppressed]
    if baseline_ids is not None and baseline_id is not None:
        before = len(counting)
        counting = [f for f in counting if baseline_id(f) not in baseline_ids]
        reasons.append(f"baseline: {before - len(counting)} finding(s) already on {policy.baseline_branch} not counted")

    by_stage: dict[Stage, Counter[Severity]] = {}
    for finding in counting:
        by_stage.setdefault(stage_of(finding, tool_stages), Counter())[finding.severity] += 1

    for stage in Stage:
        counts = by_stage.get(stage, Counter())
        threshold = policy.threshold(stage)
        if threshold.fail_on is not None:
            at_or_above = sum(n for sev, n in counts.items() if sev >= threshold.fail_on)
            if at_or_above:
                failed = True
                reasons.append(f"{stage.value}: {at_or_above} finding(s) at {threshold.fail_on.name} or above "
                               f"(fail_on = {threshold.fail_on.name.lower()})")
        for severity, limit in sorted(threshold.max_counts.items()):
            total = sum(n for sev, n in counts.items() if sev >= severity)
            if total > limit:
                failed = True
                reasons.append(f"{stage.value}: {total} finding(s) at {severity.name} or above, more than the "
                               f"maximum of {limit}")

    for run in runs:
        if run.status in (ToolStatus.INCOMPLETE, ToolStatus.ERROR):
            verb = "fails the gate" if policy.incomplete == "fail" else "warning"
            failed = failed or policy.incomplete == "fail"
            reasons.append(f"{run.tool}: {run.status.value} ({verb}): {run.detail or 'no detail'}")
        elif run.status in (ToolStatus.NOT_INSTALLED, ToolStatus.NOT_CONFIGURED):
            verb = "fails the gate" if policy.missing == "fail" else "not run"
            failed = failed or policy.missing == "fail"
            reasons.append(f"{run.tool}: {run.status.value} ({verb}): {run.detail or 'no detail'}")

    expired_list = [s.describe() for s in expired]
    for text in expired_list:
        reasons.append(f"expired suppression no longer applies: {text}")

    overall = Counter(f.severity for f in counting)
    fail_on = policy.default.fail_on
    if not failed:
        reasons.insert(0, "passed: no stage reached its threshold and no tool run was incomplete")
    return GateDecision(
        passed=not failed,
        reasons=reasons,
        threshold=fail_on.name if fail_on else "NONE",
        counted={sev.name: overall.get(sev, 0) for sev in Severity},
        expired_suppressions=expired_list,
    )
