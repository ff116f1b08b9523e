"""Validated ASFF for sink tests, built the only allowed way (pipeline.asff.to_asff)."""
from __future__ import annotations

from typing import Any

from pipeline.asff import to_asff
from pipeline.asff_validation import validate
from pipeline.context import ScanContext
from pipeline.finding import Category, CodeLocation, Finding, Severity

ACCOUNT = "123456789012"
REGION = "us-east-1"


def context(repo: str = "demo", branch: str = "main") -> ScanContext:
    return ScanContext(account=ACCOUNT, region=REGION, repo=repo, branch=branch, commit="c0ffee")


def product_arn() -> str:
    return context().default_product_arn


def make_finding(index: int, tool: str = "bandit", description: str = "", suppressed: bool = False,
                 reason: str | None = None, snippet: str | None = None) -> Finding:
    return Finding(tool=tool, rule_id=f"R{index % 7}", title=f"issue {index}", severity=Severity.MEDIUM,
                   category=Category.SAST, description=description or f"finding number {index}",
                   code_locations=[CodeLocation(path=f"src/file_{index}.py", start_line=index + 1,
                                                snippet=snippet or f"call_{index}()")],
                   suppressed=suppressed, suppression_reason=reason)


def asff_findings(count: int, tool: str = "bandit", repo: str = "demo", branch: str = "main",
                  start: int = 0, **kwargs: Any) -> list[dict[str, Any]]:
    ctx = context(repo, branch)
    return [validate(to_asff(make_finding(i, tool, **kwargs), ctx)) for i in range(start, start + count)]
