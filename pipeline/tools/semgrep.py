"""semgrep (SAST): the project's own rules, offline: no registry, no metrics, no version check.

Two semgrep defaults are turned off. `--no-git-ignore`: inside an enclosing git
checkout semgrep scans only what git tracks and honours that checkout's
.gitignore, so a tree the parent ignores is scanned not at all (and reported
clean). `--no-rewrite-rule-ids`: semgrep prefixes each rule id with the dotted
path of its rules file (machine-specific); without it the raw report carries the
rule ids as written, so `secpipe parse` of the kept report gives the Ids `scan` gave.
What semgrep still skips (its .semgrepignore and default ignores, e.g. tests/) is
compared with the tree: scanning less than half of it is an incomplete run.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.coverage import Coverage
from pipeline.tools.files import SKIPPED_DIRS, has_file, iter_files, relative_root, with_suffix
from pipeline.tools.inline_suppression import keep_inline_suppressed
from pipeline.tools.process import run_command
from pipeline.tools.registry import register

#: The rules that ship with secpipe; SECPIPE_SEMGREP_RULES (a file or directory,
#: in ScanTarget.env or the environment) replaces them.
BUNDLED_RULES = Path(__file__).with_name("semgrep_rules")
RULES_ENV = "SECPIPE_SEMGREP_RULES"
#: File suffixes semgrep reads for each language a rule names.
LANGUAGE_SUFFIXES = {
    "python": (".py",), "php": (".php",), "javascript": (".js", ".jsx", ".mjs", ".cjs"), "js": (".js", ".jsx", ".mjs", ".cjs"),
    "typescript": (".ts", ".tsx"), "ts": (".ts", ".tsx"), "html": (".html", ".htm"), "go": (".go",),
    "java": (".java",), "ruby": (".rb",),
}
_SOURCE_SUFFIXES = tuple(sorted({s for suffixes in LANGUAGE_SUFFIXES.values() for s in suffixes}))
_LANGUAGES_LINE = re.compile(r"^\s*languages:\s*\[([^\]]*)\]", re.MULTILINE)
SKIP_REASON = ("excluded by a .semgrepignore or semgrep's default ignores (tests/, build/, vendor/, minified files); "
               "add a .semgrepignore at the target to choose")


@register
class SemgrepRunner(ExecutableRunner):
    name = "semgrep"
    stage = Stage.SAST
    parser = "semgrep"
    typical_cpu_s = 9.0
    executable = "semgrep"
    # No version check, no metrics: without network either would hang the run.
    offline_env = (("SEMGREP_ENABLE_VERSION_CHECK", "0"), ("SEMGREP_SEND_METRICS", "off"))

    def applies(self, target: ScanTarget) -> bool:
        return has_file(target.path, with_suffix(*_SOURCE_SUFFIXES))

    def rules(self, target: ScanTarget) -> Path:
        override = target.env.get(RULES_ENV) or os.environ.get(RULES_ENV)
        return Path(override).expanduser() if override else BUNDLED_RULES

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program()
        if program is None:
            return outcome.not_installed(self)
        rules = self.rules(target)
        if not _has_rules(rules):
            return outcome.not_configured(self, f"no semgrep rules at {rules} (set {RULES_ENV} to a rules file or directory)")
        report = (raw_dir / "semgrep.json").resolve()
        report.unlink(missing_ok=True)
        cwd, scanned = relative_root(target.path)
        excludes = [arg for d in sorted(SKIPPED_DIRS) for arg in ("--exclude", d)]
        rule_files = _rule_files(rules)
        configs = [arg for path in rule_files for arg in ("--config", path)]
        result = run_command(
            # --disable-nosem: a `nosemgrep` result is reported, and kept as a suppressed finding below.
            [program, "scan", *configs, "--json", "--output", report, "--no-git-ignore", "--no-rewrite-rule-ids",
             "--disable-nosem",
             "--metrics=off", "--disable-version-check", "--quiet", *excludes, scanned],
            timeout_s=timeout_s,
            cwd=cwd,
            env=self.environment(),
        )
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        document = outcome.read_report_object(report)
        if result.returncode not in (0, 1) or document is None:
            fatal = _first_message(document, level="error")
            if fatal:
                return outcome.error(self, f"semgrep failed (exit {result.returncode}): {fatal}", duration_s=result.duration_s)
            return outcome.exit_failure(self, result)
        coverage = Coverage.of(self.name, _expected_files(target.path, rule_files), _scanned(document))
        gap = coverage.incomplete(SKIP_REASON)
        run = outcome.parsed(self, report, duration_s=result.duration_s, incomplete=_unanalysed(document) or gap)
        if run.status.complete and coverage.skipped:
            run.detail = coverage.note(SKIP_REASON)
        run.findings = keep_inline_suppressed(run.findings, cwd, self.name)
        return run


def _has_rules(rules: Path) -> bool:
    if rules.is_file():
        return True
    return rules.is_dir() and has_file(rules, with_suffix(".yaml", ".yml"))


def _rule_files(rules: Path) -> list[Path]:
    """Each rule file on its own: semgrep would also read test targets and
    fixtures that sit in a rules directory as configs."""
    rules = rules.resolve()
    if rules.is_file():
        return [rules]
    return [p for p in iter_files(rules, with_suffix(".yaml", ".yml")) if not _is_rule_test_file(p)]


def _is_rule_test_file(path: Path) -> bool:
    # `semgrep --test` layouts keep expected-output files beside the rules.
    return path.name.endswith((".test.yaml", ".test.yml", ".fixed.yaml", ".fixed.yml"))


def _languages(rule_files: list[Path]) -> set[str]:
    """The languages the rules name (flow-style `languages: [python]`, as every bundled rule writes it)."""
    found: set[str] = set()
    for path in rule_files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for match in _LANGUAGES_LINE.finditer(text):
            found.update(word.strip().strip("'\"").lower() for word in match.group(1).split(","))
    return found


def _expected_files(root: Path, rule_files: list[Path]) -> list[str]:
    """The files of the tree the rules apply to, relative to the target, as semgrep names them."""
    languages = _languages(rule_files)
    suffixes = tuple(s for lang in languages for s in LANGUAGE_SUFFIXES.get(lang, ())) or _SOURCE_SUFFIXES
    cwd, _scanned_arg = relative_root(root)
    return [str(p.relative_to(cwd)) for p in iter_files(root.resolve(), with_suffix(*suffixes))]


def _scanned(document: dict[str, Any]) -> list[str]:
    paths = document.get("paths") or {}
    scanned = paths.get("scanned") if isinstance(paths, dict) else None
    return [str(p) for p in scanned or [] if isinstance(p, str)]


def _error_type(error: dict[str, Any]) -> str:
    # A string ("Timeout"), or a list whose head names it (["PartialParsing", [spans]]).
    kind = error.get("type")
    if isinstance(kind, list) and kind:
        kind = kind[0]
    return str(kind or "error")


def _first_message(document: dict[str, Any] | None, level: str) -> str | None:
    for error in (document or {}).get("errors") or []:
        if isinstance(error, dict) and error.get("level") == level:
            return str(error.get("message", _error_type(error))).splitlines()[0]
    return None


def _unanalysed(document: dict[str, Any]) -> str | None:
    """Errors tied to a file (timeouts, out of memory, syntax errors, partial
    parses) mean part of the code was not checked: the run is incomplete."""
    failed = [e for e in document.get("errors") or [] if isinstance(e, dict) and e.get("path")]
    if not failed:
        return None
    paths = sorted({str(e["path"]) for e in failed})
    kinds = sorted({_error_type(e) for e in failed})
    return (f"semgrep could not fully analyse {len(paths)} file(s) ({', '.join(kinds)}), "
            f"e.g. {paths[0]}")
