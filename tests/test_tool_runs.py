"""The tool runs start before the hub is opened: runs that end before anyone listens are handed
over on subscribing, DAST runs in the waiting thread, and stop() ends running scanners."""
from __future__ import annotations

import io
import sys
import threading
from pathlib import Path

from pipeline.policy import Policy
from pipeline.progress import PlainProgress
from pipeline.stages import Stage
from pipeline.tool_runs import ToolRuns, ToolSettings
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
from pipeline.tools.process import allow_new_processes, run_command
from tests.test_scan_flow import FakeRunner

WAIT_S = 60  # only a broken implementation ever waits this long


class Gated(FakeRunner):
    """Ends only once `gate` is set, and says when it has ended."""

    def __init__(self, name: str, stage: Stage = Stage.SAST, gate: threading.Event | None = None):
        super().__init__(name, stage)
        self.gate = gate
        self.ended = threading.Event()
        self.thread: str | None = None

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        self.thread = threading.current_thread().name
        if self.gate is not None:
            assert self.gate.wait(WAIT_S)
        run = super().run(target, raw_dir, timeout_s)
        self.ended.set()
        return run


class Sleeping(FakeRunner):
    """A real scanner process that says it has started, then would run for a minute."""

    def __init__(self, name: str, started: Path):
        super().__init__(name, Stage.SAST)
        self.started = started

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        script = f"import time; open({str(self.started)!r}, 'w').close(); time.sleep(60)"
        result = run_command([sys.executable, "-c", script], timeout_s=120)
        return ToolRun(self.name, self.stage, ToolStatus.PASSED if result.returncode == 0 else ToolStatus.ERROR)


def settings(tmp_path: Path) -> ToolSettings:
    return ToolSettings(target=ScanTarget(path=tmp_path, url="http://127.0.0.1:1/"), raw_dir=tmp_path / "raw",
                        policy=Policy())


def test_a_run_that_ended_before_anyone_listened_is_handed_over_once(tmp_path: Path) -> None:
    release = threading.Event()
    early, late = Gated("early"), Gated("late", gate=release)
    runs = ToolRuns.start([early, late], settings(tmp_path), PlainProgress(io.StringIO()))
    assert early.ended.wait(WAIT_S)
    heard: list[str] = []

    def listen(run: ToolRun) -> None:
        heard.append(run.tool)
        release.set()  # the late one ends only after the early one was handed over

    done = runs.wait(on_finished=listen)
    assert heard == ["early", "late"]
    assert [run.tool for run in done] == ["early", "late"]


def test_dast_runs_in_the_waiting_thread_after_the_static_tools(tmp_path: Path) -> None:
    static, dynamic = Gated("bandit"), Gated("zap", stage=Stage.DAST)
    runs = ToolRuns.start([static, dynamic], settings(tmp_path), PlainProgress(io.StringIO()))
    done = runs.wait()
    assert [run.tool for run in done] == ["bandit", "zap"]
    assert dynamic.thread == threading.current_thread().name != static.thread


def test_stop_ends_the_running_scanners(tmp_path: Path) -> None:
    """An error while opening the hub must not leave the scanners running (commands/scan.py stops them)."""
    started = tmp_path / "started"
    runs = ToolRuns.start([Sleeping("slow", started)], settings(tmp_path), PlainProgress(io.StringIO()))
    for _ in range(1200):
        if started.exists():
            break
        threading.Event().wait(0.05)
    assert started.exists(), "the scanner never started"
    try:
        runs.stop()
        [run] = runs.wait()
    finally:
        allow_new_processes()  # stop() refuses every later scanner of this process: the other tests' too
    assert run.status is ToolStatus.ERROR, "the scanner was killed, not left to sleep out its minute"
