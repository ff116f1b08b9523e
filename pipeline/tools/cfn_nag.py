"""cfn-nag (IaC): `cfn_nag_scan --input-path TEMPLATE --output-format json`, per template.

Templates are found by cfn-lint's detector (`cfn_lint.cloudformation_templates`),
so both IaC linters look at the same files. cfn_nag_scan runs once per template, from the
target's root with a ./relative path, so reported filenames are the same on
every machine; the JSON results are joined into one list in raw/cfn-nag.json.

Its exit code is the number of failures (modulo 256, so it can even be 0 with
failures), so the JSON decides, not the exit code. A template cfn-nag cannot
parse comes back as a FATAL violation: the run is INCOMPLETE.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pipeline.stages import Stage
from pipeline.tools import outcome
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
from pipeline.tools.cfn_lint import cloudformation_templates
from pipeline.tools.command import ExecutableRunner
from pipeline.tools.process import run_command, scanner_environment
from pipeline.tools.registry import register

REPORT = "cfn-nag.json"
FATAL = "FATAL"


def fatal_templates(results: list[dict[str, Any]]) -> list[str]:
    return [str(entry.get("filename")) for entry in results
            if any(v.get("id") == FATAL for v in (entry.get("file_results") or {}).get("violations") or []
                   if isinstance(v, dict))]


@register
class CfnNagRunner(ExecutableRunner):
    name = "cfn-nag"
    stage = Stage.IAC
    parser = "cfn-nag"
    typical_cpu_s = 3.0
    executable = "cfn_nag_scan"
    install_hint = "CodeBuild image only: gem install cfn-nag (Ruby)"

    def missing(self) -> str | None:
        return None if self.program() else "cfn-nag is not installed (runs in CodeBuild: gem install cfn-nag)"

    def applies(self, target: ScanTarget) -> bool:
        return bool(cloudformation_templates(target.path))

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        program = self.program()
        if program is None:
            return ToolRun(self.name, self.stage, ToolStatus.NOT_INSTALLED, detail=self.missing() or "")
        started = time.monotonic()
        root = target.path.resolve()
        cwd = root.parent if root.is_file() else root
        results: list[dict[str, Any]] = []
        for template in cloudformation_templates(root):
            remaining = timeout_s - (time.monotonic() - started)
            if remaining <= 0:
                return outcome.error(self, f"timed out after {timeout_s:g}s", duration_s=time.monotonic() - started)
            argument = f"./{template.relative_to(cwd).as_posix()}"
            result = run_command([program, "--input-path", argument, "--output-format", "json"],
                                 timeout_s=remaining, cwd=cwd, env=scanner_environment(target.env))
            failure = outcome.process_failure(self, result, timeout_s)
            if failure:
                return failure
            try:
                document = json.loads(result.stdout)
            except ValueError:
                said = result.stderr_line() or result.stdout.decode("utf-8", "replace").strip()[:300] or "no output"
                return outcome.error(self, f"no JSON for {argument} (exit {result.returncode}): {said}",
                                     duration_s=time.monotonic() - started)
            if not isinstance(document, list):
                return outcome.error(self, f"unexpected JSON for {argument}: a {type(document).__name__}, not a list",
                                     duration_s=time.monotonic() - started)
            results.extend(document)
        raw_dir.mkdir(parents=True, exist_ok=True)
        report = raw_dir / REPORT
        report.write_text(json.dumps(results, indent=1), encoding="utf-8")
        unparsed = fatal_templates([r for r in results if isinstance(r, dict)])
        incomplete = (f"cfn-nag could not parse {len(unparsed)} template(s): {', '.join(unparsed)}"
                      if unparsed else None)
        return outcome.parsed(self, report, duration_s=time.monotonic() - started, incomplete=incomplete)
