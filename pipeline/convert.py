"""Findings -> validated ASFF: the step shared by `parse`, `publish` and `scan`."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

from pipeline.context import ScanContext
from pipeline.finding import Finding
from pipeline.gc_pause import paused_gc

# pipeline.asff and its validator are imported on the first finding: the validator loads
# botocore's Security Hub model (a fifth of a second), which a report with no findings never needs.


def to_validated_asff(findings: Iterable[Finding], context: ScanContext) -> list[dict[str, Any]]:
    """ASFF for every finding; AsffValidationError (a bug in to_asff) is never swallowed."""
    with paused_gc():  # 100,000 findings' ASFF is millions of containers and no cycles
        return list(iter_validated_asff(findings, context))


def iter_validated_asff(findings: Iterable[Finding], context: ScanContext) -> Iterator[dict[str, Any]]:
    """The same, one finding at a time, for writers that stream (callers pause the GC)."""
    remaining = iter(findings)
    first = next(remaining, None)
    if first is None:
        return
    from pipeline.asff import to_asff_with_size_bound
    from pipeline.asff_validation import validate

    for finding in chain((first,), remaining):
        # The size bound to_asff took of the finding it returns is the validator's size check.
        asff, size_bound = to_asff_with_size_bound(finding, context)
        yield validate(asff, size_bound)
