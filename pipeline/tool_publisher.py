"""`secpipe scan`: each tool's findings go to the hub as that tool finishes, while the others
still run, instead of all of them after the last tool.

One tool's findings are numbered, suppressed by the policy, turned into validated ASFF, given
the first-seen time the hub already knew, and published with that tool's own scope, one tool
at a time on one background thread (so the hub sees the imports in order, and no tool's
thread waits for the hub). Archival stays per scope and only after a complete run: a scope is
(repo, branch, tool), and each publish carries all of that tool's findings, so the stale ones
of its scope are exactly those the sink finds missing from them, as in one publish of all.
Occurrences are numbered per tool: their key starts with the tool, so that is the numbering
over all findings too. After the first hub failure nothing more is published: the gate
reports the hub error, as it did for one import that failed.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Any

from pipeline import identity
from pipeline.context import ScanContext
from pipeline.convert import to_validated_asff
from pipeline.finding import Finding
from pipeline.policy import Policy
from pipeline.progress import Progress
from pipeline.sinks.base import PublishResult, Scope, Sink
from pipeline.sinks.history import PriorFinding
from pipeline.suppression import apply_suppressions
from pipeline.tools.base import ToolRun, ToolStatus


@dataclass
class ToolFindings:
    """One finished tool's findings, ready for the gate and the reports."""

    run: ToolRun
    findings: list[Finding]
    asff: list[dict[str, Any]]


@dataclass
class PublishedScan:
    tools: list[ToolFindings]  # in the order of the runs given to wait()
    publish: PublishResult | None  # None without a sink, or when the hub failed
    hub_error: str | None

    @property
    def findings(self) -> list[Finding]:
        return [f for tool in self.tools for f in tool.findings]

    @property
    def asff(self) -> list[dict[str, Any]]:
        return [a for tool in self.tools for a in tool.asff]


@dataclass(frozen=True)
class PublishSettings:
    context: ScanContext
    policy: Policy
    today: date
    prior: dict[str, PriorFinding]  # read before anything is published: what was there before
    sink: Sink | None  # None: convert only (no hub, or the hub could not be read)
    hub_label: str
    failures: tuple[type[BaseException], ...]  # what a hub that fails raises
    describe: Callable[[BaseException], str]  # one line for a hub failure
    # True when `prior` is what the hub held (it was read), not an empty stand-in: then each
    # scope says which findings it had, and one whose findings all came again is not queried.
    prior_known: bool = False


def scope_of_run(run: ToolRun, context: ScanContext, known_active: frozenset[str] | None = None) -> list[Scope]:
    """The scope a run covers; none for a tool that did not run (nothing to archive or to import)."""
    if run.status is ToolStatus.NOT_INSTALLED or run.status is ToolStatus.NOT_CONFIGURED:
        return []
    return [Scope(repo=context.repo, branch=context.branch, tool=run.tool, complete=run.status.complete,
                  known_active=known_active)]


def known_active(tool: str, settings: PublishSettings) -> frozenset[str] | None:
    """The Ids the hub held for this tool's scope before the run; None when the hub was not read."""
    if not settings.prior_known:
        return None
    return frozenset(finding_id for finding_id, prior in settings.prior.items() if prior.tool == tool)


def keep_first_observed(asff: list[dict[str, Any]], prior: dict[str, PriorFinding]) -> None:
    """A finding seen before keeps the time it was first seen (an import would reset it)."""
    for document in asff:
        known = prior.get(document["Id"])
        if known is not None and known.first_observed_at and known.first_observed_at < document["FirstObservedAt"]:
            document["FirstObservedAt"] = known.first_observed_at


def merged(results: list[PublishResult]) -> PublishResult:
    """The sum of several publishes: counts added, failure lists joined (of whatever result type)."""
    total = type(results[0])() if results else PublishResult()
    for result in results:
        for member in dataclasses.fields(total):
            mine, theirs = getattr(total, member.name), getattr(result, member.name, None)
            if isinstance(mine, int) and isinstance(theirs, int):
                setattr(total, member.name, mine + theirs)
            elif isinstance(mine, list) and isinstance(theirs, list):
                mine.extend(theirs)
    return total


class ToolPublisher:
    """Use: with ToolPublisher(settings, progress) as p: run the tools with on_finished=p.tool_finished,
    then p.wait(runs)."""

    def __init__(self, settings: PublishSettings, progress: Progress):
        self.settings = settings
        self.progress = progress
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="secpipe-publish")
        self._pending: dict[int, Future[ToolFindings]] = {}
        self._results: list[PublishResult] = []
        self._hub_error: str | None = None

    def __enter__(self) -> ToolPublisher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        # On Ctrl-C or an error, tools not yet published are dropped rather than waited for.
        self._worker.shutdown(wait=kind is None, cancel_futures=True)

    def tool_finished(self, run: ToolRun) -> None:
        """Called from the tool's thread; the work happens on the publisher's."""
        self._pending[id(run)] = self._worker.submit(self._publish_one, run)

    def wait(self, runs: list[ToolRun]) -> PublishedScan:
        """Every run's findings (in `runs` order) once the last publish is done."""
        for run in runs:
            if id(run) not in self._pending:  # a run that did not come through tool_finished
                self.tool_finished(run)
        tools = [self._pending[id(run)].result() for run in runs]
        if self.settings.sink is None or self._hub_error is not None:
            return PublishedScan(tools, None, self._hub_error)
        return PublishedScan(tools, merged(self._results), None)

    def _publish_one(self, run: ToolRun) -> ToolFindings:
        s = self.settings
        findings = identity.number_occurrences(run.findings)

        def finding_id(f: Finding) -> str:
            return identity.finding_id(f, s.context.repo, s.context.branch)

        apply_suppressions(findings, s.policy, finding_id, s.today)
        asff = to_validated_asff(findings, s.context)
        keep_first_observed(asff, s.prior)
        scopes = scope_of_run(run, s.context, known_active(run.tool, s))
        if s.sink is not None and self._hub_error is None and (asff or scopes):
            self.progress.note(f"importing {len(asff)} finding(s) into {s.hub_label} ({run.tool})")
            try:
                self._results.append(s.sink.publish(asff, scopes))
            except s.failures as exc:
                self._hub_error = s.describe(exc)
                self.progress.note(f"hub import failed: {self._hub_error}")
        return ToolFindings(run, findings, asff)
