"""Detection quality of `secpipe scan --stages sast` on the labelled set in benchmarks/detection_cases.

Each case file is either vulnerable (true) or deliberately safe (false) for one
class (expected.csv: file, class, cwe, vulnerable). A case counts as flagged
when the scan reports, in that file, a finding with one of the class's CWEs
(CLASS_CWES: a class may be named by a few CWEs, such as 614 and 1004 for
cookie flags). Scored as labelled SAST benchmarks are: per class, true-positive
rate minus false-positive rate; overall, the mean over classes. Printed per
class (all languages), per class and language, and overall, with the share of
vulnerable cases found.

    python benchmarks/detection.py [--cases DIR] [--keep OUT_DIR]

Uses the scanners secpipe finds (`secpipe tools list`); regenerate the cases
with benchmarks/make_detection_cases.py.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).resolve().parent / "detection_cases"

#: The CWEs that name each class (the expected.csv CWE first).
CLASS_CWES: dict[str, frozenset[int]] = {
    "sqli": frozenset({89}),
    "nosqli": frozenset({943}),
    "command-injection": frozenset({78, 77}),
    "code-injection": frozenset({95, 94}),
    "template-injection": frozenset({1336}),
    "xpath-injection": frozenset({643}),
    "ldap-injection": frozenset({90}),
    "xss": frozenset({79, 80}),
    "path-traversal": frozenset({22, 23, 36, 73, 98}),
    "ssrf": frozenset({918}),
    "open-redirect": frozenset({601}),
    "xxe": frozenset({611, 776}),
    "deserialization": frozenset({502}),
    "weak-hash": frozenset({328, 916}),
    "weak-random": frozenset({338, 330}),
    "cookie-flags": frozenset({614, 1004}),
    "trust-boundary": frozenset({501}),
    "file-upload": frozenset({434}),
    "hardcoded-secrets": frozenset({798, 259, 321}),
}


@dataclass(frozen=True)
class Expected:
    file: str
    klass: str
    cwe: int
    vulnerable: bool

    @property
    def language(self) -> str:
        return self.file.split("/", 1)[0]


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def add(self, case: Expected, flagged: bool) -> None:
        if case.vulnerable:
            self.tp += flagged
            self.fn += not flagged
            if not flagged:
                self.missed.append(case.file)
        else:
            self.fp += flagged
            self.tn += not flagged
            if flagged:
                self.false_alarms.append(case.file)

    @property
    def tpr(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def score(self) -> float:
        return self.tpr - self.fpr


def read_expected(cases: Path) -> list[Expected]:
    with (cases / "expected.csv").open(encoding="utf-8") as handle:
        return [Expected(row["file"], row["class"], int(row["cwe"].removeprefix("CWE-")), row["vulnerable"] == "true")
                for row in csv.DictReader(handle)]


def run_scan(cases: Path, out: Path) -> tuple[list[dict], list[str]]:
    """The ASFF findings of one `secpipe scan --stages sast` over the whole set, and how each tool ran."""
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "scan", str(cases), "--stages", "sast", "--hub", "none", "--out", str(out)],
        capture_output=True, text=True, check=False)
    findings_file = out / "findings.asff.json"
    if done.returncode not in (0, 1) or not findings_file.is_file():
        raise SystemExit(f"secpipe scan failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    tools = [f"{t['tool']}: {t['status']}" + (f" ({t['detail']})" if t.get("detail") else "")
             for t in summary.get("runs", [])]
    return json.loads(findings_file.read_text(encoding="utf-8")), tools


def cwes_by_file(findings: list[dict]) -> dict[str, set[int]]:
    by_file: dict[str, set[int]] = defaultdict(set)
    for finding in findings:
        fields = finding.get("ProductFields", {})
        path = fields.get("secpipe/file", "").removeprefix("./")
        for cwe in filter(None, fields.get("secpipe/cwe", "").split(",")):
            by_file[path].add(int(cwe.removeprefix("CWE-")))
    return by_file


def score(expected: list[Expected], by_file: dict[str, set[int]]) -> tuple[dict[str, Tally], dict[tuple[str, str], Tally]]:
    per_class: dict[str, Tally] = defaultdict(Tally)
    per_language: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for case in expected:
        flagged = bool(by_file.get(case.file, set()) & CLASS_CWES[case.klass])
        per_class[case.klass].add(case, flagged)
        per_language[(case.klass, case.language)].add(case, flagged)
    return per_class, per_language


def _row(name: str, tally: Tally) -> str:
    return (f"{name:<34} {tally.tp:>4}/{tally.tp + tally.fn:<4} {tally.fp:>4}/{tally.fp + tally.tn:<4} "
            f"{tally.tpr:>6.0%} {tally.fpr:>6.0%} {tally.score * 100:>+7.0f}")


def report(per_class: dict[str, Tally], per_language: dict[tuple[str, str], Tally], verbose: bool) -> None:
    header = f"{'class':<34} {'TP/P':>9} {'FP/N':>9} {'TPR':>6} {'FPR':>6} {'score':>7}"
    print(header)
    for klass in sorted(per_class):
        print(_row(klass, per_class[klass]))
    print()
    print(header.replace("class    ", "class/lang"))
    for klass, language in sorted(per_language):
        print(_row(f"{klass}/{language}", per_language[(klass, language)]))
    found = sum(t.tp for t in per_class.values())
    seeded = sum(t.tp + t.fn for t in per_class.values())
    alarms = sum(t.fp for t in per_class.values())
    safe = sum(t.fp + t.tn for t in per_class.values())
    mean = sum(t.score for t in per_class.values()) / len(per_class)
    mean_tpr = sum(t.tpr for t in per_class.values()) / len(per_class)
    mean_fpr = sum(t.fpr for t in per_class.values()) / len(per_class)
    worst = min(per_class.items(), key=lambda item: item[1].score)
    worst_lang = min(per_language.items(), key=lambda item: item[1].score)
    print()
    print(f"seeded vulnerabilities found: {found}/{seeded} ({found / seeded:.0%}); safe cases flagged: {alarms}/{safe} ({alarms / safe:.0%})")
    print(f"overall (mean over {len(per_class)} classes): TPR {mean_tpr:.0%}, FPR {mean_fpr:.0%}, score {mean * 100:+.0f}")
    print(f"lowest class: {worst[0]} {worst[1].score * 100:+.0f}; lowest class/language: "
          f"{worst_lang[0][0]}/{worst_lang[0][1]} {worst_lang[1].score * 100:+.0f}")
    if verbose:
        for klass in sorted(per_class):
            for path in per_class[klass].missed:
                print(f"  missed       {path}")
            for path in per_class[klass].false_alarms:
                print(f"  false alarm  {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--keep", type=Path, help="keep the scan output here instead of a temporary folder")
    parser.add_argument("--verbose", action="store_true", help="list every missed case and false alarm")
    args = parser.parse_args()
    expected = read_expected(args.cases)
    unknown = sorted({c.klass for c in expected} - set(CLASS_CWES))
    if unknown:
        raise SystemExit(f"expected.csv names classes without CWEs here: {unknown}")
    with tempfile.TemporaryDirectory(prefix="secpipe-detection-") as temporary:
        out = args.keep or Path(temporary) / "out"
        findings, tools = run_scan(args.cases, out)
    print("\n".join(tools))
    print(f"{len(findings)} findings over {len(expected)} cases\n")
    per_class, per_language = score(expected, cwes_by_file(findings))
    report(per_class, per_language, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
