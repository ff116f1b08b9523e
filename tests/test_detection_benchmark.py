"""The labelled detection set (benchmarks/detection_cases) is what its templates make, has enough cases
per class and language, and benchmarks/detection.py scores a scan's findings as the benchmark says."""
from __future__ import annotations

import csv
import filecmp
import sys
from collections import Counter

import pytest

from tests.conftest import PROJECT

sys.path.insert(0, str(PROJECT))

from benchmarks import detection, make_detection_cases  # noqa: E402
from benchmarks.detection_casegen.model import PER_LABEL  # noqa: E402

CASES = PROJECT / "benchmarks" / "detection_cases"


def _rows() -> list[dict[str, str]]:
    with (CASES / "expected.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_committed_set_is_what_the_templates_make(tmp_path) -> None:
    make_detection_cases.write(tmp_path / "cases")
    compared = filecmp.dircmp(CASES, tmp_path / "cases")
    stale = []

    def walk(cmp: filecmp.dircmp, prefix: str = "") -> None:
        stale.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compared)
    assert not stale, f"run python benchmarks/make_detection_cases.py: {stale[:10]}"


def test_every_class_has_enough_true_and_false_cases_in_every_language() -> None:
    rows = _rows()
    counts = Counter((r["file"].split("/")[0], r["class"], r["vulnerable"]) for r in rows)
    languages = {r["file"].split("/")[0] for r in rows}
    assert languages == {"python", "php", "javascript"}
    for klass in detection.CLASS_CWES:
        for language in languages:
            for label in ("true", "false"):
                assert counts[(language, klass, label)] >= PER_LABEL, (language, klass, label)


def test_every_row_names_an_existing_file_and_a_cwe_of_its_class() -> None:
    for row in _rows():
        assert (CASES / row["file"]).is_file(), row["file"]
        assert int(row["cwe"].removeprefix("CWE-")) in detection.CLASS_CWES[row["class"]], row


def _finding(path: str, cwes: str) -> dict:
    return {"ProductFields": {"secpipe/file": path, "secpipe/cwe": cwes}}


def test_scoring_counts_a_case_only_for_a_cwe_of_its_class() -> None:
    expected = [
        detection.Expected("python/sqli/true_a.py", "sqli", 89, True),
        detection.Expected("python/sqli/true_b.py", "sqli", 89, True),
        detection.Expected("python/sqli/false_a.py", "sqli", 89, False),
        detection.Expected("python/sqli/false_b.py", "sqli", 89, False),
        detection.Expected("php/xss/true_a.php", "xss", 79, True),
        detection.Expected("php/xss/false_a.php", "xss", 79, False),
    ]
    findings = [
        _finding("python/sqli/true_a.py", "CWE-89"),
        _finding("./python/sqli/true_b.py", "CWE-20"),        # another weakness: not this class
        _finding("python/sqli/false_a.py", "CWE-95,CWE-89"),  # a false alarm
        _finding("php/xss/true_a.php", "CWE-80"),             # a CWE that also names XSS
    ]
    per_class, per_language = detection.score(expected, detection.cwes_by_file(findings))
    sqli = per_class["sqli"]
    assert (sqli.tp, sqli.fn, sqli.fp, sqli.tn) == (1, 1, 1, 1)
    assert sqli.tpr == pytest.approx(0.5) and sqli.fpr == pytest.approx(0.5) and sqli.score == pytest.approx(0.0)
    assert sqli.missed == ["python/sqli/true_b.py"] and sqli.false_alarms == ["python/sqli/false_a.py"]
    xss = per_language[("xss", "php")]
    assert (xss.tp, xss.fp) == (1, 0) and xss.score == pytest.approx(1.0)
