"""checkov (IaC): offline, no Bridgecrew API key, no external module downloads.

Frameworks: the IaC this pipeline meets (CloudFormation, Terraform, Dockerfile,
Kubernetes, Serverless, GitHub Actions) plus hard-coded secrets. Not `all`: the
SCA frameworks need the Bridgecrew platform, and the others only add start-up time.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun
from pipeline.tools.cfn_lint import is_cloudformation_template
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.files import SKIPPED_DIRS, has_file, per_walk, read_head, relative_root
from pipeline.tools.process import run_command
from pipeline.tools.registry import register

FRAMEWORKS = ("cloudformation", "terraform", "dockerfile", "kubernetes", "serverless", "github_actions", "secrets")
_KUBERNETES = re.compile(r"^apiVersion:.*^kind:|^kind:.*^apiVersion:", re.MULTILINE | re.DOTALL)


@per_walk
def _is_iac_candidate(path: Path) -> bool:
    """Files one of FRAMEWORKS reads. YAML and JSON only count when they are
    IaC (a package.json alone must not start a 20-second checkov run)."""
    name = path.name.lower()
    if name.endswith((".tf", ".tf.json")) or name.startswith("dockerfile") or name.endswith(".dockerfile"):
        return True
    if not name.endswith((".yaml", ".yml", ".json", ".template")):
        return False
    if name.startswith("serverless.") or ".github/workflows/" in path.as_posix():
        return True
    return is_cloudformation_template(path) or bool(_KUBERNETES.search(read_head(path, 20_000)))


@register
class CheckovRunner(ExecutableRunner):
    name = "checkov"
    stage = Stage.IAC
    parser = "checkov"
    typical_cpu_s = 4.0
    executable = "checkov"
    # No guideline download from the Bridgecrew platform (there is no API key, and no network).
    offline_env = (("BC_SKIP_MAPPING", "TRUE"), ("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false"))

    def applies(self, target: ScanTarget) -> bool:
        return has_file(target.path, _is_iac_candidate)

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program()
        if program is None:
            return outcome.not_installed(self)
        report = (raw_dir / "checkov.json").resolve()
        cwd, scanned = relative_root(target.path)
        where = ["-f", scanned] if target.path.is_file() else ["-d", scanned]
        # --skip-path takes regular expressions: anchor each name to whole path segments.
        skips = [arg for d in sorted(SKIPPED_DIRS) for arg in ("--skip-path", f"(^|/){re.escape(d)}(/|$)")]
        result = run_command(
            [program, *where, "-o", "json", "--framework", *FRAMEWORKS, "--skip-download", "--compact", *skips],
            timeout_s=timeout_s,
            cwd=cwd,
            env=self.environment(),
            stdout_path=report,
        )
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        # 0: all checks passed, 1: some failed; anything else is checkov failing.
        if result.returncode not in (0, 1) or report.stat().st_size == 0:
            return outcome.exit_failure(self, result)
        return outcome.parsed(self, report, duration_s=result.duration_s, incomplete=_parsing_errors(report))


def _parsing_errors(report: Path) -> str | None:
    """Files checkov could not parse were not checked: summary.parsing_errors in each framework's part."""
    try:
        document: Any = json.loads(report.read_bytes())
    except (OSError, ValueError):
        return None
    parts = document if isinstance(document, list) else [document]
    count = 0
    for part in parts:
        summary = part.get("summary") if isinstance(part, dict) else None
        if isinstance(summary, dict) and isinstance(summary.get("parsing_errors"), int):
            count += summary["parsing_errors"]
    return f"checkov could not parse {count} file(s); they were not checked" if count else None
