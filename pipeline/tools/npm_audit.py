"""npm audit (SCA, JavaScript): every package.json project in the target.

npm audit needs a lock file. When a project has none, one is made in a
temporary copy (`npm install --package-lock-only --ignore-scripts`: registry
metadata only, no package scripts run, the target is never written to).
An error object in the output (ENOAUDIT, an unreachable advisory endpoint) is
an ERROR with npm's own message, never a clean pass.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.files import iter_files
from pipeline.tools.process import run_command
from pipeline.tools.registry import register

_LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json")
# Files of a project that shape its dependency tree, copied when a lock must be made.
_MANIFEST_FILES = ("package.json", ".npmrc")


def npm_projects(root: Path) -> list[Path]:
    """Directories with a package.json, outside node_modules."""
    return [p.parent for p in iter_files(root, lambda p: p.name == "package.json")]


@register
class NpmAuditRunner(ExecutableRunner):
    name = "npm-audit"
    stage = Stage.SCA
    parser = "npm-audit"
    typical_cpu_s = 2.0
    waits_on_network = True
    executable = "npm"
    install_hint = "comes with Node.js (apt-get install -y nodejs npm)"
    offline_env = (("npm_config_update_notifier", "false"), ("npm_config_fund", "false"))

    def applies(self, target: ScanTarget) -> bool:
        return bool(npm_projects(target.path))

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program()
        if program is None:
            return outcome.not_installed(self)
        projects = npm_projects(target.path)
        if not projects:
            return outcome.not_configured(self, "no package.json in the target")
        deadline = time.monotonic() + timeout_s
        root = target.path.resolve() if target.path.is_dir() else target.path.resolve().parent
        runs = []
        for index, project in enumerate(projects):
            name = "npm-audit.json" if index == 0 else f"npm-audit.{index + 1}.json"
            label = str(project.resolve().relative_to(root)) if project.resolve() != root else "."
            run = self._audit(program, project, (raw_dir / name).resolve(), deadline, timeout_s)
            if run.detail and len(projects) > 1:
                run.detail = f"{label}: {run.detail}"
            runs.append(run)
        return _combined(self, runs)

    def _audit(self, program: Path, project: Path, report: Path, deadline: float, timeout_s: float) -> ToolRun:
        if any((project / lock).is_file() for lock in _LOCK_FILES):
            return self._audit_locked(program, project, report, deadline, timeout_s)
        with tempfile.TemporaryDirectory(prefix="secpipe-npm-") as scratch:
            copy = Path(scratch)
            for name in _MANIFEST_FILES:
                if (project / name).is_file():
                    shutil.copy2(project / name, copy / name)
            locked = run_command(
                [program, "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"],
                timeout_s=_remaining(deadline), cwd=copy, env=self.environment())
            failure = outcome.process_failure(self, locked, timeout_s)
            if failure:
                return failure
            if locked.returncode != 0:
                said = locked.stderr_line()
                return outcome.error(self, f"could not make a package-lock.json (npm install exited {locked.returncode}"
                                           + (f": {said})" if said else ")"), duration_s=locked.duration_s)
            return self._audit_locked(program, copy, report, deadline, timeout_s)

    def _audit_locked(self, program: Path, project: Path, report: Path, deadline: float, timeout_s: float) -> ToolRun:
        result = run_command([program, "audit", "--json"], timeout_s=_remaining(deadline), cwd=project,
                             env=self.environment(), stdout_path=report)
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        document = outcome.read_report_object(report)
        if document is None:
            return outcome.exit_failure(self, result)
        problem = _audit_error(document)
        if problem:
            # npm ran, but its registry gave no advisories (ENOAUDIT, 405, offline): nothing was checked.
            return outcome.unchecked(self, f"npm audit could not check the dependencies: {problem}",
                                     report_path=report, duration_s=result.duration_s)
        # 0: nothing found, 1: vulnerabilities (npm also says 1 on errors, handled above).
        if result.returncode not in (0, 1):
            return outcome.exit_failure(self, result)
        return outcome.parsed(self, report, duration_s=result.duration_s)


def _remaining(deadline: float) -> float:
    return max(1.0, deadline - time.monotonic())



def _audit_error(document: dict[str, Any]) -> str | None:
    """npm's error object: {"error": {"code", "summary", "detail"}}, sometimes with a top-level message."""
    error = document.get("error")
    if not error and "message" not in document:
        return None
    parts = []
    if isinstance(error, dict):
        parts += [str(error.get(k)) for k in ("code", "summary") if error.get(k)]
    if document.get("message"):
        parts.append(str(document["message"]))
    return " - ".join(dict.fromkeys(parts)) or "npm reported an error without a message"


def _combined(runner: NpmAuditRunner, runs: list[ToolRun]) -> ToolRun:
    """One ToolRun for all projects: any failure makes the whole incomplete (or an
    error when nothing was audited); the findings of the audited ones are kept."""
    if len(runs) == 1:
        return runs[0]
    findings = [f for run in runs for f in run.findings]
    duration = sum(run.duration_s for run in runs)
    report = next((run.report_path for run in runs if run.report_path), None)
    failed = [run for run in runs if not run.status.complete]
    if len(failed) == len(runs) and all(run.status is ToolStatus.ERROR for run in runs):
        status = ToolStatus.ERROR
    elif failed:
        status = ToolStatus.INCOMPLETE
    else:
        status = ToolStatus.FINDINGS if findings else ToolStatus.PASSED
    detail = "; ".join(run.detail for run in failed if run.detail)
    return ToolRun(runner.name, runner.stage, status, findings=findings, report_path=report,
                   detail=detail, duration_s=duration)
