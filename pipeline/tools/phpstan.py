"""PHPStan (SAST, PHP): `phpstan analyse --error-format=json --no-progress` -> raw/phpstan.json.

The project's own vendor/bin/phpstan (composer) wins over one on PATH, so the
version the project pinned is the one that runs. Without a phpstan.neon of the
project, a temporary config gives the level (PHPSTAN_LEVEL, default 5) and the
paths, with the dependencies in vendor/ scanned for symbols but not analysed.

Exit 0 is clean, 1 is "errors found"; both must come with the JSON report.
Anything else, or output that is not JSON (a fatal error, a memory limit), is an
ERROR. Errors PHPStan could not tie to a file mean part of the code was not
analysed: INCOMPLETE.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.files import SKIPPED_DIRS, iter_files, with_suffix
from pipeline.tools.process import run_command, scanner_environment
from pipeline.tools.registry import register

REPORT = "phpstan.json"
PROJECT_CONFIGS = ("phpstan.neon", "phpstan.neon.dist", "phpstan.dist.neon")
DEFAULT_LEVEL = "5"
DEFAULT_MEMORY_LIMIT = "1G"
_PHP_SKIPPED = SKIPPED_DIRS | {"vendor"}


def generated_config(root: Path, level: str) -> str:
    """A neon config analysing root, with vendor/ scanned for symbols only (JSON strings are valid neon)."""
    lines = ["parameters:", f"\tlevel: {level}", "\tpaths:", f"\t\t- {json.dumps(str(root))}"]
    vendor = root / "vendor"
    if vendor.is_dir():
        lines += ["\texcludePaths:", "\t\tanalyse:", f"\t\t\t- {json.dumps(str(vendor))}"]
    return "\n".join(lines) + "\n"


def generic_errors(report: Path) -> list[str]:
    try:
        errors = json.loads(report.read_bytes()).get("errors") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [str(e) for e in errors] if isinstance(errors, list) else []


@register
class PhpstanRunner(ExecutableRunner):
    name = "phpstan"
    stage = Stage.SAST
    parser = "phpstan"
    typical_cpu_s = 4.0
    executable = "phpstan"
    install_hint = "CodeBuild image only: composer require --dev phpstan/phpstan (or phpstan.phar on PATH)"

    def missing(self) -> str | None:
        return None if self.program() else "PHPStan is not installed (runs in CodeBuild, or vendor/bin/phpstan)"

    def program_for(self, target: ScanTarget) -> Path | None:
        vendored = target.path / "vendor" / "bin" / "phpstan"
        if vendored.is_file() and os.access(vendored, os.X_OK):
            return vendored.resolve()
        return self.program()

    def applies(self, target: ScanTarget) -> bool:
        return (target.path / "composer.json").is_file() or next(
            iter_files(target.path, with_suffix(".php"), skip_dirs=frozenset(_PHP_SKIPPED)), None) is not None

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program_for(target)
        if program is None:
            return ToolRun(self.name, self.stage, ToolStatus.NOT_INSTALLED, detail=self.missing() or "")
        settings = {**os.environ, **target.env}
        root = target.path.resolve()
        raw_dir.mkdir(parents=True, exist_ok=True)
        report = raw_dir / REPORT
        argv: list[str | Path] = [program, "analyse", "--error-format=json", "--no-progress", "--no-interaction",
                                  f"--memory-limit={settings.get('PHPSTAN_MEMORY_LIMIT') or DEFAULT_MEMORY_LIMIT}"]
        with tempfile.TemporaryDirectory(prefix="secpipe-phpstan-") as scratch:
            if not any((root / name).is_file() for name in PROJECT_CONFIGS):
                config = Path(scratch) / "phpstan.neon"
                config.write_text(generated_config(root, settings.get("PHPSTAN_LEVEL") or DEFAULT_LEVEL),
                                  encoding="utf-8")
                argv += ["-c", config]
            result = run_command(argv, timeout_s=timeout_s, cwd=root, env=scanner_environment(target.env),
                                 stdout_path=report)
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        if result.returncode not in (0, 1):
            return outcome.exit_failure(self, result)
        if not _is_json(report):
            first = _first_line(report) or result.stderr_line() or "no output"
            return outcome.error(self, f"PHPStan did not write a JSON report (exit {result.returncode}): {first}",
                                 report_path=report, duration_s=result.duration_s)
        unanalysed = generic_errors(report)
        incomplete = (f"PHPStan could not analyse everything ({len(unanalysed)} error(s) not tied to a file), "
                      f"e.g. {unanalysed[0]}") if unanalysed else None
        return outcome.parsed(self, report, duration_s=result.duration_s, incomplete=incomplete)


def _is_json(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return True


def _first_line(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return next((line.strip()[:300] for line in text.splitlines() if line.strip()), "")
