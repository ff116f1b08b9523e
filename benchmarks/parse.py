"""`secpipe parse` as users run it, on large generated reports.

    python3 benchmarks/parse.py [--sarif-results 100000] [--dc-vulnerabilities 20000]

Generates, in a temporary directory, a SARIF 2.1.0 report and an OWASP
Dependency-Check JSON report, then:

0. times the start-up: `secpipe --help` and a parse of a report with no findings (target
   under 0.25 s);
1. runs the real CLI, `python -m pipeline.cli parse --tool TOOL REPORT > out.json`,
   once with Python's default buffering and once with PYTHONUNBUFFERED=1 (as many CI
   and container images set it), and prints for each the child's wall time, its user
   and system CPU seconds and peak RSS as the kernel reports them (os.wait4), and
   findings per CPU second; the targets are >= 10,000 findings per CPU second and
   <= 400 MiB peak;
2. as a second table, the in-process phases (parse, ASFF, validation, writing) in a
   fresh child, which say where a whole process's time goes.

Figures are printed, never asserted: timing belongs here, not in tests.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from child_process import ENVIRONMENTS, PROJECT, run_measured, secpipe_command  # noqa: E402
from generated_reports import write_reports_in_child  # noqa: E402

TARGET_PER_CPU_SECOND = 10_000
TARGET_PEAK_MIB = 400
BATCH = 100
CONTEXT_ARGS = ("--account", "123456789012", "--region", "eu-west-1", "--repo", "bench", "--branch", "main",
                "--commit", "0" * 40)


def count_items(path: Path) -> int:
    """Items of the indented JSON array in `path`: each one opens a line with exactly two spaces."""
    count = 0
    tail = b"\n"  # so an item that starts the file's second line is seen
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 24):
            count += (tail + chunk).count(b"\n  {")
            tail = chunk[-4:]
    return count


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


TARGET_START_UP_S = 0.25
START_UP_RUNS = 7


def start_up_table(folder: Path) -> None:
    """`secpipe --help` and a parse of a report with no findings: the cost of starting at all."""
    empty = folder / "empty.sarif"
    empty.write_text('{"version": "2.1.0", "runs": []}')
    print(f"start-up (median of {START_UP_RUNS} runs; target < {TARGET_START_UP_S} s wall)")
    print(f"{'command':<34}{'wall s':>8}{'CPU s':>8}{'peak MiB':>10}")
    for label, args in (("secpipe --help", ("--help",)), ("secpipe parse (empty report)", ("parse", "--tool", "sarif",
                                                                                         str(empty)))):
        costs = sorted((run_measured(secpipe_command(*args)) for _ in range(START_UP_RUNS)), key=lambda c: c.wall)
        median = costs[len(costs) // 2]
        print(f"{label:<34}{median.wall:>8.3f}{median.cpu:>8.3f}{median.peak_rss_mib:>10.0f}  "
              f"{verdict(median.wall < TARGET_START_UP_S)}", flush=True)


def whole_process_table(reports: dict[str, Path], folder: Path) -> None:
    print("whole process: secpipe parse --tool TOOL REPORT > out.json (CPU and peak RSS from the kernel)")
    print(f"{'report':<18}{'environment':<21}{'findings':>9}{'in MB':>7}{'out MB':>8}{'wall s':>8}{'user s':>8}"
          f"{'sys s':>7}{'per CPU s':>11}{'peak MiB':>10}  targets (>= {TARGET_PER_CPU_SECOND:,}/CPU s, "
          f"<= {TARGET_PEAK_MIB} MiB)")
    for tool, path in reports.items():
        for name, env in ENVIRONMENTS.items():
            out = folder / f"{tool}.asff.json"
            cost = run_measured(secpipe_command("parse", "--tool", tool, str(path), *CONTEXT_ARGS), stdout=out,
                                extra_env=env)
            findings = count_items(out)
            rate = findings / cost.cpu if cost.cpu else float("inf")
            print(f"{tool:<18}{name:<21}{findings:>9}{path.stat().st_size / 1e6:>7.1f}{out.stat().st_size / 1e6:>8.1f}"
                  f"{cost.wall:>8.2f}{cost.user:>8.2f}{cost.system:>7.2f}{rate:>11,.0f}{cost.peak_rss_mib:>10.0f}  "
                  f"{verdict(rate >= TARGET_PER_CPU_SECOND)}, {verdict(cost.peak_rss_mib <= TARGET_PEAK_MIB)}",
                  flush=True)
            out.unlink()


def measure(tool: str, path: Path) -> dict:
    """Runs in the child: parse, ASFF, validation and writing, each timed; peak RSS of this process."""
    sys.path.insert(0, str(PROJECT))
    from parsers import registry
    from pipeline import jsonout
    from pipeline.asff import to_asff_with_size_bound
    from pipeline.asff_validation import validate
    from pipeline.context import ScanContext
    from pipeline.gc_pause import paused_gc

    context = ScanContext(account="123456789012", region="eu-west-1", repo="bench", branch="main", commit="0" * 40)
    size = path.stat().st_size
    cpu_start = time.process_time()
    start = time.perf_counter()
    # The bytes are handed over, as `secpipe parse` does: the ASFF phase runs with only the findings alive.
    findings = registry.parse_report(tool, path.read_bytes(), path.name)
    parsed = time.process_time()
    # ASFF is built, validated and let go 100 findings at a time, as a streaming
    # sink would: the peak memory is the report and its Findings, not 100,000 ASFF
    # dicts. Timing a batch rather than each finding keeps the clock's own cost
    # (a system call per reading) out of the figures.
    # Each batch is written as its own indented array to a file, as `secpipe parse` streams its
    # output (the same encoding and writes, but for the brackets between batches).
    building = validating = writing = 0.0
    with paused_gc(), open(path.with_suffix(".phases.json"), "wb") as out:  # as pipeline.convert runs them
        for first in range(0, len(findings), BATCH):
            t0 = time.process_time()
            # As pipeline.convert.iter_validated_asff: the size bound to_asff took is the validator's.
            sized = [to_asff_with_size_bound(finding, context) for finding in findings[first:first + BATCH]]
            t1 = time.process_time()
            batch = [validate(asff, bound) for asff, bound in sized]
            t2 = time.process_time()
            jsonout.write_array(batch, out)
            writing += time.process_time() - t2
            validating += t2 - t1
            building += t1 - t0
    path.with_suffix(".phases.json").unlink()
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {"cpu": cpu,
        "tool": tool, "bytes": size, "findings": len(findings),
        "parse": parsed - cpu_start, "asff": building, "validate": validating, "write": writing, "total": total,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(tool: str, path: Path) -> dict:
    # A fresh process per report: its peak RSS belongs to that report alone.
    out = subprocess.run([sys.executable, __file__, "--child", tool, str(path)], capture_output=True, text=True,
                         check=True, cwd=PROJECT)
    return json.loads(out.stdout)


def phase_table(reports: dict[str, Path]) -> None:
    print("in-process phases (CPU seconds, and us per finding; output written to a file): where a parse "
          "spends its time")
    print(f"{'report':<18}{'findings':>9}{'MB':>7}{'parse':>9}{'asff':>8}{'valid.':>9}{'write':>8}{'wall s':>9}"
          f"{'CPU s':>8}{'per CPU s':>11}{'peak RSS MB':>13}   us/finding: parse  asff valid. write")
    for tool, path in reports.items():
        r = run_child(tool, path)
        cpu_rate = r["findings"] / r["cpu"] if r["cpu"] else float("inf")
        per_finding = "".join(f"{_per_finding_us(r[phase], r['findings']):>6.1f}"
                              for phase in ("parse", "asff", "validate", "write"))
        print(f"{tool:<18}{r['findings']:>9}{r['bytes'] / 1e6:>7.1f}{r['parse']:>9.2f}{r['asff']:>8.2f}"
              f"{r['validate']:>9.2f}{r['write']:>8.2f}{r['total']:>9.2f}{r['cpu']:>8.2f}{cpu_rate:>11,.0f}"
              f"{r['peak_rss_mb']:>13.0f}              {per_finding}", flush=True)


def _per_finding_us(cpu_seconds: float, findings: int) -> float:
    """A phase's CPU per finding (for parse: report -> Findings, decoding included)."""
    return cpu_seconds / findings * 1e6 if findings else 0.0


def native_state() -> str:
    """Whether the CLI children run the compiled hot path: the figures differ by about half."""
    done = subprocess.run([sys.executable, "-m", "pipeline.native_build", "status"], capture_output=True, text=True,
                          cwd=PROJECT, check=False)
    return done.stdout.strip() or done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sarif-results", type=int, default=100_000)
    parser.add_argument("--dc-vulnerabilities", type=int, default=20_000)
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]))))
        return
    print(f"hot modules compiled with mypyc (pipeline.native): {native_state()}\n")
    with tempfile.TemporaryDirectory(prefix="secpipe-bench-") as tmp:
        start_up_table(Path(tmp))
        print()
        reports = write_reports_in_child(Path(tmp), args.sarif_results, args.dc_vulnerabilities)
        whole_process_table(reports, Path(tmp))
        print()
        phase_table(reports)


if __name__ == "__main__":
    main()
