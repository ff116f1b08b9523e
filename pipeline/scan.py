"""`secpipe scan`: tools -> raw reports -> Findings -> hub -> gate -> reports.

The order is one direction only; each step reads what the previous one made.
Tool runs of the SCA, SAST and IaC stages run concurrently (they are separate
processes, so threads only wait); DAST runs when a target URL is given.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from pipeline import identity, jsonout
from pipeline.context import ScanContext, utc_now
from pipeline.finding import Finding
from pipeline.gate import Baseline, HubOutcome, decide
from pipeline.policy import Policy
from pipeline.progress import Progress
from pipeline.result import ScanResult, write_summary
from pipeline.sinks.base import PublishResult, Scope, Sink
from pipeline.sinks.baseline import BaselineSource
from pipeline.sinks.history import HistorySource, PriorFinding
from pipeline.sinks.retrying import HubError
from pipeline.stages import Stage
from pipeline.suppression import apply_suppressions
from pipeline.tool_publisher import PublishSettings, ToolPublisher, scope_of_run
from pipeline.tool_runs import ToolRuns, ToolSettings, runners_for
from pipeline.tools.base import ScanTarget, ToolRun, ToolRunner

log = logging.getLogger(__name__)

#: What a hub that cannot be reached or refuses the request raises (the client's own errors, or
#: HubError once secpipe's retries gave up). Anything else is a bug and is not hidden.
HUB_FAILURES = (HubError, BotoCoreError, ClientError, OSError)


@dataclass
class ScanRequest:
    target: ScanTarget
    stages: list[Stage]
    out_dir: Path
    policy: Policy
    context: ScanContext
    sink: Sink | None = None
    baseline: BaselineSource | None = None
    history: HistorySource | None = None  # the hub's first sightings and reviewers' triage
    only_tools: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # for people: the report, the findings console
    hub_label: str = "the hub"  # for progress lines: "the local hub at http://127.0.0.1:8080"
    # Raw reports under raw/ are masked like every other output (the archive gets what people may
    # read); False keeps the scanners' files verbatim, secrets included (`scan --unmasked-raw`).
    mask_raw: bool = True
    today: date = field(default_factory=lambda: utc_now().date())


@dataclass
class ScanOutcome:
    result: ScanResult
    publish: PublishResult | None
    files: dict[str, Path]
    hub_error: str | None = None  # the hub import failed as a whole

    @property
    def exit_code(self) -> int:
        return 0 if self.result.gate and self.result.gate.passed else 1


def select_runners(request: ScanRequest) -> list[ToolRunner]:
    return runners_for(request.target, request.stages, request.only_tools)


def tool_settings(request: ScanRequest) -> ToolSettings:
    return ToolSettings(target=request.target, raw_dir=request.out_dir / "raw", policy=request.policy,
                        mask_raw=request.mask_raw)


def scopes_of(runs: list[ToolRun], context: ScanContext) -> list[Scope]:
    return [scope for run in runs for scope in scope_of_run(run, context)]


def scan(request: ScanRequest, progress: Progress, write_reports: Callable[[ScanResult, Path], dict[str, Path]],
         prepare_reports: Callable[[], None] | None = None, tools: ToolRuns | None = None) -> ScanOutcome:
    """`tools`: the request's tool runs when the caller started them already (before opening the
    hub: pipeline.tool_runs); else they start here. `prepare_reports` (loading the templates,
    say) runs on a thread of its own while the tools run, so that only the rendering itself is
    left for after the last tool."""
    request.out_dir.mkdir(parents=True, exist_ok=True)
    if tools is None:
        tools = ToolRuns.start(select_runners(request), tool_settings(request), progress)
    started = tools.started_at
    context = request.context

    try:
        # What was there before this run: read before anything is published, which changes it.
        baseline, prior, hub_error = read_before_publishing(request, progress)
    except BaseException:
        tools.stop()
        progress.close()
        raise
    # Each tool's findings go to the hub as that tool finishes (pipeline.tool_publisher).
    settings = PublishSettings(context=context, policy=request.policy, today=request.today, prior=prior,
                               sink=request.sink if hub_error is None else None, hub_label=request.hub_label,
                               failures=HUB_FAILURES, describe=_one_line,
                               prior_known=request.history is not None and hub_error is None)
    preparing = in_background(prepare_reports) if prepare_reports is not None else None
    try:
        with ToolPublisher(settings, progress) as publisher:
            runs = tools.wait(on_finished=publisher.tool_finished)
            published = publisher.wait(runs)
    finally:
        progress.close()  # also on Ctrl-C: a live display must give the terminal (and its cursor) back
    findings, asff = published.findings, published.asff
    publish = published.publish
    hub_error = hub_error or published.hub_error

    def finding_id(f: Finding) -> str:
        return identity.finding_id(f, context.repo, context.branch)

    # Each tool's findings were suppressed as they were published; this gives the expired ones.
    expired = apply_suppressions(findings, request.policy, finding_id, request.today)
    findings_path = request.out_dir / "findings.asff.json"
    with findings_path.open("wb") as out:  # the layout `secpipe parse` prints, which `publish` reads fastest
        jsonout.write_array(asff, out)

    triage = {fid: p.triage for fid, p in prior.items() if p.triage is not None}
    hub = HubOutcome(lost=publish.failed if publish is not None else (),
                     # Only the Security Hub sink applies suppressions (and so can fail to).
                     unsuppressed=getattr(publish, "unsuppressed", ()), error=hub_error)
    gate = decide(findings, runs, request.policy, expired, baseline=baseline, triage=triage, finding_id=finding_id,
                  hub=hub)

    result = ScanResult(context=context, runs=runs, findings=findings, asff=asff, gate=gate,
                        started_at=started, finished_at=utc_now(), links=dict(request.links))
    files = {"findings": findings_path}
    files["summary"] = write_summary(result, request.out_dir / "summary.json")
    if preparing is not None:
        preparing.result()  # done long ago; a failure there is the reports' own, raised here
    files.update(write_reports(result, request.out_dir))
    return ScanOutcome(result=result, publish=publish, files=files, hub_error=hub_error)


def in_background(work: Callable[[], None]) -> Future[None]:
    """`work` started on a thread of its own; the future holds its outcome."""
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="secpipe-prepare")
    try:
        return helper.submit(work)
    finally:
        helper.shutdown(wait=False)  # the thread ends when the work does


def read_before_publishing(request: ScanRequest,
                           progress: Progress) -> tuple[Baseline | None, dict[str, PriorFinding], str | None]:
    """The baseline, the hub's prior findings (first sightings, triage), and the hub error that
    stops all publishing when either cannot be read."""
    context = request.context
    hub_error: str | None = None
    try:
        baseline = read_baseline(request)
    except HubError as exc:
        # Without the baseline nothing is known debt: every finding counts, and the gate fails on the hub.
        baseline, hub_error = None, str(exc)
    prior: dict[str, PriorFinding] = {}
    if request.history is not None and hub_error is None:
        progress.note(f"reading the findings of {context.repo}@{context.branch} from {request.hub_label}")
        try:
            prior = request.history.findings(context.repo, context.branch)
        except HUB_FAILURES as exc:
            hub_error = _one_line(exc)
    if hub_error is not None:
        progress.note(f"cannot read the hub, so nothing will be imported into it: {hub_error}")
    return baseline, prior, hub_error


def read_baseline(request: ScanRequest) -> Baseline | None:
    """The baseline's Ids, read before this run publishes anything (it is what was there before)."""
    if request.baseline is None:
        return None
    repo = request.context.repo
    branch = request.policy.baseline_branch or request.baseline.branch_for(repo) or request.context.branch
    try:
        ids = request.baseline.ids(repo, branch)
    except HUB_FAILURES as exc:
        raise HubError(f"cannot read the baseline of {repo}@{branch} from the hub: {_one_line(exc)}") from None

    def id_on_branch(f: Finding) -> str:
        return identity.finding_id(f, repo, branch)

    return Baseline(branch=branch, ids=frozenset(ids), id_on_branch=id_on_branch)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else 'no detail'}"
