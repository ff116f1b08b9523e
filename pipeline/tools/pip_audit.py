"""pip-audit (SCA, Python): each requirements file on its own, else the pyproject project.

Each requirements file is audited by its own pip-audit call: given several at once,
pip-audit resolves them as one set and stops at two pins of one package
("duplicate requirements"), so a tree with requirements.txt and requirements-dev.txt
would get no SCA at all. Findings carry the file they come from.

pip-audit says "No known vulnerabilities found" and exits 0 even when it could
not look a single dependency up (no route to its vulnerability service): every
skipped dependency, an empty audit, or a network error makes the run INCOMPLETE,
never PASSED.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
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
    typical_cpu_s = 1.0
    waits_on_network = True
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
            audits = [_requirements_audit(path, cwd) for path in files]
        elif has_pyproject_dependencies(target.path):
            audits = [_Audit(label="pyproject.toml", inputs=[scanned], source=None)]
        else:
            return outcome.not_configured(self, "no requirements*.txt or pyproject.toml dependencies in the target")
        deadline = time.monotonic() + timeout_s  # one budget for all the files, as for any other tool
        runs = []
        for index, audit in enumerate(audits):
            name = "pip-audit.json" if len(audits) == 1 else f"pip-audit-{index + 1}.json"
            runs.append(self._audit(program, audit, (raw_dir / name).resolve(), cwd,
                                    max(1.0, deadline - time.monotonic())))
        return _combined(self, audits, runs)

    def _audit(self, program: Path, audit: _Audit, report: Path, cwd: Path, timeout_s: float) -> ToolRun:
        report.unlink(missing_ok=True)
        result = run_command([program, *audit.inputs, "-f", "json", "-o", report, "--progress-spinner", "off"],
                             timeout_s=timeout_s, cwd=cwd, env=self.environment())
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        # 0: nothing known, 1: vulnerabilities found -- but also 1 for its own errors, with no report.
        if result.returncode not in (0, 1) or not report.is_file() or report.stat().st_size == 0:
            return outcome.exit_failure(self, result)
        run = outcome.parsed(self, report, duration_s=result.duration_s, incomplete=_unaudited(report, result))
        if audit.source is not None:
            run.findings = [replace(f, packages=[replace(p, file_path=p.file_path or audit.source) for p in f.packages])
                            for f in run.findings]
        return run


@dataclass(frozen=True)
class _Audit:
    """One pip-audit call: what it is given, and the requirements file its findings come from."""

    label: str
    inputs: list[str]
    source: str | None


def _requirements_audit(path: Path, cwd: Path) -> _Audit:
    relative = str(path.resolve().relative_to(cwd))
    inputs = ["-r", relative]
    if all_pinned([path]):  # a fully pinned file is audited as written, without installing anything
        inputs += ["--disable-pip", "--no-deps"]
    return _Audit(label=relative, inputs=inputs, source=relative)


def _combined(runner: PipAuditRunner, audits: list[_Audit], runs: list[ToolRun]) -> ToolRun:
    """One ToolRun for the tree: findings of every file; incomplete when any file could not be audited
    (an error only when none could), naming the files."""
    if len(runs) == 1:
        return runs[0]
    findings = [f for run in runs for f in run.findings]
    problems = [f"{audit.label}: {run.status.value}: {run.detail}" for audit, run in zip(audits, runs, strict=True)
                if not run.status.complete]
    if not problems:
        status = ToolStatus.FINDINGS if findings else ToolStatus.PASSED
    elif all(run.status is ToolStatus.ERROR for run in runs):
        status = ToolStatus.ERROR
    else:
        status = ToolStatus.INCOMPLETE
    detail = "; ".join(problems) or f"{len(runs)} requirements file(s) audited one by one"
    reports = [run.report_path for run in runs if run.report_path is not None]
    return ToolRun(runner.name, runner.stage, status, findings=findings, report_path=reports[0] if reports else None,
                   detail=detail, duration_s=sum(run.duration_s for run in runs))


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
