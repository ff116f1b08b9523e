"""cfn-lint (IaC): CloudFormation templates only, found by their content."""
from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.files import iter_files, per_walk, read_head, relative_root, with_suffix
from pipeline.tools.process import run_command
from pipeline.tools.registry import register

_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# A template declares its format version, or has at least one resource of an AWS:: type.
_AWS_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::""")
# E0000 parse error, E0001 transform error, E0002 a rule crashed, E0003 bad configuration:
# each means (part of) a template went unchecked.
_UNCHECKED_RULES = re.compile(r"^E000\d$")


@per_walk
def is_cloudformation_template(path: Path) -> bool:
    if not with_suffix(*_TEMPLATE_SUFFIXES)(path):
        return False
    head = read_head(path)
    return "AWSTemplateFormatVersion" in head or ("Resources" in head and bool(_AWS_TYPE.search(head)))


def cloudformation_templates(root: Path) -> list[Path]:
    return list(iter_files(root, is_cloudformation_template))


@register
class CfnLintRunner(ExecutableRunner):
    name = "cfn-lint"
    stage = Stage.IAC
    parser = "cfn-lint"
    typical_cpu_s = 3.5
    executable = "cfn-lint"

    def applies(self, target: ScanTarget) -> bool:
        return bool(cloudformation_templates(target.path))

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program()
        if program is None:
            return outcome.not_installed(self)
        cwd, _ = relative_root(target.path)
        templates = [str(p.resolve().relative_to(cwd)) for p in cloudformation_templates(target.path)]
        if not templates:
            return outcome.not_configured(self, "no CloudFormation templates in the target")
        report = (raw_dir / "cfn-lint.json").resolve()
        result = run_command([program, "--format", "json", "--", *templates],
                             timeout_s=timeout_s, cwd=cwd, env=self.environment(), stdout_path=report)
        failure = outcome.process_failure(self, result, timeout_s)
        if failure:
            return failure
        # The exit code is a bit mask: 2 errors, 4 warnings, 8 informational. Bit 1 or
        # anything larger is cfn-lint itself failing.
        if result.returncode is None or result.returncode & 1 or result.returncode > 15 or report.stat().st_size == 0:
            return outcome.exit_failure(self, result)
        return outcome.parsed(self, report, duration_s=result.duration_s, incomplete=_unchecked(report))


def _unchecked(report: Path) -> str | None:
    try:
        matches = json.loads(report.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(matches, list):
        return None
    problems = [m for m in matches if isinstance(m, dict)
                and _UNCHECKED_RULES.match(str((m.get("Rule") or {}).get("Id", "")))]
    if not problems:
        return None
    first = problems[0]
    return (f"cfn-lint could not check {len(problems)} template(s) fully, e.g. "
            f"{first.get('Filename') or '?'}: {first.get('Message', '')}")
