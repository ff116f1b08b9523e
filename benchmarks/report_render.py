"""Render every report for N generated findings and print time and size per format.

    python3 benchmarks/report_render.py [N]   (default 10000)
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import reports  # noqa: F401  (registers the formats)
from pipeline.asff import to_asff
from pipeline.context import ScanContext
from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.identity import number_occurrences
from pipeline.result import ScanResult, summary_dict
from reports.registry import formats


def generated(count: int) -> list[Finding]:
    kinds = [("bandit", Category.SAST), ("pip-audit", Category.SCA), ("checkov", Category.IAC), ("wapiti", Category.DAST)]
    return number_occurrences(
        Finding(tool=kinds[n % 4][0], rule_id=f"R{n % 50}", title=f"Generated finding {n}", severity=list(Severity)[n % 5],
                category=kinds[n % 4][1], description="d" * 300, references=[f"https://example.org/{n}"],
                code_locations=[CodeLocation(f"src/pkg_{n % 40}/module_{n}.py", n % 500 + 1)])
        for n in range(count))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    context = ScanContext()
    findings = generated(count)
    asff = [to_asff(f, context) for f in findings]
    result = ScanResult(context, [], findings, asff, None, context.now, context.now + timedelta(seconds=1))
    print(f"{count} findings")
    with tempfile.TemporaryDirectory() as out:
        for fmt in formats():
            start = time.perf_counter()
            text = fmt.render(result)
            elapsed = time.perf_counter() - start
            (Path(out) / fmt.filename).write_text(text, encoding="utf-8")
            print(f"  {fmt.filename:22} {elapsed:7.2f} s  {len(text.encode()) / 1e6:8.2f} MB")
        start = time.perf_counter()
        summary_dict(result)
        print(f"  {'summary.json':22} {time.perf_counter() - start:7.2f} s")


if __name__ == "__main__":
    main()
