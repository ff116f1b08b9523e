"""`secpipe publish` as users run it, into the local hub, on large generated reports.

    python3 benchmarks/publish.py [--sarif-results 100000] [--dc-vulnerabilities 20000] [--modes noquota,quota]

Generates a SARIF 2.1.0 report and an OWASP Dependency-Check report, turns each into a
findings file with `secpipe parse` (not timed), then:

1. runs the real CLI, `python -m pipeline.cli publish --hub local --db NEW.sqlite3 FILE`,
   with Python's default buffering and with PYTHONUNBUFFERED=1, and prints the child's wall
   time, user and system CPU seconds and peak RSS from the kernel (os.wait4), findings per
   CPU second, and lost findings (sent but not accepted, or missing from the database: both
   must be 0). The local hub runs inside that process (secpipe's calls go straight to its
   API, pipeline.hub.direct_client), so its work is in the figures. With --modes quota the
   Security Hub quota is emulated (a ceiling of 1,000 findings/s);
2. as a second table, the in-process phases: loading and checking FILE, and the import.

Targets: >= 10,000 findings per CPU second, <= 400 MiB peak. Printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import resource
import sqlite3
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
CONTEXT_ARGS = ("--account", "123456789012", "--region", "us-east-1", "--repo", "bench", "--branch", "main")


def stored_count(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT COUNT(*) FROM findings").fetchone()[0]


def published_counts(stdout: Path) -> dict[str, int]:
    """sent=, accepted=, ... from the summary line `secpipe publish` prints."""
    line = stdout.read_text().strip().splitlines()[-1]
    return {key: int(value) for key, value in (part.split("=") for part in line.split() if "=" in part)}


def findings_files(reports: dict[str, Path], folder: Path) -> dict[str, Path]:
    files = {}
    for tool, report in reports.items():
        out = folder / f"{tool}.asff.json"
        run_measured(secpipe_command("parse", "--tool", tool, str(report), *CONTEXT_ARGS), stdout=out)
        files[tool] = out
    return files


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def whole_process_table(files: dict[str, Path], folder: Path, modes: list[str]) -> None:
    print("whole process: secpipe publish --hub local FILE (the hub in the same process; CPU and peak RSS "
          "from the kernel)")
    print(f"{'findings file':<18}{'mode':<9}{'environment':<21}{'findings':>9}{'MB':>7}{'wall s':>8}{'user s':>8}"
          f"{'sys s':>7}{'per CPU s':>11}{'peak MiB':>10}{'lost':>6}  targets (>= {TARGET_PER_CPU_SECOND:,}/CPU s, "
          f"<= {TARGET_PEAK_MIB} MiB)")
    for tool, path in files.items():
        for mode in modes:
            for name, env in ENVIRONMENTS.items():
                db = folder / f"hub-{tool}-{mode}-{len(name)}.sqlite3"
                summary = folder / "publish.out"
                args = ["publish", "--hub", "local", "--db", str(db), str(path)] + (["--quota"] if mode == "quota" else [])
                cost = run_measured(secpipe_command(*args), stdout=summary, extra_env=env)
                counts = published_counts(summary)
                lost = counts["sent"] - counts["accepted"] + counts["sent"] - stored_count(db)
                rate = counts["accepted"] / cost.cpu if cost.cpu else float("inf")
                print(f"{tool:<18}{mode:<9}{name:<21}{counts['accepted']:>9}{path.stat().st_size / 1e6:>7.1f}"
                      f"{cost.wall:>8.2f}{cost.user:>8.2f}{cost.system:>7.2f}{rate:>11,.0f}{cost.peak_rss_mib:>10.0f}"
                      f"{lost:>6}  {verdict(rate >= TARGET_PER_CPU_SECOND)}, "
                      f"{verdict(cost.peak_rss_mib <= TARGET_PEAK_MIB)}", flush=True)


def measure(path: Path) -> dict[str, float]:
    """Runs in a child: load + check FILE, then import it into a fresh in-process local hub, as
    `secpipe publish` does (the collector paused, scopes read from the findings' summaries)."""
    sys.path.insert(0, str(PROJECT))
    from pipeline.gc_pause import paused_gc
    from pipeline.sinks import registry
    from pipeline.sinks.asff_file import load_asff_file
    from pipeline.sinks.connection import HubOptions
    from pipeline.sinks.finding_summary import summaries_of
    from pipeline.sinks.scopes import derive_scopes

    with paused_gc():
        cpu0 = time.process_time()  # every thread of this process
        findings = load_asff_file(str(path)).findings
        cpu1 = time.process_time()
        summaries = summaries_of(findings)
        with tempfile.TemporaryDirectory(prefix="secpipe-bench-") as folder:
            options = HubOptions(db_path=Path(folder) / "hub.sqlite3", product_arn=summaries[0]["ProductArn"])
            with registry.open_sink("local", options) as sink:
                cpu2 = time.process_time()
                result = sink.publish(findings, derive_scopes(summaries, complete=False))
                cpu3 = time.process_time()
    return {"findings": len(findings), "load": cpu1 - cpu0, "start_hub": cpu2 - cpu1, "import": cpu3 - cpu2,
            "accepted": result.accepted, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def phase_table(files: dict[str, Path]) -> None:
    print("in-process phases (CPU seconds of all threads): where a publish spends its time")
    print(f"{'findings file':<18}{'findings':>9}{'load+check':>12}{'start hub':>11}{'import':>9}{'per CPU s':>11}"
          f"{'peak RSS MB':>13}")
    for tool, path in files.items():
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                             check=True, cwd=PROJECT)
        r = json.loads(out.stdout)
        cpu = r["load"] + r["start_hub"] + r["import"]
        print(f"{tool:<18}{r['findings']:>9}{r['load']:>12.2f}{r['start_hub']:>11.2f}{r['import']:>9.2f}"
              f"{r['accepted'] / cpu:>11,.0f}{r['peak_rss_mb']:>13.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sarif-results", type=int, default=100_000)
    parser.add_argument("--dc-vulnerabilities", type=int, default=20_000)
    parser.add_argument("--modes", default="noquota", help="comma-separated: noquota, quota")
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child))))
        return
    with tempfile.TemporaryDirectory(prefix="secpipe-bench-") as tmp:
        folder = Path(tmp)
        files = findings_files(write_reports_in_child(folder, args.sarif_results, args.dc_vulnerabilities), folder)
        whole_process_table(files, folder, args.modes.split(","))
        print()
        phase_table(files)


if __name__ == "__main__":
    main()
