"""Throughput of parse + ASFF + validation on large generated reports.

    python3 benchmarks/parse.py [--sarif-results 100000] [--dc-vulnerabilities 20000]

Generates, in a temporary directory, a SARIF 2.1.0 report and an OWASP
Dependency-Check JSON report, then for each runs exactly what `secpipe parse`
runs (parsers.registry.parse_report -> pipeline.asff.to_asff ->
pipeline.asff_validation.validate, with the garbage collector paused as
pipeline.convert pauses it) in a fresh child process, and prints the
time of each phase, findings per second and the child's peak memory (maximum
resident set size). Wall time on a shared machine includes waiting for a core,
so the CPU time of the child (one thread, so one core) is printed too. The target is >= 10,000 findings/s on one core. The
figures are printed, never asserted: timing belongs here, not in tests.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGET_PER_SECOND = 10_000
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
BATCH = 100


def sarif_report(results: int, seed: int = 1) -> dict:
    """One run of a made-up SAST tool: 200 rules with CWE tags and security-severity, `results` results."""
    rng = random.Random(seed)
    rules = []
    for r in range(200):
        rules.append({
            "id": f"BENCH{r:03d}",
            "name": f"BenchRule{r}",
            "shortDescription": {"text": f"Benchmark rule {r}: tainted data reaches a sink"},
            "fullDescription": {"text": "Untrusted input flows into a sensitive call without validation. " * 3},
            "help": {"text": "Validate or encode the input before use.", "markdown": "Validate or **encode** the input."},
            "helpUri": f"https://example.test/rules/BENCH{r:03d}",
            "properties": {"tags": ["security", f"external/cwe/cwe-{rng.choice((78, 79, 89, 22, 502, 798))}"],
                           "security-severity": f"{rng.uniform(1, 10):.1f}", "precision": "high"},
        })
    out = []
    for i in range(results):
        rule = rng.randrange(200)
        line = rng.randrange(1, 2000)
        out.append({
            "ruleId": rules[rule]["id"],
            "ruleIndex": rule,
            "level": rng.choice(("note", "warning", "error")),
            "message": {"text": f"Tainted value from request parameter 'p{i % 50}' reaches {rules[rule]['name']} sink."},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f"src/pkg{i % 97}/module_{i % 1013}.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": line, "endLine": line + rng.randrange(3), "startColumn": rng.randrange(1, 80),
                           "snippet": {"text": f"    call_sink(request.args['p{i % 50}'], {i})"}},
            }}],
            "partialFingerprints": {"primaryLocationLineHash": f"{rng.getrandbits(64):016x}:1"},
        })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "BenchSAST", "version": "1.0.0", "informationUri": "https://example.test",
                                      "rules": rules}},
                  "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///build/src/"}},
                  "results": out}],
    }


def dependency_check_report(vulnerabilities: int, per_dependency: int = 10, seed: int = 2) -> dict:
    """`vulnerabilities` vulnerabilities spread over dependencies with `per_dependency` each."""
    rng = random.Random(seed)
    dependencies = []
    count = 0
    d = 0
    while count < vulnerabilities:
        vulns = []
        for _ in range(min(per_dependency, vulnerabilities - count)):
            score = round(rng.uniform(2, 10), 1)
            vulns.append({
                "source": "NVD",
                "name": f"CVE-20{rng.randrange(10, 25)}-{rng.randrange(1000, 99999)}",
                "severity": SEVERITIES[min(3, int(score // 2.5))],
                "cvssv3": {"baseScore": score, "attackVector": "NETWORK", "attackComplexity": "LOW",
                           "privilegesRequired": "NONE", "userInteraction": "NONE", "scope": "UNCHANGED",
                           "confidentialityImpact": "HIGH", "integrityImpact": "HIGH", "availabilityImpact": "HIGH",
                           "baseSeverity": "HIGH", "version": "3.1"},
                "cwes": [f"CWE-{rng.choice((20, 79, 89, 502, 400))}"],
                "description": "A flaw in the parser allows a remote attacker to execute code via crafted input. " * 4,
                "notes": "",
                "references": [{"source": "MISC", "url": f"https://example.test/advisory/{count}", "name": "advisory"},
                               {"source": "CONFIRM", "url": f"https://example.test/fix/{count}", "name": "fix"}],
                "vulnerableSoftware": [{"software": {"id": f"cpe:2.3:a:vendor{d}:lib{d}:*:*:*:*:*:*:*:*",
                                                     "versionEndExcluding": "2.0.0", "vulnerabilityIdMatched": "true"}}],
            })
            count += 1
        dependencies.append({
            "isVirtual": False,
            "fileName": f"lib{d}-1.{d % 10}.0.jar",
            "filePath": f"/build/app/WEB-INF/lib/lib{d}-1.{d % 10}.0.jar",
            "md5": f"{rng.getrandbits(128):032x}", "sha1": f"{rng.getrandbits(160):040x}",
            "packages": [{"id": f"pkg:maven/org.vendor{d}/lib{d}@1.{d % 10}.0", "confidence": "HIGH"}],
            "vulnerabilities": vulns,
        })
        d += 1
    return {
        "reportSchema": "1.1",
        "scanInfo": {"engineVersion": "9.0.0"},
        "projectInfo": {"name": "bench", "reportDate": "2026-01-01T00:00:00Z"},
        "dependencies": dependencies,
    }


def measure(tool: str, path: Path) -> dict:
    """Runs in the child: parse, ASFF, validation, each timed; peak RSS of this process."""
    sys.path.insert(0, str(PROJECT))
    from parsers import registry
    from pipeline.asff import to_asff
    from pipeline.asff_validation import validate
    from pipeline.context import ScanContext
    from pipeline.gc_pause import paused_gc

    context = ScanContext(account="123456789012", region="eu-west-1", repo="bench", branch="main", commit="0" * 40)
    data = path.read_bytes()
    cpu_start = time.process_time()
    start = time.perf_counter()
    findings = registry.parse_report(tool, data, path.name)
    parsed = time.process_time()
    # ASFF is built, validated and let go 100 findings at a time, as a streaming
    # sink would: the peak memory is the report and its Findings, not 100,000 ASFF
    # dicts. Timing a batch rather than each finding keeps the clock's own cost
    # (a system call per reading) out of the figures.
    building = validating = 0.0
    with paused_gc():  # as pipeline.convert.to_validated_asff runs them
        for first in range(0, len(findings), BATCH):
            t0 = time.process_time()
            batch = [to_asff(finding, context) for finding in findings[first:first + BATCH]]
            t1 = time.process_time()
            for asff in batch:
                validate(asff)
            validating += time.process_time() - t1
            building += t1 - t0
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {"cpu": cpu,
        "tool": tool, "bytes": len(data), "findings": len(findings),
        "parse": parsed - cpu_start, "asff": building, "validate": validating, "total": total,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(tool: str, path: Path) -> dict:
    # A fresh process per report: its peak RSS belongs to that report alone, and
    # `taskset`-free timing is still one core because the work is single-threaded.
    out = subprocess.run([sys.executable, __file__, "--child", tool, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sarif-results", type=int, default=100_000)
    parser.add_argument("--dc-vulnerabilities", type=int, default=20_000)
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]))))
        return
    with tempfile.TemporaryDirectory(prefix="secpipe-bench-") as tmp:
        reports = {
            "sarif": (Path(tmp) / "bench.sarif", sarif_report(args.sarif_results)),
            "dependency-check": (Path(tmp) / "dependency-check-report.json", dependency_check_report(args.dc_vulnerabilities)),
        }
        for tool, (path, document) in reports.items():
            path.write_text(json.dumps(document))
        print("phases in CPU seconds; 'wall s' includes waiting for a core on a shared machine")
        print(f"{'report':<18}{'findings':>9}{'MB':>7}{'parse':>9}{'asff':>8}{'valid.':>9}{'wall s':>9}"
              f"{'CPU s':>8}{'findings/s':>12}{'per CPU s':>11}{'peak RSS MB':>13}  target (per CPU second)")
        for tool, (path, _) in reports.items():
            r = run_child(tool, path)
            rate = r["findings"] / r["total"] if r["total"] else float("inf")
            # On a shared machine wall time includes waiting for a core; CPU time is the one-core figure.
            cpu_rate = r["findings"] / r["cpu"] if r["cpu"] else float("inf")
            verdict = "met" if cpu_rate >= TARGET_PER_SECOND else "MISSED"
            print(f"{tool:<18}{r['findings']:>9}{r['bytes'] / 1e6:>7.1f}{r['parse']:>9.2f}{r['asff']:>8.2f}"
                  f"{r['validate']:>9.2f}{r['total']:>9.2f}{r['cpu']:>8.2f}{rate:>12,.0f}{cpu_rate:>11,.0f}"
                  f"{r['peak_rss_mb']:>13.0f}  {verdict} (>= {TARGET_PER_SECOND:,}/s)")


if __name__ == "__main__":
    main()
