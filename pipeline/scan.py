"""`secpipe scan`: tools -> raw reports -> Findings -> hub -> gate -> reports.

The order is one direction only; each step reads what the previous one made.
Tool runs of the SCA, SAST and IaC stages run concurrently (they are separate
processes, so threads only wait); DAST runs when a target URL is given.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline import identity
from pipeline.sinks.baseline import BaselineSource
from pipeline.context import ScanContext, utc_now
from pipeline.convert import to_validated_asff
from pipeline.errors import ConfigError
from pipeline.finding import Finding
from pipeline.gate import decide
from pipeline.policy import Policy
from pipeline.progress import Progress
from pipeline.result import ScanResult, summary_dict
from pipeline.sinks.base import PublishResult, Scope, Sink
from pipeline.stages import Stage
from pipeline.suppression import apply_suppressions
from pipeline.tools import registry as tools
from pipeline.tools.base import ScanTarget, ToolRun, ToolRunner, ToolStatus

log = logging.getLogger(__name__)

#: The tools run at once. Scanners are single-process and mostly CPU-bound, so
#: more than a few only make each one slower on a small CodeBuild instance.
MAX_PARALLEL_TOOLS = 4


@dataclass
class ScanRequest:
    target: ScanTarget
    stages: list[Stage]
    out_dir: Path
    policy: Policy
    context: ScanContext
    sink: Sink | None = None
    baseline: BaselineSource | None = None
    only_tools: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # for people: the report, the findings console
    today: date = field(default_factory=lambda: utc_now().date())


@dataclass
class ScanOutcome:
    result: ScanResult
    publish: PublishResult | None
    files: dict[str, Path]

    @property
    def exit_code(self) -> int:
        return 0 if self.result.gate and self.result.gate.passed else 1


def select_runners(request: ScanRequest) -> list[ToolRunner]:
    if Stage.DAST in request.stages and not request.target.url:
        raise ConfigError("the dast stage needs --target URL (a running application to scan)")
    selected = []
    for runner in tools.runners():
        if runner.stage not in request.stages:
            continue
        if request.only_tools and runner.name not in request.only_tools:
            continue
        if runner.applies(request.target):
            selected.append(runner)
    return selected


def run_tools(runners: list[ToolRunner], request: ScanRequest, progress: Progress) -> list[ToolRun]:
    raw_dir = request.out_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)

    def one(runner: ToolRunner) -> ToolRun:
        progress.started(runner.name, runner.stage.value)
        # A runner reports NOT_INSTALLED / NOT_CONFIGURED itself, with the plain reason.
        run = runner.run(request.target, raw_dir, request.policy.timeout(runner.name))
        progress.finished(run)
        return run

    static = [r for r in runners if r.stage is not Stage.DAST]
    dynamic = [r for r in runners if r.stage is Stage.DAST]
    runs: list[ToolRun] = []
    if static:
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_TOOLS, len(static))) as pool:
            runs.extend(pool.map(one, static))
    # DAST tools drive one running application; two at once would measure each other.
    runs.extend(one(r) for r in dynamic)
    return runs


def scopes_of(runs: list[ToolRun], context: ScanContext) -> list[Scope]:
    return [Scope(repo=context.repo, branch=context.branch, tool=run.tool, complete=run.status.complete)
            for run in runs if run.status is not ToolStatus.NOT_INSTALLED and run.status is not ToolStatus.NOT_CONFIGURED]


def scan(request: ScanRequest, progress: Progress,
         write_reports: Callable[[ScanResult, Path], dict[str, Path]]) -> ScanOutcome:
    started = utc_now()
    request.out_dir.mkdir(parents=True, exist_ok=True)
    runners = select_runners(request)
    runs = run_tools(runners, request, progress)
    progress.close()

    context = request.context
    findings: list[Finding] = identity.number_occurrences(f for run in runs for f in run.findings)

    def finding_id(f: Finding) -> str:
        return identity.finding_id(f, context.repo, context.branch)

    expired = apply_suppressions(findings, request.policy, finding_id, request.today)
    asff = to_validated_asff(findings, context)
    findings_path = request.out_dir / "findings.asff.json"
    findings_path.write_text(json.dumps(asff, indent=1, ensure_ascii=False), encoding="utf-8")

    publish = request.sink.publish(asff, scopes_of(runs, context)) if request.sink else None

    baseline_ids = None
    baseline_id = None
    if request.policy.baseline_branch and request.baseline is not None:
        target_branch = request.policy.baseline_branch
        baseline_ids = request.baseline.ids(context.repo, target_branch)

        def baseline_id(f: Finding) -> str:
            return identity.finding_id(f, context.repo, target_branch)

    gate = decide(findings, runs, request.policy, expired, baseline_ids, baseline_id)
    if publish is not None and not publish.ok:
        # A finding the hub did not take is a finding nobody will review: the run fails.
        lost = ", ".join(f.id for f in publish.failed[:10])
        gate.passed = False
        gate.reasons.append(f"hub: {len(publish.failed)} finding(s) not accepted: {lost}")

    result = ScanResult(context=context, runs=runs, findings=findings, asff=asff, gate=gate,
                        started_at=started, finished_at=utc_now(), links=dict(request.links))
    files = {"findings": findings_path}
    summary_path = request.out_dir / "summary.json"
    summary_path.write_text(json.dumps(summary_dict(result), indent=2, ensure_ascii=False), encoding="utf-8")
    files["summary"] = summary_path
    files.update(write_reports(result, request.out_dir))
    return ScanOutcome(result=result, publish=publish, files=files)
