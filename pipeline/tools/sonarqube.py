"""SonarQube (SAST): sonar-scanner uploads the analysis, the Web API gives the results.

Steps: run sonar-scanner (token only in its environment as SONAR_TOKEN), read
the task id from the metadata file it writes, wait for the server's analysis
task, then fetch every page of open issues and of hotspots to review, and the
quality gate of that analysis. Raw files: `sonarqube.json` (one issues-search
shaped document holding all issues and hotspots), `sonarqube-quality-gate.json`,
`sonar-report-task.txt`, `sonar-scanner.log` (token-redacted).

Settings (ScanTarget.env over the process environment): SONAR_HOST_URL; the
token as SONAR_TOKEN or SSM SecureString SONAR_TOKEN_PARAMETER;
SONAR_PROJECT_KEY (else sonar-project.properties, else the directory name);
SONAR_BRANCH; SONAR_ISSUE_TYPES (default VULNERABILITY,BUG,CODE_SMELL);
SONAR_PAGE_SIZE; SONAR_POLL_SECONDS; SONAR_TASK_TIMEOUT (seconds to wait for the
server's analysis; default what is left of the tool's timeout, at least 30).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import SecpipeError
from pipeline.masking import redact_text
from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.process import run_command, scanner_environment
from pipeline.tools.registry import register
from pipeline.tools.sonar_client import DEFAULT_ISSUE_TYPES, MAX_PAGE_SIZE, SonarClient, SonarTimeout
from pipeline.tools.sonar_token import TOKEN_ENV, read_token, token_configured

EXECUTABLE = "sonar-scanner"
ISSUE_TYPES = {"VULNERABILITY", "BUG", "CODE_SMELL"}
REPORT = "sonarqube.json"
GATE_REPORT = "sonarqube-quality-gate.json"
TASK_FILE = "sonar-report-task.txt"
SCANNER_LOG = "sonar-scanner.log"
MIN_TASK_WAIT_S = 30.0  # the server-side analysis gets at least this long, even after a slow upload


@dataclass(frozen=True)
class SonarSettings:
    host_url: str
    project_key: str | None
    branch: str | None
    issue_types: tuple[str, ...]
    page_size: int
    poll_s: float
    task_timeout_s: float | None  # None: what is left of the tool's timeout

    @classmethod
    def from_env(cls, settings: Mapping[str, str]) -> SonarSettings:
        types = tuple(t.strip().upper() for t in settings.get("SONAR_ISSUE_TYPES", "").split(",") if t.strip())
        unknown = set(types) - ISSUE_TYPES
        if unknown:
            raise SecpipeError(f"SONAR_ISSUE_TYPES has unknown types {', '.join(sorted(unknown))}; "
                               f"use some of {', '.join(sorted(ISSUE_TYPES))}")
        try:
            page_size = int(settings.get("SONAR_PAGE_SIZE") or MAX_PAGE_SIZE)
            poll_s = float(settings.get("SONAR_POLL_SECONDS") or 2.0)
            task_timeout = settings.get("SONAR_TASK_TIMEOUT", "").strip()
            task_timeout_s = float(task_timeout) if task_timeout else None
        except ValueError:
            raise SecpipeError("SONAR_PAGE_SIZE must be an integer, SONAR_POLL_SECONDS and SONAR_TASK_TIMEOUT "
                               "numbers") from None
        return cls(host_url=settings.get("SONAR_HOST_URL", "").strip().rstrip("/"),
                   project_key=settings.get("SONAR_PROJECT_KEY", "").strip() or None,
                   branch=settings.get("SONAR_BRANCH", "").strip() or None,
                   issue_types=types or DEFAULT_ISSUE_TYPES, page_size=page_size, poll_s=poll_s,
                   task_timeout_s=task_timeout_s)


def read_task_file(path: Path) -> dict[str, str]:
    """The key=value metadata sonar-scanner writes after an upload (projectKey, ceTaskId, ...)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            values[key.strip()] = value.strip()
    return values


def default_project_key(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", path.resolve().name) or "project"


def merged_report(issues: list[dict[str, Any]], hotspots: list[dict[str, Any]],
                  components: list[dict[str, Any]]) -> dict[str, Any]:
    """All pages as one document in the shape of an api/issues/search answer, plus `hotspots`."""
    return {"total": len(issues), "p": 1, "ps": len(issues),
            "paging": {"pageIndex": 1, "pageSize": len(issues), "total": len(issues)},
            "issues": issues, "components": components, "hotspots": hotspots}


@register
class SonarQubeRunner(ExecutableRunner):
    name = "sonarqube"
    stage = Stage.SAST
    parser = "sonarqube"
    typical_cpu_s = 15.0
    waits_on_network = True
    executable = EXECUTABLE
    install_hint = "CodeBuild image only: sonar-scanner CLI plus a SonarQube server (SONAR_HOST_URL)"

    def missing(self) -> str | None:
        return None if self.program() is not None else "sonar-scanner is not installed (runs in CodeBuild)"

    def applies(self, target: ScanTarget) -> bool:
        return target.path.is_dir()

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        started = time.monotonic()
        env = {**os.environ, **target.env}
        try:
            settings = SonarSettings.from_env(env)
        except SecpipeError as exc:
            return outcome.error(self, str(exc))
        if not settings.host_url or not token_configured(env):
            return outcome.not_configured(self, "SonarQube is not configured: set SONAR_HOST_URL and SONAR_TOKEN "
                                                "or SONAR_TOKEN_PARAMETER (an SSM SecureString)")
        executable = self.program()
        if executable is None:
            return ToolRun(self.name, self.stage, ToolStatus.NOT_INSTALLED, detail=self.missing() or "")
        try:
            token = read_token(env)
        except SecpipeError as exc:
            return outcome.error(self, str(exc))
        try:
            return self._run(target, raw_dir, timeout_s, settings, executable, token, started)
        except SecpipeError as exc:  # SonarApiError and friends: one line, token masked
            return outcome.error(self, redact_text(str(exc), [token]), duration_s=time.monotonic() - started)

    def _run(self, target: ScanTarget, raw_dir: Path, timeout_s: float, settings: SonarSettings,
             executable: Path, token: str, started: float) -> ToolRun:
        raw_dir.mkdir(parents=True, exist_ok=True)
        task_file = raw_dir / TASK_FILE
        task_file.unlink(missing_ok=True)  # a stale file would point at an old analysis
        argv = [str(executable), f"-Dsonar.host.url={settings.host_url}",
                f"-Dsonar.projectBaseDir={target.path.resolve()}",
                f"-Dsonar.scanner.metadataFilePath={task_file.resolve()}", "-Dsonar.qualitygate.wait=false"]
        if settings.project_key or not (target.path / "sonar-project.properties").is_file():
            argv.append(f"-Dsonar.projectKey={settings.project_key or default_project_key(target.path)}")
        if settings.branch:
            argv.append(f"-Dsonar.branch.name={settings.branch}")
        log = raw_dir / SCANNER_LOG
        # The scanner's work files go to a scratch directory, not into the scanned repository.
        with tempfile.TemporaryDirectory(prefix="secpipe-sonar-") as scratch:
            argv.append(f"-Dsonar.working.directory={Path(scratch) / 'scannerwork'}")
            result = run_command(argv, timeout_s=timeout_s, cwd=target.path,
                                 env=scanner_environment({**target.env, TOKEN_ENV: token}), stdout_path=log)
        _redact_file(log, token)
        if result.timed_out or result.start_error:
            return outcome.process_failure(self, result, timeout_s)  # type: ignore[return-value]
        if result.returncode != 0:
            said = redact_text(result.stderr_line(), [token])
            return outcome.error(self, f"sonar-scanner exited with code {result.returncode}"
                                 + (f": {said}" if said else f" (see {log})"), duration_s=result.duration_s)
        if not task_file.is_file():
            return outcome.error(self, f"sonar-scanner wrote no {TASK_FILE}: nothing was uploaded",
                                 duration_s=result.duration_s)
        task = read_task_file(task_file)
        if not task.get("ceTaskId") or not task.get("projectKey"):
            return outcome.error(self, f"{task_file} names no ceTaskId/projectKey", duration_s=result.duration_s)

        client = SonarClient(settings.host_url, token)
        wait_s = settings.task_timeout_s
        if wait_s is None:
            wait_s = max(MIN_TASK_WAIT_S, timeout_s - (time.monotonic() - started))
        try:
            finished = client.wait_for_task(task["ceTaskId"], timeout_s=wait_s, poll_s=settings.poll_s)
        except SonarTimeout as exc:
            # Results on the server are the previous analysis's: none of them can be reported as this run's.
            return outcome.error(self, str(exc), duration_s=time.monotonic() - started)
        project = task["projectKey"]
        issues = client.issues(project, settings.issue_types, settings.branch, settings.page_size)
        hotspots = client.hotspots(project, settings.branch, settings.page_size)
        gate = client.quality_gate(analysis_id=finished.get("analysisId"), project_key=project,
                                   branch=settings.branch)

        components = {c.get("key"): c for page in issues.pages + hotspots.pages
                      for c in page.get("components") or [] if isinstance(c, dict)}
        report = raw_dir / REPORT
        report.write_text(json.dumps(merged_report(issues.items, hotspots.items, list(components.values())),
                                     indent=1), encoding="utf-8")
        (raw_dir / GATE_REPORT).write_text(json.dumps({"projectKey": project, "analysisId": finished.get(
            "analysisId"), "projectStatus": gate}, indent=1), encoding="utf-8")

        cut = [f"{what} stopped at SonarQube's 10000-result search window ({len(r.items)} of {r.total})"
               for what, r in (("issues", issues), ("hotspots", hotspots)) if not r.complete]
        run = outcome.parsed(self, report, duration_s=time.monotonic() - started,
                             incomplete="; ".join(cut) or None)
        gate_line = f"quality gate {gate.get('status', 'NONE')}"
        run.detail = redact_text(f"{run.detail}; {gate_line}" if run.detail else gate_line, [token])
        return run


def _redact_file(path: Path, token: str) -> None:
    """sonar-scanner does not print the token, but a plugin or a debug flag might: mask it anyway."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    if token in text:
        path.write_text(redact_text(text, [token]), encoding="utf-8")


