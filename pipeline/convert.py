"""Findings -> validated ASFF: the step shared by `parse`, `publish` and `scan`."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.asff import to_asff
from pipeline.asff_validation import validate
from pipeline.context import ScanContext
from pipeline.finding import Finding
from pipeline.gc_pause import paused_gc


def to_validated_asff(findings: Iterable[Finding], context: ScanContext) -> list[dict[str, Any]]:
    """ASFF for every finding; AsffValidationError (a bug in to_asff) is never swallowed."""
    with paused_gc():  # 100,000 findings' ASFF is millions of containers and no cycles
        return [validate(to_asff(finding, context)) for finding in findings]


def iter_validated_asff(findings: Iterable[Finding], context: ScanContext) -> Iterator[dict[str, Any]]:
    """The same, one finding at a time, for writers that stream (callers pause the GC)."""
    for finding in findings:
        yield validate(to_asff(finding, context))
