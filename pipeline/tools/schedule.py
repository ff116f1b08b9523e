"""In what order the static tools start and how they share the CPU.

On a machine with fewer cores than tools (a 2-core CodeBuild instance), the scheduler
decides the wall time: shared fairly, the costliest scanner gets a fraction of a core
while the small ones run and is then left alone at the end, one core idle. So the
costliest tools start first, and the others run at a higher niceness: they take what
the costlier ones leave (an idle core is never kept idle), and finish in the gaps. This
is longest-processing-time-first, with the kernel doing the packing. Tools that mostly
wait for a service come first and need no place among the CPU-bound ones
(pipeline.tool_runs.run_static gives them places of their own): their waiting must not
start late, and they run at secpipe's own priority.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.tools.base import ToolRunner

#: Niceness added per place in the order. Each step of one gives about 1.25x less CPU under
#: contention: 2 gives the next tool 0.64 of the share of the one before it, which on two
#: cores is enough for the costliest scanner to keep a core of its own.
NICENESS_STEP = 2
#: No deeper than this: niced scanners yield to whatever else the machine runs too, and at 6
#: one still gets a quarter of a fair share (at 19, 3 %).
MAX_NICENESS = 6


@dataclass(frozen=True)
class Slot:
    runner: ToolRunner
    niceness: int  # added to secpipe's own for the scanner processes of this tool


def plan(runners: Sequence[ToolRunner]) -> list[Slot]:
    """The runners in the order to start them: those that wait on the network, then the others
    costliest first (ties keep the given order). The CPU-bound ones that can run here (one that
    is not installed starts no process) are niced by their place in that order; a tool that
    waits on the network is not: its short bursts of work between replies are what its wall
    time hangs on, and they take little from the others."""
    by_cost = sorted(runners, key=lambda runner: -runner.typical_cpu_s)
    ranked = [runner for runner in by_cost if not runner.waits_on_network and runner.missing() is None]
    niceness = {id(runner): min(MAX_NICENESS, NICENESS_STEP * place) for place, runner in enumerate(ranked)}
    starting = sorted(by_cost, key=lambda runner: not runner.waits_on_network)
    return [Slot(runner, niceness.get(id(runner), 0)) for runner in starting]
