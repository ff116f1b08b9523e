"""Large generated scanner reports for the benchmarks (deterministic: seeded).

A SARIF 2.1.0 log of a made-up SAST tool and an OWASP Dependency-Check JSON report,
the two formats the throughput goals name.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


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



def write_reports(folder: Path, sarif_results: int, dc_vulnerabilities: int) -> dict[str, Path]:
    """Both reports in `folder`, by the parser name that reads each."""
    reports = {
        "sarif": (folder / "bench.sarif", sarif_report(sarif_results)),
        "dependency-check": (folder / "dependency-check-report.json", dependency_check_report(dc_vulnerabilities)),
    }
    for path, document in reports.values():
        path.write_text(json.dumps(document))
    return {tool: path for tool, (path, _) in reports.items()}


def write_reports_in_child(folder: Path, sarif_results: int, dc_vulnerabilities: int) -> dict[str, Path]:
    """write_reports in a separate process. The kernel's peak RSS of a child started later
    includes its parent's memory at the fork, so the benchmark's own process must stay small:
    it never holds the generated documents."""
    done = subprocess.run([sys.executable, __file__, str(folder), str(sarif_results), str(dc_vulnerabilities)],
                          capture_output=True, text=True, check=True)
    return {tool: Path(path) for tool, path in json.loads(done.stdout).items()}


if __name__ == "__main__":
    written = write_reports(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
    print(json.dumps({tool: str(path) for tool, path in written.items()}))
