"""Time one real `secpipe` process as a user runs it: CPU from the kernel, peak memory.

os.wait4 returns the resource usage of exactly that child (user and system CPU
seconds, maximum resident set size), so nothing of the benchmark's own process or
of other children is counted. A shared machine makes wall time include waiting for a
core; CPU seconds do not, which is why the targets are per CPU second.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

#: The two environments the goals name: Python's default buffering, and unbuffered
#: standard streams as many CI and container images set them.
ENVIRONMENTS: dict[str, dict[str, str]] = {"buffered": {}, "PYTHONUNBUFFERED=1": {"PYTHONUNBUFFERED": "1"}}


@dataclass(frozen=True)
class ProcessCost:
    wall: float
    user: float
    system: float
    peak_rss_mib: float
    exit_code: int

    @property
    def cpu(self) -> float:
        return self.user + self.system


def secpipe_command(*args: str) -> list[str]:
    """The CLI as `secpipe ARGS` runs it, through this interpreter (no PATH needed)."""
    return [sys.executable, "-m", "pipeline.cli", *args]


def run_measured(command: Sequence[str], stdout: Path | None = None, stdin: Path | None = None,
                 extra_env: Mapping[str, str] | None = None) -> ProcessCost:
    """Runs `command` to the end, its stdout to a file (or discarded), and returns what it cost."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env.update(extra_env or {})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), env.get("PYTHONPATH")]))
    out = open(stdout, "wb") if stdout is not None else open(os.devnull, "wb")
    source = open(stdin, "rb") if stdin is not None else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        child = subprocess.Popen(list(command), stdout=out, stdin=source, stderr=subprocess.PIPE, env=env, cwd=PROJECT)
        assert child.stderr is not None
        errors = child.stderr.read()  # read before waiting: a full pipe would block the child
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait for it again
    finally:
        out.close()
        if stdin is not None:
            source.close()  # type: ignore[union-attr]
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}): {errors.decode(errors='replace')[-2000:]}")
    # ru_maxrss is in KiB on Linux.
    return ProcessCost(wall=wall, user=usage.ru_utime, system=usage.ru_stime, peak_rss_mib=usage.ru_maxrss / 1024,
                       exit_code=child.returncode)
