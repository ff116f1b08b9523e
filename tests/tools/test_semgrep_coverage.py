"""semgrep must read the tree it is given: a parent's .gitignore, or its own ignores, never make a silent pass.

And the kept raw report parses to the same Ids as the scan (no install path in the rule ids).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from parsers.registry import parse_report
from pipeline.identity import finding_id, number_occurrences
from pipeline.tools.base import ScanTarget, ToolStatus
from pipeline.tools.coverage import Coverage
from tests.tools.conftest import SHELL_TRUE_RULE, installed

VULNERABLE = "import subprocess\nsubprocess.call('ls ' + name, shell=True)\n"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _rules(tmp_path: Path) -> dict[str, str]:
    rules = _tree(tmp_path / "rules", {"python.yaml": SHELL_TRUE_RULE})
    return {"SECPIPE_SEMGREP_RULES": str(rules)}


def test_coverage_counts_what_was_skipped() -> None:
    coverage = Coverage.of("semgrep", ["a.py", "tests/b.py", "tests/c.py"], ["./a.py"])
    assert coverage.skipped == ["tests/b.py", "tests/c.py"]
    assert "scanned 1 of 3" in (coverage.incomplete("ignored") or "")
    assert Coverage.of("semgrep", ["a.py", "b.py"], ["a.py", "b.py"]).incomplete("x") is None
    assert Coverage.of("semgrep", [], []).incomplete("x") is None, "nothing to scan is not a gap"
    assert "tests/b.py" in Coverage.of("semgrep", ["a.py", "b.py", "tests/b.py"], ["a.py", "b.py"]).note("why")


def test_a_tree_the_enclosing_checkout_ignores_is_still_scanned(tmp_path: Path, raw_dir: Path) -> None:
    runner = installed("semgrep")
    if shutil.which("git") is None:
        pytest.skip("git is not installed: no enclosing checkout to make")
    checkout = tmp_path / "checkout"
    _tree(checkout, {".gitignore": "vendored/\n", "vendored/app/app.py": VULNERABLE})
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    run = runner.run(ScanTarget(checkout / "vendored" / "app", env=_rules(tmp_path)), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.FINDINGS, run.detail
    assert [f.rule_id for f in run.findings] == ["shell-true"]


def test_a_tree_semgrep_mostly_ignores_is_incomplete_and_says_what_it_skipped(tmp_path: Path, raw_dir: Path) -> None:
    runner = installed("semgrep")
    root = _tree(tmp_path / "src", {"tests/test_a.py": VULNERABLE, "tests/test_b.py": VULNERABLE, "app.py": "x = 1\n"})
    run = runner.run(ScanTarget(root, env=_rules(tmp_path)), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.INCOMPLETE
    assert "scanned 1 of 3" in run.detail and "tests/test_a.py" in run.detail and ".semgrepignore" in run.detail


def test_parse_of_the_kept_report_gives_the_scans_ids(tmp_path: Path, raw_dir: Path) -> None:
    runner = installed("semgrep")
    root = _tree(tmp_path / "src", {"app.py": VULNERABLE})
    run = runner.run(ScanTarget(root, env=_rules(tmp_path)), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.FINDINGS, run.detail
    assert run.report_path is not None
    parsed = number_occurrences(parse_report("semgrep", run.report_path.read_bytes(), str(run.report_path)))
    scanned = number_occurrences(run.findings)
    assert [f.rule_id for f in parsed] == ["shell-true"]
    assert [finding_id(f, "r", "main") for f in parsed] == [finding_id(f, "r", "main") for f in scanned]
