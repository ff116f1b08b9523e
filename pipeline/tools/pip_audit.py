"""pip-audit (SCA, Python): requirements files, else the pyproject project.

pip-audit says "No known vulnerabilities found" and exits 0 even when it could
not look a single dependency up (no route to its vulnerability service): every
skipped dependency, an empty audit, or a network error makes the run INCOMPLETE,
never PASSED.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.files import iter_files, read_head, relative_root
from pipeline.tools.process import ProcessResult, run_command
from pipeline.tools.registry import register

_REQUIREMENTS_NAME = re.compile(r"(^|.*[-_.])requirements([-_.].*)?\.txt$", re.IGNORECASE)
# One exact pin per line (extras, environment markers and hashes allowed): then no resolver is needed.
_PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*===?\s*[^\s;\\]+\s*(;[^\\]*)?(\s*\\)?$")
_HASH_LINE = re.compile(r"^--hash[= ]")
_NETWORK_TROUBLE = re.compile(
    r"ConnectionError|Max retries exceeded|NameResolution|Temporary failure in name resolution|"
    r"timed out|Connection refused|Network is unreachable|SSLError|ProxyError", re.IGNORECASE)


def is_requirements_file(path: Path) -> bool:
    return bool(_REQUIREMENTS_NAME.match(path.name)) or (path.parent.name == "requirements" and path.suffix == ".txt")


def requirements_files(root: Path) -> list[Path]:
    return list(iter_files(root, is_requirements_file))


def has_pyproject_dependencies(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    return root.is_dir() and pyproject.is_file() and "dependencies" in read_head(pyproject)


def all_pinned(files: list[Path]) -> bool:
    """Every requirement is `name==version`: pip-audit can then skip pip entirely."""
    for path in files:
        for raw in read_head(path).splitlines():
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith("#") or _HASH_LINE.match(line):
                continue
            if not _PINNED.match(line):
                return False
    return True


@register
class PipAuditRunner(ExecutableRunner):
    name = "pip-audit"
    stage = Stage.SCA
    parser = "pip-audit"
    executable = "pip-audit"

    def applies(self, target: ScanTarget) -> bool:
        return bool(requirements_files(target.path)) or has_pyproject_dependencies(target.path)

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program()
        if program is None:
            return outcome.not_installed(self)
        cwd, scanned = relative_root(target.path)
        files = requirements_files(target.path)
        if files:
            inputs = [arg for p in files for arg in ("-r", str(p.resolve().relative_to(cwd)))]
            # Fully pinned files are audited as written, without installing anything.
            if all_pinned(files):
                inputs += ["--disable-pip", "--no-deps"]
        elif has_pyproject_dependencies(target.path):
            inputs = [scanned]
        else:
            return outcome.not_configured(self, "no requirements*.txt or pyproject.toml dependencies in the target")
        report = (raw_dir / "pip-audit.json").resolve()
        report.unlink(missing_ok=True)
        result = run_command([program, *inputs, "-f", "json", "-o", report, "--progress-spinner", "off"],
                             timeout_s=timeout_s, cwd=cwd, env=self.environment())
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        # 0: nothing known, 1: vulnerabilities found -- but also 1 for its own errors, with no report.
        if result.returncode not in (0, 1) or not report.is_file() or report.stat().st_size == 0:
            return outcome.exit_failure(self, result)
        return outcome.parsed(self, report, duration_s=result.duration_s, incomplete=_unaudited(report, result))


def _unaudited(report: Path, result: ProcessResult) -> str | None:
    try:
        document: Any = json.loads(report.read_bytes())
    except (OSError, ValueError):
        return None
    dependencies = document.get("dependencies") if isinstance(document, dict) else None
    if not isinstance(dependencies, list):
        return None
    skipped = [d for d in dependencies if isinstance(d, dict) and d.get("skip_reason")]
    if skipped:
        reason = str(skipped[0]["skip_reason"])
        return (f"pip-audit could not audit {len(skipped)} of {len(dependencies)} dependencies "
                f"(e.g. {reason}); their vulnerability data was not checked")
    if not dependencies:
        return "pip-audit audited no dependencies at all"
    trouble = _NETWORK_TROUBLE.search(result.stderr_tail)
    if trouble:
        return f"pip-audit hit a network error ({result.stderr_line()}); results may be missing"
    return None
