"""bandit (SAST, Python): `bandit -r PATH -f json -o raw/bandit.json`."""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.files import SKIPPED_DIRS, has_file, relative_root, with_suffix
from pipeline.tools.inline_suppression import keep_inline_suppressed
from pipeline.tools.process import run_command
from pipeline.tools.registry import register

# bandit matches these as substrings of each path; the slashes keep ".venv" from
# also excluding "my.venvfile.py". Its own defaults are repeated because -x replaces them.
_EXCLUDES = ",".join(sorted(f"*/{d}/*" for d in SKIPPED_DIRS | {"CVS", ".bzr", ".eggs"}))


@register
class BanditRunner(ExecutableRunner):
    name = "bandit"
    stage = Stage.SAST
    parser = "bandit"
    typical_cpu_s = 0.5
    executable = "bandit"

    def applies(self, target: ScanTarget) -> bool:
        return has_file(target.path, with_suffix(".py"))

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program()
        if program is None:
            return outcome.not_installed(self)
        report = raw_dir / "bandit.json"
        report.unlink(missing_ok=True)
        cwd, scanned = relative_root(target.path)
        result = run_command(
            # --ignore-nosec: a `# nosec` result is reported, and kept as a suppressed finding below.
            [program, "-r", scanned, "-f", "json", "-o", report.resolve(), "-x", _EXCLUDES, "-q", "--ignore-nosec"],
            timeout_s=timeout_s,
            cwd=cwd,
        )
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        # 0: nothing found, 1: issues found; anything else, or no report, is bandit failing.
        if result.returncode not in (0, 1) or not report.is_file():
            return outcome.exit_failure(self, result)
        run = outcome.parsed(self, report, duration_s=result.duration_s, incomplete=_skipped_files(report))
        run.findings = keep_inline_suppressed(run.findings, cwd, self.name)
        return run


def _skipped_files(report: Path) -> str | None:
    """bandit lists the files it could not analyse (syntax errors, unreadable) in errors[]."""
    try:
        errors = json.loads(report.read_bytes()).get("errors") or []
    except (OSError, ValueError, AttributeError):
        return None  # the parser gives the clear message for a bad report
    if not errors:
        return None
    first = errors[0]
    where = f"{first.get('filename', '?')}: {first.get('reason', 'unknown reason')}" if isinstance(first, dict) else str(first)
    return f"bandit could not analyse {len(errors)} file(s), e.g. {where}"
