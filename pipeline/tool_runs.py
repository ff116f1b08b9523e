"""A scan's tool runs: started as soon as the tree and the policy are known, before the hub.

Opening the hub (botocore's model, a client, the local hub's server, STS for AWS) and
reading what it held take a good half second on one core while the other idles; the
scanners do not need any of it, so they start first and the hub is opened while they
run. Whoever publishes subscribes later and is handed the runs that finished in between.

This module stays light (no botocore, no gate): it is imported before the tools start.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.context import utc_now
from pipeline.errors import ConfigError
from pipeline.masking import collecting_secrets, mask_file
from pipeline.policy import Policy
from pipeline.progress import Progress
from pipeline.registry import UnknownName
from pipeline.stages import Stage
from pipeline.tools import process, schedule
from pipeline.tools import registry as tools
from pipeline.tools.base import ScanTarget, ToolRun, ToolRunner
from pipeline.tools.files import one_walk

#: The CPU-bound tools run at once (those that wait on the network come on top). Each is a
#: process (the threads only wait) with its memory; how they share the CPU is
#: pipeline.tools.schedule's business.
MAX_PARALLEL_TOOLS = 4

OnFinished = Callable[[ToolRun], None]


@dataclass(frozen=True)
class ToolSettings:
    """What running the tools needs: none of it comes from the hub."""

    target: ScanTarget
    raw_dir: Path
    policy: Policy
    mask_raw: bool = True  # raw reports masked like every other output (`scan --unmasked-raw`: False)


def check_tool_names(names: list[str]) -> None:
    """A misspelt --tools name would run nothing and pass: it is a usage error instead."""
    known = tools.names()
    for name in names:
        if name not in known:
            raise UnknownName("tool", name, known)


def runners_for(target: ScanTarget, stages: list[Stage], only_tools: list[str]) -> list[ToolRunner]:
    """The runners of these stages (and names, when given) that have something to scan in the target."""
    if Stage.DAST in stages and not target.url:
        raise ConfigError("the dast stage needs --target URL (a running application to scan)")
    check_tool_names(only_tools)
    with one_walk():  # the tree walked once for all the runners' questions
        return [runner for runner in tools.runners()
                if runner.stage in stages and (not only_tools or runner.name in only_tools) and runner.applies(target)]


def run_one(runner: ToolRunner, settings: ToolSettings, progress: Progress, on_finished: OnFinished | None = None,
            niceness: int = 0) -> ToolRun:
    progress.started(runner.name, runner.stage.value)
    # A runner reports NOT_INSTALLED / NOT_CONFIGURED itself, with the plain reason.
    with collecting_secrets() as secrets, process.niceness(niceness):
        run = runner.run(settings.target, settings.raw_dir, settings.policy.timeout(runner.name))
    if settings.mask_raw and secrets:
        mask_raw_reports(run, settings.raw_dir, secrets)
    progress.finished(run)
    if on_finished is not None:
        on_finished(run)
    return run


def run_static(runners: list[ToolRunner], settings: ToolSettings, progress: Progress,
               on_finished: OnFinished | None = None) -> list[ToolRun]:
    """The SCA, SAST and IaC runs, concurrently, in the runners' order; `on_finished(run)` as each
    one ends (in its thread)."""
    if not runners:
        return []
    waiting = sum(1 for runner in runners if runner.waits_on_network)
    # Two pools: a tool that waits on the network never holds one of the CPU-bound places, and
    # when it ends its thread is not free for a fifth CPU-bound tool (one shared pool of 4 + 1
    # let a CPU-bound tool take the finished network tool's thread).
    cpu_pool = ThreadPoolExecutor(max_workers=MAX_PARALLEL_TOOLS, thread_name_prefix="secpipe-tool")
    network_pool = ThreadPoolExecutor(max_workers=max(1, waiting), thread_name_prefix="secpipe-network-tool")
    pools = (cpu_pool, network_pool)
    try:
        # Costliest first, the others yielding the CPU to them (pipeline.tools.schedule);
        # the runs are still given back in the runners' order.
        started = {id(slot.runner): (network_pool if slot.runner.waits_on_network else cpu_pool).submit(
                       run_one, slot.runner, settings, progress, on_finished, slot.niceness)
                   for slot in schedule.plan(runners)}
        runs = [started[id(runner)].result() for runner in runners]
    except KeyboardInterrupt:
        # Ctrl-C reaches only secpipe (the scanners run in their own process groups, in
        # worker threads): stop them before the pools wait for their threads, so it is prompt.
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        process.stop_all()
        raise
    finally:
        for pool in pools:
            pool.shutdown(wait=True)
    return runs


def mask_raw_reports(run: ToolRun, raw_dir: Path, secrets: list[str]) -> None:
    """The secrets the parser masked in the findings, masked in the raw report(s) the tool wrote too."""
    reports = {run.report_path} if run.report_path else set()
    reports.update(p for p in raw_dir.glob(f"{run.tool}*") if p.is_file())  # pip-audit-1.json, ...
    for path in sorted(reports):
        mask_file(path, secrets)


class ToolRuns:
    """The tools of one scan: the static ones on a thread of their own from start() on; the DAST
    ones in wait(), one after another in the waiting thread (they drive one running application,
    and there Ctrl-C stops them as it always did).

    Use: runs = ToolRuns.start(...); later runs.wait(on_finished) -> every ToolRun; on any
    error before that, runs.stop()."""

    def __init__(self, runners: list[ToolRunner], settings: ToolSettings, progress: Progress):
        self.settings = settings
        self.started_at: datetime = utc_now()
        self._progress = progress
        self._static = [r for r in runners if r.stage is not Stage.DAST]
        self._dynamic = [r for r in runners if r.stage is Stage.DAST]
        self._lock = threading.Lock()
        self._finished: list[ToolRun] = []
        self._subscriber: OnFinished | None = None
        self._outcome: Future[list[ToolRun]] = Future()
        self._thread = threading.Thread(target=self._drive, name="secpipe-tools", daemon=True)

    @classmethod
    def start(cls, runners: list[ToolRunner], settings: ToolSettings, progress: Progress) -> ToolRuns:
        runs = cls(runners, settings, progress)
        settings.raw_dir.mkdir(parents=True, exist_ok=True)
        process.allow_new_processes()
        runs._thread.start()
        return runs

    def _drive(self) -> None:
        try:
            self._outcome.set_result(run_static(self._static, self.settings, self._progress, self._one_finished))
        except BaseException as exc:  # handed to wait(), in the thread that can act on it
            self._outcome.set_exception(exc)

    def _one_finished(self, run: ToolRun) -> None:
        with self._lock:
            self._finished.append(run)
            subscriber = self._subscriber
        if subscriber is not None:
            subscriber(run)

    def wait(self, on_finished: OnFinished | None = None) -> list[ToolRun]:
        """Every run, in the runners' order; `on_finished` gets the runs that already ended now,
        and each later one as it ends."""
        with self._lock:
            self._subscriber = on_finished
            already = list(self._finished)
        if on_finished is not None:
            for run in already:
                on_finished(run)
        try:
            runs = self._outcome.result()
        except KeyboardInterrupt:
            self.stop()
            raise
        return runs + [run_one(runner, self.settings, self._progress, on_finished) for runner in self._dynamic]

    def stop(self) -> None:
        """Ctrl-C or an error elsewhere: stop every scanner now and start no new one."""
        process.stop_all()
        self._thread.join(timeout=10)
