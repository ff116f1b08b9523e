"""`# nosec` and `# nosemgrep` leave a trail: the finding is kept, SUPPRESSED, with the comment as reason."""
from __future__ import annotations

from pathlib import Path

from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.tools.base import ScanTarget
from pipeline.tools.inline_suppression import keep_inline_suppressed
from tests.tools.conftest import SHELL_TRUE_RULE, installed

SOURCE = """\
import subprocess
subprocess.call(cmd, shell=True)  # nosec B602 - cmd is a constant
subprocess.call(cmd, shell=True)  # nosec B101
subprocess.call(cmd, shell=True)
# nosemgrep: shell-true
subprocess.call(cmd, shell=True)
subprocess.call(cmd, shell=True)  # nosemgrep
"""


def _finding(tool: str, rule: str, line: int) -> Finding:
    return Finding(tool, rule, "shell", Severity.HIGH, Category.SAST, code_locations=[CodeLocation("app.py", line)])


def test_markers_suppress_only_what_they_name(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    bandit = keep_inline_suppressed([_finding("bandit", "B602", n) for n in (2, 3, 4)], tmp_path, "bandit")
    assert [(f.suppressed, f.suppression_reason) for f in bandit] == [
        (True, "# nosec B602 - cmd is a constant"), (False, None), (False, None)]
    semgrep = keep_inline_suppressed([_finding("semgrep", "shell-true", n) for n in (4, 6, 7)], tmp_path, "semgrep")
    assert [(f.suppressed, f.suppression_reason) for f in semgrep] == [
        (False, None), (True, "# nosemgrep: shell-true"), (True, "# nosemgrep")]
    other_rule = keep_inline_suppressed([_finding("semgrep", "other-rule", 6)], tmp_path, "semgrep")
    assert not other_rule[0].suppressed


def test_bandit_keeps_nosec_findings_as_suppressed(tmp_path: Path) -> None:
    runner = installed("bandit")
    root = tmp_path / "src"
    root.mkdir()
    (root / "app.py").write_text(SOURCE.replace("cmd", "'ls'"))
    raw = tmp_path / "raw"
    raw.mkdir()
    run = runner.run(ScanTarget(root), raw, timeout_s=300)
    b602 = sorted((f.code_locations[0].start_line, f.suppressed, f.suppression_reason)
                  for f in run.findings if f.rule_id == "B602")
    assert b602[0] == (2, True, "# nosec B602 - 'ls' is a constant")
    assert [line for line, suppressed, _ in b602 if not suppressed] == [3, 4, 6, 7]


def test_semgrep_keeps_nosemgrep_findings_as_suppressed(tmp_path: Path) -> None:
    runner = installed("semgrep")
    root = tmp_path / "src"
    root.mkdir()
    (root / "app.py").write_text(SOURCE)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "python.yaml").write_text(SHELL_TRUE_RULE)
    raw = tmp_path / "raw"
    raw.mkdir()
    run = runner.run(ScanTarget(root, env={"SECPIPE_SEMGREP_RULES": str(rules)}), raw, timeout_s=300)
    seen = sorted((f.code_locations[0].start_line, f.suppressed) for f in run.findings)
    assert seen == [(2, False), (3, False), (4, False), (6, True), (7, True)], run.detail
