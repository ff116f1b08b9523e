"""What one scan produced, and the summary.json that travels from `scan` to `approval send`.

`ScanResult` is what the scan command hands to the report renderers; the counting,
sorting and location helpers live here so every format (HTML, Markdown, JUnit,
SARIF, email) shows the same numbers. `summary_dict`/`load_summary` are the one
definition of summary.json (documented in docs/summary-json.md).
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline import jsonout
from pipeline.context import ScanContext
from pipeline.errors import ReportError
from pipeline.finding import Finding, Severity
from pipeline.stages import Stage
from pipeline.tools.base import ToolRun, ToolStatus
from pipeline.verdict import NOT_DECIDED, Standing, Verdict

SUMMARY_VERSION = 1
TOP_FINDINGS = 20  # how many findings summary.json (and so the approval email) carries


@dataclass
class GateDecision:
    passed: bool
    reasons: list[str]
    threshold: str                     # the default fail_on label ("HIGH"), or "NONE"
    counted: dict[str, int]            # severity label -> open findings the gate weighed
    expired_suppressions: list[str] = field(default_factory=list)
    # One per finding, in the order of ScanResult.findings: whether it counts and why (empty when read back
    # from summary.json, whose top findings carry their own).
    verdicts: list[Verdict] = field(default_factory=list)
    stage_thresholds: dict[Stage, Severity | None] = field(default_factory=dict)  # each stage's fail_on

    @property
    def fail_on(self) -> Severity | None:
        return None if self.threshold.upper() == "NONE" else Severity.parse(self.threshold)

    def threshold_text(self) -> str:
        """'HIGH and above', or per stage when the stages differ ('sca: CRITICAL, sast: HIGH, ...')."""
        labels = {stage: (level.name if level else "NONE") for stage, level in self.stage_thresholds.items()}
        if not labels or len(set(labels.values())) == 1:
            return f"{next(iter(labels.values()), self.threshold)} and above"
        return ", ".join(f"{stage.value}: {label}" for stage, label in labels.items()) + " and above"


@dataclass(frozen=True)
class Item:
    """One finding as the reports show it: with its ASFF Id and its stage."""

    finding: Finding
    id: str
    stage: Stage
    verdict: Verdict = NOT_DECIDED

    @property
    def location(self) -> str:
        return location_text(self.finding)


@dataclass
class ScanResult:
    context: ScanContext
    runs: list[ToolRun]
    findings: list[Finding]
    asff: list[dict[str, Any]]  # same order as findings; asff[i]["Id"] is finding i's Id
    gate: GateDecision | None
    started_at: datetime
    finished_at: datetime
    links: dict[str, str] = field(default_factory=dict)  # "report", "securityhub", ...
    # items() as last made, with what they were made of (see there).
    _items: tuple[tuple[Any, ...], list[Item]] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.asff) != len(self.findings):
            raise ValueError(f"{len(self.findings)} findings but {len(self.asff)} ASFF documents")

    def stage_of(self, finding: Finding) -> Stage:
        return self._stage_function()(finding)

    def _stage_function(self) -> Callable[[Finding], Stage]:
        # Imported here: pipeline.gate imports GateDecision from this module.
        from pipeline.gate import stage_of
        tool_stages = {run.tool: run.stage for run in self.runs}
        return lambda finding: stage_of(finding, tool_stages)

    def items(self) -> list[Item]:
        """Every finding, most severe first; suppressed ones after the open ones of the same severity.

        Made once and kept: each report asks for them (a sort of every finding, ~10 ms per
        1,500). What they are made of is part of the key, so a result whose findings, runs, gate
        or gate verdicts are replaced makes them again."""
        key = (id(self.findings), len(self.findings), id(self.asff), id(self.runs), len(self.runs),
               id(self.gate), id(self.gate.verdicts) if self.gate is not None else None)
        if self._items is None or self._items[0] != key:
            self._items = (key, self._sorted_items())
        return list(self._items[1])

    def _sorted_items(self) -> list[Item]:
        stage = self._stage_function()
        verdicts = self.verdicts()
        items = [Item(f, a["Id"], stage(f), v) for f, a, v in zip(self.findings, self.asff, verdicts, strict=True)]
        return sorted(items, key=lambda i: (-i.finding.severity, not i.verdict.standing.is_open, i.finding.tool,
                                            i.finding.rule_id, location_text(i.finding)))

    def verdicts(self) -> list[Verdict]:
        """The gate's verdict on each finding (same order as findings); without a gate, none is decided."""
        if self.gate is not None and len(self.gate.verdicts) == len(self.findings):
            return list(self.gate.verdicts)
        return [_undecided(f) for f in self.findings]

    def open_findings(self) -> list[Finding]:
        """Still to fix: neither suppressed (code, policy) nor triaged away in the hub."""
        return [f for f, v in zip(self.findings, self.verdicts(), strict=True) if v.standing.is_open]

    def counts_by_severity(self) -> dict[Severity, int]:
        """Open (not suppressed) findings per severity, every severity present, most severe first."""
        counts = Counter(f.severity for f in self.open_findings())
        return {s: counts.get(s, 0) for s in sorted(Severity, reverse=True)}

    def counts_by_stage(self) -> dict[Stage, dict[Severity, int]]:
        table: dict[Stage, dict[Severity, int]] = {stage: {s: 0 for s in sorted(Severity, reverse=True)} for stage in Stage}
        stage = self._stage_function()
        for finding in self.open_findings():
            table[stage(finding)][finding.severity] += 1
        return table

    def counts_by_tool(self) -> dict[str, dict[Severity, int]]:
        """Per tool that ran or reported, in run order, then any tool only seen in findings."""
        tools = [run.tool for run in self.runs] + sorted({f.tool for f in self.findings} - {r.tool for r in self.runs})
        table = {tool: {s: 0 for s in sorted(Severity, reverse=True)} for tool in tools}
        for finding in self.open_findings():
            table[finding.tool][finding.severity] += 1
        return table

    @property
    def suppressed_count(self) -> int:
        """Suppressed in the code or by policy, or triaged away by a reviewer in the hub."""
        return sum(1 for v in self.verdicts() if not v.standing.is_open)

    def incomplete_runs(self) -> list[ToolRun]:
        """Runs that started but could not check everything: their silence is not a clean result."""
        return [run for run in self.runs if run.status in (ToolStatus.INCOMPLETE, ToolStatus.ERROR)]

    def not_run(self) -> list[ToolRun]:
        """Tools that apply but are not installed or not configured here (the policy's `missing` decides)."""
        return [run for run in self.runs if run.status in (ToolStatus.NOT_INSTALLED, ToolStatus.NOT_CONFIGURED)]


def _undecided(finding: Finding) -> Verdict:
    if finding.suppressed:
        return Verdict(Standing.SUPPRESSED, finding.suppression_reason or "suppressed (no reason given)")
    return NOT_DECIDED


def location_text(finding: Finding) -> str:
    """Where the finding is, in one line for people: file:line, method URL [param], template#resource, package."""
    if finding.code_locations:
        loc = finding.code_locations[0]
        return f"{loc.path}:{loc.start_line}" if loc.start_line else loc.path
    if finding.web_locations:
        web = finding.web_locations[0]
        text = f"{web.method.upper()} {web.url}" if web.method else web.url
        if web.parameter:
            text += f" [{web.parameter}]"
        if len(finding.web_locations) > 1:
            text += f" (+{len(finding.web_locations) - 1} more)"
        return text
    if finding.iac_location is not None:
        iac = finding.iac_location
        text = iac.template + (f"#{iac.logical_id}" if iac.logical_id else "")
        return text + (f":{iac.line}" if iac.line else "")
    if finding.packages:
        pkg = finding.packages[0]
        text = f"{pkg.name}@{pkg.version}" if pkg.version else pkg.name
        return text + (f" ({pkg.file_path})" if pkg.file_path else "")
    return ""


# --- summary.json -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRun:
    tool: str
    stage: str
    status: str
    detail: str
    findings: int
    duration_s: float

    @property
    def complete(self) -> bool:
        return ToolStatus(self.status).complete

    @property
    def incomplete(self) -> bool:
        """Started but could not check everything (tools that did not run are listed, not alarmed)."""
        return ToolStatus(self.status) in (ToolStatus.INCOMPLETE, ToolStatus.ERROR)


@dataclass(frozen=True)
class SummaryFinding:
    id: str
    tool: str
    rule_id: str
    title: str
    severity: str
    stage: str
    location: str
    suppressed: bool
    counts: bool = False   # the gate's verdict, as summary.json carries it
    verdict: str = ""      # why it counts or not


@dataclass(frozen=True)
class Summary:
    """summary.json as read back: everything the approval email needs, nothing it does not."""

    version: int
    repo: str
    branch: str
    commit: str | None
    build_id: str | None
    account: str
    region: str
    partition: str
    started_at: str
    finished_at: str
    gate: GateDecision | None
    by_severity: dict[str, int]           # open findings, label -> count
    by_stage: dict[str, dict[str, int]]   # stage -> label -> count
    by_tool: dict[str, dict[str, int]]    # tool -> label -> count
    total: int
    suppressed: int
    runs: list[SummaryRun]
    top_findings: list[SummaryFinding]
    links: dict[str, str]
    # Only a merged summary (pipeline.summary_merge) has these: stage label -> its decision.
    stage_decisions: dict[str, str] = field(default_factory=dict)

    @property
    def failed_stages(self) -> list[str]:
        return [stage for stage, decision in self.stage_decisions.items() if decision == "FAILED"]

    @property
    def decision(self) -> str:
        if self.gate is None:
            return "NOT DECIDED"
        return "PASSED" if self.gate.passed else "FAILED"


def summary_dict(result: ScanResult) -> dict[str, Any]:
    """The JSON-ready summary of a scan (written by `scan` as summary.json)."""
    ctx = result.context
    items = result.items()
    return {
        "version": SUMMARY_VERSION,
        "repo": ctx.repo, "branch": ctx.branch, "commit": ctx.commit, "build_id": ctx.build_id,
        "account": ctx.account, "region": ctx.region, "partition": ctx.partition,
        "started_at": result.started_at.isoformat(), "finished_at": result.finished_at.isoformat(),
        "gate": None if result.gate is None else {
            "passed": result.gate.passed, "reasons": list(result.gate.reasons), "threshold": result.gate.threshold,
            "counted": dict(result.gate.counted), "expired_suppressions": list(result.gate.expired_suppressions),
            "stage_thresholds": {stage.value: level.name if level else "NONE"
                                 for stage, level in result.gate.stage_thresholds.items()},
        },
        "counts": {
            "by_severity": {s.name: n for s, n in result.counts_by_severity().items()},
            "by_stage": {st.value: {s.name: n for s, n in c.items()} for st, c in result.counts_by_stage().items()},
            "by_tool": {t: {s.name: n for s, n in c.items()} for t, c in result.counts_by_tool().items()},
            "total": len(result.findings),
            "suppressed": result.suppressed_count,
        },
        "runs": [{"tool": r.tool, "stage": r.stage.value, "status": r.status.value, "detail": r.detail,
                  "findings": len(r.findings), "duration_s": round(r.duration_s, 3)} for r in result.runs],
        "top_findings": [{"id": i.id, "tool": i.finding.tool, "rule_id": i.finding.rule_id, "title": i.finding.title,
                          "severity": i.finding.severity.name, "stage": i.stage.value,
                          "location": location_text(i.finding), "suppressed": i.finding.suppressed,
                          "counts": i.verdict.counts, "verdict": i.verdict.reason}
                         for i in items if i.verdict.standing.is_open][:TOP_FINDINGS],
        "links": dict(result.links),
    }


def write_summary(result: ScanResult, path: Path) -> Path:
    with path.open("wb") as out:
        jsonout.write_value(summary_dict(result), out)
    return path


def load_summary(path: Path) -> Summary:
    """Read summary.json; a missing, foreign or damaged file is a one-line ReportError."""
    name = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(name, f"cannot read ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReportError(name, f"not JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("version") != SUMMARY_VERSION:
        raise ReportError(name, f"not a secpipe summary.json (version {SUMMARY_VERSION} expected)")
    try:
        return summary_from_dict(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(name, f"incomplete summary ({type(exc).__name__}: {exc})") from None


def summary_from_dict(d: dict[str, Any]) -> Summary:
    gate = d["gate"]
    counts = d["counts"]
    for label in counts["by_severity"]:
        Severity.parse(label)  # a foreign label is a damaged file, not something to render
    return Summary(
        version=d["version"], repo=str(d["repo"]), branch=str(d["branch"]), commit=d.get("commit"),
        build_id=d.get("build_id"), account=str(d["account"]), region=str(d["region"]),
        partition=str(d["partition"]), started_at=str(d["started_at"]), finished_at=str(d["finished_at"]),
        gate=None if gate is None else GateDecision(
            passed=bool(gate["passed"]), reasons=[str(r) for r in gate["reasons"]], threshold=str(gate["threshold"]),
            counted={str(k): int(v) for k, v in gate["counted"].items()},
            expired_suppressions=[str(s) for s in gate.get("expired_suppressions", [])],
            stage_thresholds={Stage(k): None if str(v).upper() == "NONE" else Severity.parse(str(v))
                              for k, v in (gate.get("stage_thresholds") or {}).items()}),
        by_severity={str(k): int(v) for k, v in counts["by_severity"].items()},
        by_stage={str(k): {str(s): int(n) for s, n in v.items()} for k, v in counts["by_stage"].items()},
        by_tool={str(k): {str(s): int(n) for s, n in v.items()} for k, v in counts["by_tool"].items()},
        total=int(counts["total"]), suppressed=int(counts["suppressed"]),
        runs=[SummaryRun(tool=str(r["tool"]), stage=str(r["stage"]), status=ToolStatus(r["status"]).value,
                         detail=str(r.get("detail", "")), findings=int(r["findings"]),
                         duration_s=float(r.get("duration_s", 0.0))) for r in d["runs"]],
        top_findings=[SummaryFinding(id=str(f["id"]), tool=str(f["tool"]), rule_id=str(f["rule_id"]),
                                     title=str(f["title"]), severity=Severity.parse(f["severity"]).name,
                                     stage=str(f["stage"]), location=str(f.get("location", "")),
                                     suppressed=bool(f.get("suppressed", False)), counts=bool(f.get("counts", False)),
                                     verdict=str(f.get("verdict", ""))) for f in d["top_findings"]],
        links={str(k): str(v) for k, v in d.get("links", {}).items()},
    )
