"""Publish 50,000 findings into the local hub, with the Security Hub quota emulated and without.

    python3 benchmarks/publish.py [--count 50000] [--modes quota,noquota]

Goes through the same path as `secpipe publish --hub local [--quota]`: the hub is
started in-process on a free loopback port and the Security Hub sink talks to it
through boto3. Prints findings/s, requests, throttles and lost findings (sent
but not accepted, and missing from the database afterwards; both must be 0).
With the quota on, the ceiling is 1,000 findings/s (100 per request x 10 req/s).
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.asff import to_asff  # noqa: E402
from pipeline.asff_validation import validate  # noqa: E402
from pipeline.context import ScanContext  # noqa: E402
from pipeline.finding import Category, CodeLocation, Finding, Severity  # noqa: E402
from pipeline.sinks import registry  # noqa: E402
from pipeline.sinks.base import Scope  # noqa: E402
from pipeline.sinks.connection import HubOptions  # noqa: E402

CONTEXT = ScanContext(account="123456789012", region="us-east-1", repo="bench", branch="main", commit="0" * 40)
VALIDATED_SAMPLE = 500  # every finding comes from to_asff; validating all 50,000 would dominate the run


def make_findings(count: int) -> list[dict]:
    severities = list(Severity)
    findings = []
    for index in range(count):
        finding = Finding(
            tool="bandit", rule_id=f"B{100 + index % 50}", title=f"Benchmark finding {index}",
            severity=severities[index % len(severities)], category=Category.SAST,
            description=f"Synthetic finding {index} for the publish benchmark. " * 4,
            native_severity="MEDIUM", cwes=[78], code_locations=[CodeLocation(
                path=f"src/module_{index // 100}/file_{index}.py", start_line=index % 500 + 1,
                snippet=f"subprocess.call(cmd_{index}, shell=True)")],
            remediation="Do not pass untrusted input to a shell.",
        )
        asff = to_asff(finding, CONTEXT)
        if index < VALIDATED_SAMPLE:
            validate(asff)
        findings.append(asff)
    return findings


def stored_count(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT COUNT(*) FROM findings").fetchone()[0]


def run(findings: list[dict], quota: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="secpipe-bench-") as folder:
        db = Path(folder) / "hub.sqlite3"
        options = HubOptions(db_path=db, product_arn=CONTEXT.default_product_arn, quota=quota)
        with registry.open_sink("local", options) as sink:
            started = time.perf_counter()
            result = sink.publish(findings, [Scope("bench", "main", "bandit", complete=False)])
            elapsed = time.perf_counter() - started
        in_db = stored_count(db)
    ids = {f["Id"] for f in findings}
    return {"seconds": elapsed, "per_second": result.accepted / elapsed, "sent": result.sent,
            "accepted": result.accepted, "failed": len(result.failed), "requests": result.requests,
            "throttles": result.throttles, "lost": (result.sent - result.accepted) + (len(ids) - in_db)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--modes", default="quota,noquota")
    args = parser.parse_args()
    started = time.perf_counter()
    findings = make_findings(args.count)
    print(f"built {len(findings)} ASFF findings in {time.perf_counter() - started:.1f}s", flush=True)
    worst_lost = 0
    for mode in args.modes.split(","):
        figures = run(findings, quota=mode == "quota")
        worst_lost = max(worst_lost, int(figures["lost"]))
        print(f"{mode:8s} findings={args.count} seconds={figures['seconds']:.1f} "
              f"findings/s={figures['per_second']:.0f} requests={figures['requests']} "
              f"throttles={figures['throttles']} failed={figures['failed']} lost={figures['lost']}", flush=True)
    return 1 if worst_lost else 0


if __name__ == "__main__":
    sys.exit(main())
