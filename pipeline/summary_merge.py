"""One Summary from the summary.json of every pipeline stage (for one approval email).

Each CodeBuild stage (sca, sast, iac, dast) scans separately and writes its own
summary.json; the approval email is about the whole pipeline execution:
- the gate failed if any stage's gate failed; with none failed, it is undecided
  (None) if any stage's gate was, otherwise passed;
- counts are summed, tool runs concatenated (each keeps its stage, so a tool that
  ran in two stages stays two runs), top findings re-sorted most severe first;
- links merged: a name two stages give different URLs is kept once per stage,
  as "report (sca)", "report (sast)";
- `stage_decisions` says which stage passed or failed, for the subject line.
The summaries must be of one repository, branch and commit: mixing executions in
one approval email would approve something nobody scanned.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pipeline.errors import ConfigError, ReportError
from pipeline.finding import Severity
from pipeline.result import SUMMARY_VERSION, TOP_FINDINGS, GateDecision, Summary, SummaryFinding
from pipeline.stages import Stage

_STAGE_ORDER = {stage.value: index for index, stage in enumerate(Stage)}
_SEVERITY_LABELS = [s.name for s in sorted(Severity, reverse=True)]
UNKNOWN_STAGE = "unknown stage"


def stage_label(summary: Summary) -> str:
    """Which stage(s) a summary is of: its runs' stages, else the stages its gate reasons name."""
    stages = {run.stage for run in summary.runs}
    if not stages and summary.gate is not None:
        stages = {reason.partition(":")[0] for reason in summary.gate.reasons} & set(_STAGE_ORDER)
    ordered = sorted(stages, key=lambda s: (_STAGE_ORDER.get(s, len(_STAGE_ORDER)), s))
    return ", ".join(ordered) or UNKNOWN_STAGE


def merge_summaries(summaries: Sequence[Summary]) -> Summary:
    """The summaries of one pipeline execution as one; ConfigError when they are not of one execution."""
    if not summaries:
        raise ValueError("merge_summaries needs at least one summary")
    first = summaries[0]
    commit = _same(summaries, "commit")
    labels = _unique_labels([stage_label(s) for s in summaries])
    return Summary(
        version=SUMMARY_VERSION,
        repo=_same(summaries, "repo") or first.repo,
        branch=_same(summaries, "branch") or first.branch,
        commit=commit,
        build_id=", ".join(_distinct(s.build_id for s in summaries if s.build_id)) or None,
        account=first.account, region=first.region, partition=first.partition,
        started_at=min((s.started_at for s in summaries), key=_instant),
        finished_at=max((s.finished_at for s in summaries), key=_instant),
        gate=_merge_gates([s.gate for s in summaries]),
        by_severity=_sum_counts([s.by_severity for s in summaries]),
        by_stage=_sum_tables([s.by_stage for s in summaries]),
        by_tool=_sum_tables([s.by_tool for s in summaries]),
        total=sum(s.total for s in summaries),
        suppressed=sum(s.suppressed for s in summaries),
        runs=[run for s in summaries for run in s.runs],
        top_findings=_top_findings(summaries),
        links=_merge_links(summaries, labels),
        stage_decisions={label: s.decision for label, s in zip(labels, summaries, strict=False)},
    )


def _same(summaries: Sequence[Summary], name: str) -> str | None:
    """The one value every summary that has one gives (None if none does); differing ones are an error."""
    values = _distinct(getattr(s, name) for s in summaries if getattr(s, name))
    if len(values) > 1:
        raise ConfigError(f"--summary: the summaries are of different {name}s ({', '.join(values)}); "
                          "one approval email is for one pipeline execution")
    return values[0] if values else None


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(values))


def _unique_labels(labels: list[str]) -> list[str]:
    """Two summaries of the same stage (a re-run) get '#2', so neither hides the other's decision."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return unique


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReportError("summary.json", f"started_at/finished_at is not an ISO 8601 time: {text!r}") from None
    # `scan` writes UTC with an offset; a time without one is taken as UTC so the two still compare.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _merge_gates(gates: list[GateDecision | None]) -> GateDecision | None:
    decided = [g for g in gates if g is not None]
    failed = any(not g.passed for g in decided)
    if not decided or (not failed and len(decided) < len(gates)):
        return None  # nothing failed, but not every stage decided: the pipeline has no decision
    return GateDecision(
        passed=not failed,
        reasons=[reason for g in decided for reason in g.reasons],
        threshold=_strictest([g.threshold for g in decided]),
        counted=_sum_counts([g.counted for g in decided]),
        expired_suppressions=_distinct(s for g in decided for s in g.expired_suppressions),
    )


def _strictest(thresholds: list[str]) -> str:
    """The lowest fail_on of the stages (the one that lets least through); NONE only if all are."""
    levels = [Severity.parse(t) for t in thresholds if t.upper() != "NONE"]
    return min(levels).name if levels else "NONE"


def _sum_counts(counts: list[dict[str, int]]) -> dict[str, int]:
    labels = _distinct([*(label for label in _SEVERITY_LABELS if any(label in c for c in counts)),
                        *(label for c in counts for label in c)])
    return {label: sum(c.get(label, 0) for c in counts) for label in labels}


def _sum_tables(tables: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    keys = _distinct(key for table in tables for key in table)
    return {key: _sum_counts([table[key] for table in tables if key in table]) for key in keys}


def _top_findings(summaries: Sequence[Summary]) -> list[SummaryFinding]:
    unique = {f.id: f for s in reversed(summaries) for f in s.top_findings}  # the first summary's copy wins
    ranked = sorted(unique.values(), key=lambda f: (-Severity.parse(f.severity), f.suppressed, f.tool, f.rule_id,
                                                    f.location))
    return ranked[:TOP_FINDINGS]


def _merge_links(summaries: Sequence[Summary], labels: list[str]) -> dict[str, str]:
    urls: dict[str, list[str]] = {}
    for summary in summaries:
        for name, url in summary.links.items():
            urls.setdefault(name, [])
            if url not in urls[name]:
                urls[name].append(url)
    merged: dict[str, str] = {}
    for name, distinct in urls.items():
        if len(distinct) == 1:
            merged[name] = distinct[0]
            continue
        for label, summary in zip(labels, summaries, strict=False):
            if name in summary.links:
                merged[f"{name} ({label})"] = summary.links[name]
    return merged
