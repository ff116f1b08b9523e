"""The order the static tools start in and the niceness each one runs at."""
from __future__ import annotations

from pathlib import Path

from pipeline.stages import Stage
from pipeline.tools import registry, schedule
from pipeline.tools.base import ScanTarget, ToolRun, ToolRunner, ToolStatus


class Costing(ToolRunner):
    stage = Stage.SAST
    parser = "bandit"

    def __init__(self, name: str, cpu: float, network: bool = False, installed: bool = True):
        self.name = name
        self.typical_cpu_s = cpu
        self.waits_on_network = network
        self.installed = installed

    def missing(self) -> str | None:
        return None if self.installed else f"{self.name} is not installed"

    def applies(self, target: ScanTarget) -> bool:
        return True

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        return ToolRun(self.name, self.stage, ToolStatus.PASSED)


def test_costliest_first_each_later_one_nicer() -> None:
    slots = schedule.plan([Costing("bandit", 0.5), Costing("semgrep", 9), Costing("cfn-lint", 3.5)])
    assert [(s.runner.name, s.niceness) for s in slots] == [
        ("semgrep", 0), ("cfn-lint", schedule.NICENESS_STEP), ("bandit", 2 * schedule.NICENESS_STEP)]


def test_ties_keep_the_given_order_and_niceness_stops_at_the_maximum() -> None:
    many = [Costing(f"tool-{i}", 1.0) for i in range(12)]
    slots = schedule.plan(many)
    assert [s.runner.name for s in slots] == [r.name for r in many]
    assert slots[-1].niceness == schedule.MAX_NICENESS
    assert all(a.niceness <= b.niceness for a, b in zip(slots, slots[1:], strict=False))


def test_the_real_runners_put_the_heavy_scanners_before_the_light_ones() -> None:
    order = [s.runner.name for s in schedule.plan(registry.runners())]
    assert order.index("semgrep") < order.index("cfn-lint") < order.index("bandit")
    assert order.index("dependency-check") < order.index("semgrep"), "a JVM scanner of every dependency is costliest"


def test_tools_that_wait_on_the_network_start_first_at_secpipes_own_priority() -> None:
    slots = schedule.plan([Costing("semgrep", 9), Costing("pip-audit", 0.5, network=True), Costing("bandit", 1)])
    assert [(s.runner.name, s.niceness) for s in slots] == [
        ("pip-audit", 0), ("semgrep", 0), ("bandit", schedule.NICENESS_STEP)]


def test_a_tool_that_is_not_installed_takes_no_step() -> None:
    """It starts no process, so the tools that do run keep the lowest niceness values."""
    slots = schedule.plan([Costing("dependency-check", 30, installed=False), Costing("semgrep", 9),
                           Costing("bandit", 0.5)])
    assert [(s.runner.name, s.niceness) for s in slots] == [
        ("dependency-check", 0), ("semgrep", 0), ("bandit", schedule.NICENESS_STEP)]
