"""The scan flow with fake runners: selection, concurrency, suppression, publish scopes, outputs.

Real scanners are exercised in tests/e2e and tests/tools; here the orchestration
itself is pinned down without them.
"""
from __future__ import annotations

import io
import json
import os
import re
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from pipeline.context import ScanContext
from pipeline.errors import ConfigError
from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.policy import Policy, parse_policy
from pipeline.progress import LiveProgress, PlainProgress, choose_progress
from pipeline.scan import ScanRequest, scan, scopes_of, select_runners
from pipeline.sinks.base import FailedFinding, PublishResult, Scope, Sink
from pipeline.stages import Stage
from pipeline.tools import registry
from pipeline.tools.base import ScanTarget, ToolRun, ToolRunner, ToolStatus
from pipeline.tools.process import run_command


class FakeRunner(ToolRunner):
    parser = "bandit"

    def __init__(self, name: str, stage: Stage, status: ToolStatus = ToolStatus.FINDINGS,
                 findings: list[Finding] | None = None, applies: bool = True, delay: float = 0.0):
        self.name, self.stage, self.status = name, stage, status
        self.findings = findings or []
        self._applies, self.delay = applies, delay
        self.started_at: float | None = None
        self.ended_at: float | None = None

    def missing(self) -> str | None:
        return None

    def applies(self, target: ScanTarget) -> bool:
        return self._applies

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        self.started_at = time.monotonic()
        time.sleep(self.delay)
        (raw_dir / f"{self.name}.json").write_text("{}")
        self.ended_at = time.monotonic()
        return ToolRun(self.name, self.stage, self.status, findings=list(self.findings),
                       report_path=raw_dir / f"{self.name}.json")


class RecordingSink(Sink):
    name = "recording"

    def __init__(self, fail_ids: set[str] | None = None):
        self.calls: list[tuple[list[dict], list[Scope]]] = []
        self.fail_ids = fail_ids or set()

    def publish(self, findings, scopes):
        self.calls.append((findings, scopes))
        failed = [FailedFinding(f["Id"], "InvalidInput", "refused") for f in findings if f["Id"] in self.fail_ids]
        return PublishResult(sent=len(findings), accepted=len(findings) - len(failed), failed=failed)


def finding(tool: str, rule: str, severity: Severity, path: str = "app.py") -> Finding:
    return Finding(tool, rule, f"{rule} issue", severity, Category.SAST, code_locations=[CodeLocation(path, 3)])


@pytest.fixture
def runners(monkeypatch):
    installed: list[FakeRunner] = []
    monkeypatch.setattr(registry, "runners", lambda: list(installed))
    return installed


def request(tmp_path: Path, stages=(Stage.SAST, Stage.IAC), policy: Policy | None = None, sink=None, url=None):
    return ScanRequest(target=ScanTarget(path=tmp_path, url=url), stages=list(stages), out_dir=tmp_path / "out",
                       policy=policy or Policy(), context=ScanContext(repo="r", branch="main"), sink=sink,
                       today=date(2026, 11, 27))


def fake_reports(result, out_dir: Path) -> dict[str, Path]:
    path = out_dir / "report.txt"
    path.write_text(f"{len(result.findings)} findings")
    return {"report": path}


def test_selects_by_stage_applicability_and_name(runners, tmp_path) -> None:
    runners += [FakeRunner("a", Stage.SAST), FakeRunner("b", Stage.SCA), FakeRunner("c", Stage.IAC, applies=False),
                FakeRunner("d", Stage.IAC)]
    assert [r.name for r in select_runners(request(tmp_path))] == ["a", "d"]
    only = request(tmp_path)
    only.only_tools = ["d"]
    assert [r.name for r in select_runners(only)] == ["d"]


def test_dast_needs_a_target(runners, tmp_path) -> None:
    with pytest.raises(ConfigError, match="needs --target"):
        select_runners(request(tmp_path, stages=[Stage.DAST]))


def test_static_tools_run_concurrently(runners, tmp_path) -> None:
    runners += [FakeRunner(name, Stage.SAST, delay=0.5) for name in ("a", "b", "c")]
    scan(request(tmp_path), PlainProgress(io.StringIO()), fake_reports)
    starts = [r.started_at for r in runners]
    ends = [r.ended_at for r in runners]
    assert max(starts) < min(ends), "all three were running at the same moment"


class NicenessReporting(FakeRunner):
    """Starts a real process, which says the niceness it runs at."""

    def __init__(self, name: str, cpu: float):
        super().__init__(name, Stage.SAST, delay=0.2)
        self.typical_cpu_s = cpu
        self.niceness: int | None = None

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        started = time.monotonic()
        said = run_command([sys.executable, "-c", "import os; print(os.nice(0))"], timeout_s=30)
        self.niceness = int(said.stdout)
        run = super().run(target, raw_dir, timeout_s)
        self.started_at = started  # when the runner began, not when its process ended
        return run


@pytest.mark.skipif(os.nice(0) > 10, reason="this process is already too nice for the steps to show")
def test_costliest_tools_start_first_and_the_others_run_nicer(runners, tmp_path) -> None:
    costs = {"light": 0.5, "heavy": 9.0, "middle": 3.0, "small": 1.0, "big": 5.0}
    runners += [NicenessReporting(name, cpu) for name, cpu in costs.items()]
    outcome = scan(request(tmp_path), PlainProgress(io.StringIO()), fake_reports)
    assert [run.tool for run in outcome.result.runs] == list(costs), "runs are reported in the runners' order"
    by_name = {r.name: r for r in runners}
    assert by_name["heavy"].niceness == os.nice(0)
    ranked = sorted(costs, key=costs.get, reverse=True)
    assert [by_name[name].niceness for name in ranked] == sorted(by_name[name].niceness for name in ranked)
    assert by_name["light"].niceness > by_name["heavy"].niceness
    # Five tools, four at a time: the cheapest waits for a place.
    light = by_name["light"]
    assert light.started_at >= min(r.ended_at for r in runners if r is not light)


def test_a_tool_that_waits_on_the_network_does_not_wait_for_a_place(runners, tmp_path) -> None:
    cpu_bound = [NicenessReporting(f"cpu-{n}", 5.0) for n in range(5)]
    waiting = NicenessReporting("audit", 0.5)
    waiting.waits_on_network = True
    waiting.delay = 0.0  # done long before the others: its thread must not become a fifth CPU-bound place
    runners += [*cpu_bound, waiting]
    scan(request(tmp_path), PlainProgress(io.StringIO()), fake_reports)
    assert waiting.started_at < min(r.ended_at for r in cpu_bound), "it started before any CPU-bound tool ended"
    assert max(r.started_at for r in cpu_bound) >= min(r.ended_at for r in cpu_bound), "the fifth waited"


def test_outputs_gate_and_publish_scopes(runners, tmp_path) -> None:
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B602", Severity.HIGH)]),
                FakeRunner("pip-audit", Stage.SCA, status=ToolStatus.INCOMPLETE),
                FakeRunner("zap", Stage.DAST, status=ToolStatus.NOT_INSTALLED)]
    sink = RecordingSink()
    outcome = scan(request(tmp_path, stages=[Stage.SAST, Stage.SCA, Stage.DAST], sink=sink, url="http://127.0.0.1:1/"),
                   PlainProgress(io.StringIO()), fake_reports)
    out = tmp_path / "out"
    asff = json.loads((out / "findings.asff.json").read_text())
    assert [f["GeneratorId"] for f in asff] == ["bandit/B602"]
    assert json.loads((out / "summary.json").read_text())["gate"]["passed"] is False
    assert (out / "report.txt").read_text() == "1 findings"
    # One publish per tool that ran, each with its own findings and scope (tests/test_tool_publisher.py).
    published = [f for findings, _ in sink.calls for f in findings]
    scopes = [s for _, call_scopes in sink.calls for s in call_scopes]
    assert [f["Id"] for f in published] == [f["Id"] for f in asff]
    assert {(s.tool, s.complete) for s in scopes} == {("bandit", True), ("pip-audit", False)}, \
        "a tool that did not run has no scope; an incomplete one never archives"
    assert outcome.exit_code == 1


def test_policy_suppression_reaches_the_asff(runners, tmp_path) -> None:
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B101", Severity.HIGH, "tests/t.py")])]
    policy = parse_policy({"suppress": [{"rule": "B101", "path": "tests/**", "reason": "pytest", "expires": date(2027, 1, 1)}]})
    outcome = scan(request(tmp_path, policy=policy), PlainProgress(io.StringIO()), fake_reports)
    [asff] = outcome.result.asff
    assert asff["ProductFields"]["secpipe/suppressed"] == "true"
    assert "pytest" in asff["ProductFields"]["secpipe/suppression-reason"]
    assert outcome.exit_code == 0


def test_a_finding_the_hub_refused_fails_the_run(runners, tmp_path) -> None:
    runners += [FakeRunner("bandit", Stage.SAST, findings=[finding("bandit", "B101", Severity.LOW)])]
    first = scan(request(tmp_path, sink=RecordingSink()), PlainProgress(io.StringIO()), fake_reports)
    assert first.exit_code == 0
    refused = first.result.asff[0]["Id"]
    outcome = scan(request(tmp_path, sink=RecordingSink({refused})), PlainProgress(io.StringIO()), fake_reports)
    assert outcome.exit_code == 1
    assert any(refused in reason for reason in outcome.result.gate.reasons)


def test_scopes_skip_tools_that_did_not_run() -> None:
    runs = [ToolRun("a", Stage.SAST, ToolStatus.PASSED), ToolRun("b", Stage.SAST, ToolStatus.NOT_CONFIGURED),
            ToolRun("c", Stage.SAST, ToolStatus.ERROR)]
    assert scopes_of(runs, ScanContext(repo="r", branch="b")) == [Scope("r", "b", "a", True), Scope("r", "b", "c", False)]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_plain_in_ci_and_live_on_a_terminal(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert isinstance(choose_progress(io.StringIO()), PlainProgress)
    live = choose_progress(_Tty())
    assert isinstance(live, LiveProgress)
    live.close()
    monkeypatch.setenv("CI", "true")
    assert isinstance(choose_progress(_Tty()), PlainProgress)


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_live_progress_redraws_in_place() -> None:
    stream = _Tty()
    progress = LiveProgress(stream)
    progress.started("semgrep", "sast")
    progress.finished(ToolRun("semgrep", Stage.SAST, ToolStatus.FINDINGS, findings=[finding("semgrep", "r", Severity.LOW)]))
    progress.close()
    text = stream.getvalue()
    assert "\x1b[2K" in text, "later frames erase and redraw the previous one"
    assert _ANSI.sub("", text).rstrip().endswith("[sast] semgrep: 1 finding (0.0s)")


def test_live_progress_lines_never_wrap() -> None:
    """A wrapped line would leave the cursor short of the frame's top, repeating lines on every redraw."""
    stream = _Tty()
    progress = LiveProgress(stream, width=40)
    for tool in ("semgrep", "bandit", "checkov"):
        progress.started(tool, "sast")
    progress.note("importing 3 finding(s) into the local hub at http://127.0.0.1:41234/a/rather/long/path")
    progress.finished(ToolRun("bandit", Stage.SAST, ToolStatus.INCOMPLETE, detail="could not read " + "x" * 200))
    progress.close()
    lines = [line for chunk in _ANSI.sub("\n", stream.getvalue()).split("\r") for line in chunk.split("\n")]
    assert lines and max(len(line) for line in lines) <= 40
    assert any(line.startswith("[sast] bandit: incomplete") for line in lines)


def test_plain_progress_lines() -> None:
    stream = io.StringIO()
    progress = PlainProgress(stream)
    progress.started("pip-audit", "sca")
    progress.finished(ToolRun("pip-audit", Stage.SCA, ToolStatus.INCOMPLETE, detail="5 dependencies not audited"))
    assert stream.getvalue().splitlines() == [
        "secpipe: [sca] pip-audit: running",
        "secpipe: [sca] pip-audit: incomplete (0.0s) - 5 dependencies not audited",
    ]


def test_reports_are_prepared_on_another_thread_before_they_are_written(runners, tmp_path) -> None:
    runners += [FakeRunner("bandit", Stage.SAST, delay=0.1)]
    events: list[tuple[str, str]] = []

    def prepare() -> None:
        events.append(("prepare", threading.current_thread().name))

    def write(result, out_dir: Path) -> dict[str, Path]:
        events.append(("write", threading.current_thread().name))
        return fake_reports(result, out_dir)

    scan(request(tmp_path), PlainProgress(io.StringIO()), write, prepare)
    assert [what for what, _ in events] == ["prepare", "write"]
    assert events[0][1] != events[1][1] == threading.current_thread().name


def test_a_failure_preparing_the_reports_is_raised_where_they_are_written(runners, tmp_path) -> None:
    runners += [FakeRunner("bandit", Stage.SAST)]

    def broken() -> None:
        raise RuntimeError("template syntax error")

    with pytest.raises(RuntimeError, match="template syntax error"):
        scan(request(tmp_path), PlainProgress(io.StringIO()), fake_reports, broken)


def test_held_progress_shows_nothing_until_released_then_everything_in_order() -> None:
    from pipeline.progress import HeldProgress

    stream = io.StringIO()
    held = HeldProgress(PlainProgress(stream))
    held.started("bandit", "sast")
    held.note("reading the hub")
    assert stream.getvalue() == ""
    held.release()
    held.finished(ToolRun("bandit", Stage.SAST, ToolStatus.PASSED))
    assert [line.split(": ", 1)[1] for line in stream.getvalue().splitlines()] == [
        "[sast] bandit: running", "reading the hub", "[sast] bandit: passed (0.0s)"]


def test_held_progress_never_released_says_nothing() -> None:
    from pipeline.progress import HeldProgress

    stream = io.StringIO()
    held = HeldProgress(PlainProgress(stream))
    held.started("bandit", "sast")
    held.close()
    assert stream.getvalue() == ""
