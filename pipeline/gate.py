"""The gate: decided once, from normalised Findings and tool runs, with every reason.

Inputs are the findings after policy suppressions, the tool runs (for stage and
completeness), in baseline mode the Ids the same findings have on the target
branch, the reviewers' triage from the hub, and what the hub did not take.
The decision holds one `Verdict` per finding, which every report reads.
Nothing here knows any tool's report format.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.finding import Category, Finding, Severity
from pipeline.policy import Policy, Suppression
from pipeline.result import GateDecision
from pipeline.sinks.base import FailedFinding
from pipeline.stages import Stage
from pipeline.tools.base import ToolRun, ToolStatus
from pipeline.triage import Triage
from pipeline.verdict import Standing, Verdict

#: Where a finding counts when no tool run says which stage produced it.
CATEGORY_STAGE = {Category.SCA: Stage.SCA, Category.SAST: Stage.SAST, Category.SECRET: Stage.SAST,
                  Category.IAC: Stage.IAC, Category.DAST: Stage.DAST}
LOST_IDS_SHOWN = 10


def stage_of(finding: Finding, tool_stages: dict[str, Stage]) -> Stage:
    return tool_stages.get(finding.tool) or CATEGORY_STAGE[finding.category]


@dataclass(frozen=True)
class HubOutcome:
    """What the hub did with this run's findings: refused some, or could not be reached at all."""

    lost: Sequence[FailedFinding] = ()
    unsuppressed: Sequence[FailedFinding] = ()  # imported, but the hub did not take their SUPPRESSED status
    error: str | None = None  # the import failed as a whole (hub unreachable, refused the request)


@dataclass(frozen=True)
class Baseline:
    """Baseline mode: the Ids findings have on `branch`, and how to compute a finding's Id there."""

    branch: str
    ids: frozenset[str]
    id_on_branch: Callable[[Finding], str]


@dataclass
class _Tally:
    reasons: list[str] = field(default_factory=list)
    failed: bool = False

    def fail(self, reason: str) -> None:
        self.failed = True
        self.reasons.append(reason)


def decide(findings: Iterable[Finding], runs: Iterable[ToolRun], policy: Policy,
           expired: Iterable[Suppression] = (), baseline_ids: set[str] | None = None,
           baseline_id: Callable[[Finding], str] | None = None, *, baseline: Baseline | None = None,
           triage: Mapping[str, Triage] | None = None, finding_id: Callable[[Finding], str] | None = None,
           hub: HubOutcome = HubOutcome()) -> GateDecision:
    """Pass or fail, with one reason per rule that failed (and warnings as reasons too).

    In baseline mode (`baseline_ids` given), findings whose target-branch Id is in
    the baseline are known debt and do not count. `triage` (by finding Id, from
    `finding_id`) holds what reviewers decided in the hub.
    """
    findings = list(findings)
    runs = list(runs)
    tool_stages = {run.tool: run.stage for run in runs}
    if baseline is None and baseline_ids is not None and baseline_id is not None:
        baseline = Baseline(policy.baseline_branch or "the baseline", frozenset(baseline_ids), baseline_id)
    verdicts = _open_or_not(findings, baseline, triage or {}, finding_id)
    tally = _Tally()
    if baseline is not None:
        known = sum(1 for v in verdicts if v is not None and v.standing is Standing.BASELINE)
        tally.reasons.append(f"baseline: {known} finding(s) already on {baseline.branch} not counted")
    triaged = sum(1 for v in verdicts if v is not None and v.standing is Standing.TRIAGED)
    if triaged:
        tally.reasons.append(f"hub triage: {triaged} finding(s) suppressed or resolved by a reviewer not counted")

    counting = [i for i, v in enumerate(verdicts) if v is None]
    by_stage: dict[Stage, list[int]] = {}
    for index in counting:
        by_stage.setdefault(stage_of(findings[index], tool_stages), []).append(index)
    for stage in Stage:
        _judge_stage(stage, by_stage.get(stage, []), findings, policy, verdicts, tally)

    _judge_runs(runs, policy, tally)
    _judge_hub(hub, tally)
    expired_list = [s.describe() for s in expired]
    tally.reasons.extend(f"expired suppression no longer applies: {text}" for text in expired_list)

    if not tally.failed:
        tally.reasons.insert(0, "passed: no stage reached its threshold and no tool run was incomplete")
    overall = Counter(findings[i].severity for i in counting)
    fail_on = policy.default.fail_on
    return GateDecision(
        passed=not tally.failed,
        reasons=tally.reasons,
        threshold=fail_on.name if fail_on else "NONE",
        counted={sev.name: overall.get(sev, 0) for sev in Severity},
        expired_suppressions=expired_list,
        verdicts=[v if v is not None else Verdict(Standing.BELOW_THRESHOLD, "below the threshold") for v in verdicts],
        stage_thresholds={stage: policy.threshold(stage).fail_on for stage in Stage},
    )


def _open_or_not(findings: list[Finding], baseline: Baseline | None, triage: Mapping[str, Triage],
                 finding_id: Callable[[Finding], str] | None) -> list[Verdict | None]:
    """The verdict of each finding that does not reach the thresholds at all; None for the open ones."""
    if triage and finding_id is None:
        raise ValueError("hub triage is keyed by finding Id: pass finding_id")
    verdicts: list[Verdict | None] = []
    for finding in findings:
        reviewed = triage.get(finding_id(finding)) if triage and finding_id else None
        if finding.suppressed:
            verdicts.append(Verdict(Standing.SUPPRESSED, finding.suppression_reason or "suppressed (no reason given)"))
        elif reviewed is not None:
            verdicts.append(Verdict(Standing.TRIAGED, reviewed.describe()))
        elif baseline is not None and baseline.id_on_branch(finding) in baseline.ids:
            verdicts.append(Verdict(Standing.BASELINE, f"already on {baseline.branch}"))
        else:
            verdicts.append(None)
    return verdicts


def _judge_stage(stage: Stage, indexes: list[int], findings: list[Finding], policy: Policy,
                 verdicts: list[Verdict | None], tally: _Tally) -> None:
    threshold = policy.threshold(stage)
    fail_on = threshold.fail_on
    if fail_on is not None:
        reached = [i for i in indexes if findings[i].severity >= fail_on]
        if reached:
            tally.fail(f"{stage.value}: {len(reached)} finding(s) at {fail_on.name} or above "
                       f"(fail_on = {fail_on.name.lower()})")
        for i in reached:
            verdicts[i] = Verdict(Standing.COUNTS, f"{stage.value}: {findings[i].severity.name} is at or above "
                                                   f"fail_on = {fail_on.name.lower()}")
    for severity, limit in sorted(threshold.max_counts.items()):
        over = [i for i in indexes if findings[i].severity >= severity]
        if len(over) <= limit:
            continue
        tally.fail(f"{stage.value}: {len(over)} finding(s) at {severity.name} or above, more than the maximum of {limit}")
        for i in over:
            if verdicts[i] is None:
                verdicts[i] = Verdict(Standing.COUNTS, f"{stage.value}: one of {len(over)} at {severity.name} or above "
                                                       f"(maximum {limit})")


def _judge_runs(runs: list[ToolRun], policy: Policy, tally: _Tally) -> None:
    for run in runs:
        if run.status in (ToolStatus.INCOMPLETE, ToolStatus.ERROR):
            rule = policy.incomplete
        elif run.status in (ToolStatus.NOT_INSTALLED, ToolStatus.NOT_CONFIGURED):
            rule = policy.missing
        else:
            continue
        quiet_verb = "warning" if run.status in (ToolStatus.INCOMPLETE, ToolStatus.ERROR) else "not run"
        reason = f"{run.tool}: {run.status.value} ({'fails the gate' if rule == 'fail' else quiet_verb}): " \
                 f"{run.detail or 'no detail'}"
        if rule == "fail":
            tally.fail(reason)
        else:
            tally.reasons.append(reason)


def _judge_hub(hub: HubOutcome, tally: _Tally) -> None:
    """A finding the hub did not take is a finding nobody will review: the run fails."""
    if hub.error:
        tally.fail(f"hub: import failed, no finding reached the hub: {hub.error}")
    if hub.lost:
        shown = ", ".join(f.id for f in hub.lost[:LOST_IDS_SHOWN])
        more = f" (+{len(hub.lost) - LOST_IDS_SHOWN} more)" if len(hub.lost) > LOST_IDS_SHOWN else ""
        tally.fail(f"hub: {len(hub.lost)} finding(s) not accepted: {shown}{more}")
    if hub.unsuppressed:
        shown = ", ".join(f.id for f in hub.unsuppressed[:LOST_IDS_SHOWN])
        tally.fail(f"hub: {len(hub.unsuppressed)} suppressed finding(s) not marked SUPPRESSED in the hub "
                   f"(they would show as open to reviewers): {shown}")
