"""OWASP Dependency-Check (SCA): `dependency-check.sh --scan PATH --format JSON --format XML --out raw/`.

The NVD data: with NVD_API_KEY set, Dependency-Check may update its database
and the key reaches it through a temporary properties file (mode 0600,
removed afterwards), never the command line, which CodeBuild logs and `ps`
shows. Without a key it runs `--noupdate` on the cached database (CodeBuild
caches DEPENDENCY_CHECK_DATA between builds; DEPENDENCY_CHECK_NOUPDATE=1
forces this with a key too): an unthrottled anonymous NVD download takes hours
and is rate-limited.

Both reports are kept; the JSON one is parsed. Analyzers that failed on some
files are listed in the report's scanInfo.analysisExceptions, and a non-zero
exit with a report written means the same: the run is INCOMPLETE.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pipeline.masking import redact_text
from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.files import has_file
from pipeline.tools.locate import find_executable
from pipeline.tools.process import run_command, scanner_environment
from pipeline.tools.registry import register

EXECUTABLES = ("dependency-check.sh", "dependency-check")
JSON_REPORT = "dependency-check-report.json"
XML_REPORT = "dependency-check-report.xml"
# Files some Dependency-Check analyzer reads (archives, lock files, manifests, JavaScript for RetireJS).
ANALYSED_NAMES = frozenset({"pom.xml", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
                            "composer.lock", "gemfile.lock", "go.mod", "cargo.lock", "pipfile.lock",
                            "requirements.txt", "build.gradle", "packages.config", "podfile.lock"})
ANALYSED_SUFFIXES = (".jar", ".war", ".ear", ".dll", ".exe", ".nupkg", ".nuspec", ".csproj", ".js")
EXCLUDES = ("**/.git/**", "**/.venv/**", "**/venv/**", "**/__pycache__/**", "**/.tox/**")


def _analysed(path: Path) -> bool:
    name = path.name.lower()
    return name in ANALYSED_NAMES or name.endswith(ANALYSED_SUFFIXES)


def analysis_exceptions(report: Path) -> list[str]:
    """Messages of the analyzer failures the JSON report lists (empty when none or unreadable)."""
    try:
        info = json.loads(report.read_bytes()).get("scanInfo") or {}
    except (OSError, ValueError, AttributeError):
        return []
    messages = []
    for entry in info.get("analysisExceptions") or []:
        exception = entry.get("exception", entry) if isinstance(entry, dict) else {}
        messages.append(str(exception.get("message") or "unnamed error") if isinstance(exception, dict) else str(exception))
    return messages


@register
class DependencyCheckRunner(ExecutableRunner):
    name = "dependency-check"
    stage = Stage.SCA
    parser = "dependency-check"
    typical_cpu_s = 30.0
    executable = EXECUTABLES[0]
    install_hint = "CodeBuild image only: the OWASP Dependency-Check CLI (Java) with a cached NVD database"

    def program(self) -> Path | None:
        for executable in EXECUTABLES:
            found = find_executable(executable, env=self.name)
            if found is not None:
                return found
        return None

    def missing(self) -> str | None:
        return None if self.program() else "OWASP Dependency-Check is not installed (runs in CodeBuild)"

    def applies(self, target: ScanTarget) -> bool:
        return has_file(target.path, _analysed)

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program()
        if program is None:
            return ToolRun(self.name, self.stage, ToolStatus.NOT_INSTALLED, detail=self.missing() or "")
        settings: Mapping[str, str] = {**os.environ, **target.env}
        api_key = settings.get("NVD_API_KEY", "").strip()
        raw_dir.mkdir(parents=True, exist_ok=True)
        for stale in (JSON_REPORT, XML_REPORT):
            (raw_dir / stale).unlink(missing_ok=True)
        argv: list[str | Path] = [program, "--scan", target.path.resolve(), "--format", "JSON", "--format", "XML",
                                  "--out", raw_dir.resolve(), "--project", target.path.resolve().name or "project"]
        for pattern in EXCLUDES:
            argv += ["--exclude", pattern]
        if settings.get("DEPENDENCY_CHECK_DATA"):
            argv += ["--data", settings["DEPENDENCY_CHECK_DATA"]]
        # The key never reaches the scanner's environment either: Dependency-Check does not read it there.
        env = scanner_environment({k: v for k, v in target.env.items() if k != "NVD_API_KEY"})
        env.pop("NVD_API_KEY", None)
        with tempfile.TemporaryDirectory(prefix="secpipe-dc-") as private:
            if api_key and settings.get("DEPENDENCY_CHECK_NOUPDATE", "").strip() != "1":
                properties = Path(private) / "nvd.properties"
                properties.touch(mode=0o600)
                properties.write_text(f"nvd.api.key={api_key}\n", encoding="utf-8")
                argv += ["--propertyfile", properties]
            else:
                argv.append("--noupdate")
            result = run_command(argv, timeout_s=timeout_s, cwd=target.path.resolve(), env=env)
        secrets = [api_key] if api_key else []
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        report = raw_dir / JSON_REPORT
        if not report.is_file():
            said = redact_text(result.stderr_line() or result.stdout.decode("utf-8", "replace").strip()[-300:], secrets)
            return outcome.error(self, f"exited with code {result.returncode} without a report"
                                 + (f": {said}" if said else ""), duration_s=result.duration_s)
        problems = analysis_exceptions(report)
        reasons = []
        if problems:
            reasons.append(f"{len(problems)} analysis error(s), e.g. {problems[0]}")
        if result.returncode != 0:
            said = redact_text(result.stderr_line(), secrets)
            reasons.append(f"exited with code {result.returncode}" + (f": {said}" if said else ""))
        return outcome.parsed(self, report, duration_s=result.duration_s,
                              incomplete=redact_text("; ".join(reasons), secrets) or None)
