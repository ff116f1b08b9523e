"""Throughput of the SARIF parser on a generated report (default 100,000 results).

Prints findings/s for parsing alone and for parse + ASFF + validation, and peak
memory (max RSS). Usage: python3 benchmarks/sarif_parse.py [RESULTS]
"""
from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

from parsers import registry
from parsers.base import Report
from pipeline.context import ScanContext
from pipeline.convert import to_validated_asff
from pipeline.identity import number_occurrences

RULES = 200


def generate(results: int) -> bytes:
    """A CodeQL-shaped log: rules with tags, security-severity and message templates; results with arguments."""
    rules = [{"id": f"py/rule-{i}", "shortDescription": {"text": f"Rule {i}"},
              "fullDescription": {"text": f"What rule {i} finds and why it matters."},
              "helpUri": f"https://rules.example.test/{i}", "defaultConfiguration": {"level": "warning"},
              "properties": {"tags": ["security", f"external/cwe/cwe-{20 + i}"], "security-severity": f"{i % 10}.5"},
              "messageStrings": {"default": {"text": "Value {0} flows to {1}."}}} for i in range(RULES)]
    items: list[dict[str, Any]] = []
    for k in range(results):
        items.append({
            "ruleId": f"py/rule-{k % RULES}", "ruleIndex": k % RULES,
            "message": {"id": "default", "arguments": [f"v{k}", "sink"]},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f"src/pkg{k % 997}/module{k}.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": k % 500 + 1, "startColumn": 3, "snippet": {"text": f"danger({k})"}}}}],
            "partialFingerprints": {"primaryLocationLineHash": f"{k:016x}:1"},
        })
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "CodeQL", "rules": rules}}, "results": items}]}
    return json.dumps(log).encode()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = generate(count)
    parser = registry.get("sarif")
    report = Report("bench.sarif", data)
    started = time.perf_counter()
    report.json()
    decoded = time.perf_counter()
    findings = number_occurrences(parser.parse(report))
    parsed = time.perf_counter()
    asff = to_validated_asff(findings, ScanContext())
    done = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux; tracemalloc would slow the run down
    print(f"results: {count}  findings: {len(findings)}  asff: {len(asff)}  report: {len(data) / 1e6:.1f} MB")
    print(f"json decode: {decoded - started:.2f} s")
    print(f"parse: {parsed - decoded:.2f} s  ({len(findings) / (parsed - decoded):,.0f} findings/s)")
    print(f"parse + ASFF + validation: {done - started:.2f} s  ({len(asff) / (done - started):,.0f} findings/s)")
    print(f"peak memory (max RSS, whole process): {peak_kb / 1e3:.0f} MB")


if __name__ == "__main__":
    main()
