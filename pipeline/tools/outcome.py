"""Building a ToolRun from what happened: the statuses every runner shares, said the same way."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parsers.registry import parse_report
from pipeline.errors import ReportError
from pipeline.registry import UnknownName
from pipeline.tools.base import ToolRun, ToolRunner, ToolStatus
from pipeline.tools.locate import not_installed_message
from pipeline.tools.process import ProcessResult


def read_report_object(report: Path) -> dict[str, Any] | None:
    """A raw JSON report's top-level object, or None when missing, unreadable or not an object.

    Runners look inside before parsing (error objects, skipped files) to decide the status.
    """
    try:
        document = json.loads(report.read_bytes())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def unchecked(runner: ToolRunner, detail: str, *, report_path: Path | None = None, duration_s: float = 0.0) -> ToolRun:
    """INCOMPLETE without findings: the tool ran but could not get what it checks against
    (an advisory database it cannot reach). Never shown or gated as clean."""
    return ToolRun(runner.name, runner.stage, ToolStatus.INCOMPLETE, report_path=report_path,
                   detail=_one_line(detail), duration_s=duration_s)


def not_installed(runner: ToolRunner) -> ToolRun:
    return ToolRun(runner.name, runner.stage, ToolStatus.NOT_INSTALLED, detail=not_installed_message(runner.name))


def not_configured(runner: ToolRunner, detail: str) -> ToolRun:
    return ToolRun(runner.name, runner.stage, ToolStatus.NOT_CONFIGURED, detail=detail)


def error(runner: ToolRunner, detail: str, *, report_path: Path | None = None, duration_s: float = 0.0) -> ToolRun:
    return ToolRun(runner.name, runner.stage, ToolStatus.ERROR, report_path=report_path,
                   detail=_one_line(detail), duration_s=duration_s)


def process_failure(runner: ToolRunner, result: ProcessResult, timeout_s: float) -> ToolRun | None:
    """ERROR for a process that timed out or could not start; None when it ran to an exit code."""
    if result.timed_out:
        return error(runner, f"timed out after {timeout_s:g}s", duration_s=result.duration_s)
    if result.start_error:
        return error(runner, result.start_error, duration_s=result.duration_s)
    return None


def exit_failure(runner: ToolRunner, result: ProcessResult) -> ToolRun:
    """ERROR for an exit code that means the tool failed, with the telling stderr line."""
    said = result.stderr_line()
    detail = f"exited with code {result.returncode}" + (f": {said}" if said else "")
    return error(runner, detail, duration_s=result.duration_s)


def parsed(
    runner: ToolRunner,
    report_path: Path,
    *,
    duration_s: float,
    incomplete: str | None = None,
) -> ToolRun:
    """Parse the raw report the tool wrote. FINDINGS or PASSED, or INCOMPLETE with
    `incomplete` as detail when the tool could not check everything (its findings
    are kept: what it did check still counts). A bad report is an ERROR."""
    try:
        data = report_path.read_bytes()
    except OSError as exc:
        return error(runner, f"no report written at {report_path} ({exc.strerror})", duration_s=duration_s)
    try:
        findings = parse_report(runner.parser, data, str(report_path))
    except ReportError as exc:
        return error(runner, str(exc), report_path=report_path, duration_s=duration_s)
    except UnknownName as exc:  # no parser registered under runner.parser
        return error(runner, str(exc), report_path=report_path, duration_s=duration_s)
    if incomplete:
        status = ToolStatus.INCOMPLETE
    else:
        status = ToolStatus.FINDINGS if findings else ToolStatus.PASSED
    return ToolRun(runner.name, runner.stage, status, findings=findings, report_path=report_path,
                   detail=_one_line(incomplete or ""), duration_s=duration_s)


def _one_line(text: str, limit: int = 500) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
