"""semgrep (SAST): the project's own rules, offline: no registry, no metrics, no version check."""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.finding import Finding
from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.files import SKIPPED_DIRS, has_file, iter_files, relative_root, with_suffix
from pipeline.tools.process import run_command
from pipeline.tools.registry import register

#: The rules that ship with secpipe; SECPIPE_SEMGREP_RULES (a file or directory,
#: in ScanTarget.env or the environment) replaces them.
BUNDLED_RULES = Path(__file__).with_name("semgrep_rules")
RULES_ENV = "SECPIPE_SEMGREP_RULES"
_SOURCE_SUFFIXES = (".py", ".php", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".html", ".go", ".java", ".rb")


@register
class SemgrepRunner(ExecutableRunner):
    name = "semgrep"
    stage = Stage.SAST
    parser = "semgrep"
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
            [program, "scan", *configs, "--json", "--output", report,
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
        run = outcome.parsed(self, report, duration_s=result.duration_s, incomplete=_unanalysed(document))
        prefixes = sorted({_rule_id_prefix(path) for path in rule_files}, key=len, reverse=True)
        run.findings = [_without_prefix(finding, prefixes) for finding in run.findings]
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


def _rule_id_prefix(rule_file: Path) -> str:
    """semgrep prefixes each rule id with the dotted directory of its config file
    (/opt/x/rules/a.yaml -> "opt.x.rules."): machine-specific, so it is removed."""
    return ".".join(rule_file.parent.parts[1:]) + "."


def _without_prefix(finding: Finding, prefixes: list[str]) -> Finding:
    for prefix in prefixes:
        if finding.rule_id.startswith(prefix):
            rule_id = finding.rule_id[len(prefix):]
            title = rule_id if finding.title == finding.rule_id else finding.title
            return replace(finding, rule_id=rule_id, title=title)
    return finding



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
