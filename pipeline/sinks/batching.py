"""Split findings into BatchImportFindings requests: at most 100 findings and 6 MB each.

Size is measured on the JSON bytes botocore sends (`json.dumps` with its default
separators and ASCII escaping), plus the request envelope, so a batch that
passes here is never rejected for size.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

MAX_FINDINGS_PER_REQUEST = 100
MAX_REQUEST_BYTES = 6 * 1000 * 1000  # "6 MB", read as the smaller (decimal) megabyte to be safe
_ENVELOPE_BYTES = len(json.dumps({"Findings": []}).encode())
_SEPARATOR_BYTES = len(", ")


def encoded_size(finding: dict[str, Any]) -> int:
    return len(json.dumps(finding).encode("utf-8"))


def batches(findings: Iterable[dict[str, Any]], max_count: int = MAX_FINDINGS_PER_REQUEST,
            max_bytes: int = MAX_REQUEST_BYTES) -> list[list[dict[str, Any]]]:
    """Greedy, order-preserving split; a single finding over max_bytes is an error, not a drop."""
    return list(iter_batches(findings, max_count, max_bytes))


def iter_batches(findings: Iterable[dict[str, Any]], max_count: int = MAX_FINDINGS_PER_REQUEST,
                 max_bytes: int = MAX_REQUEST_BYTES) -> Iterator[list[dict[str, Any]]]:
    """The same split, one batch at a time, so only the batches in flight are in memory."""
    current: list[dict[str, Any]] = []
    size = _ENVELOPE_BYTES
    for finding in findings:
        item = encoded_size(finding)
        if _ENVELOPE_BYTES + item > max_bytes:
            raise ValueError(f"finding {finding.get('Id')!r} alone is {item} bytes, over the {max_bytes}-byte request limit")
        extra = item + (_SEPARATOR_BYTES if current else 0)
        if current and (len(current) >= max_count or size + extra > max_bytes):
            yield current
            current, size = [], _ENVELOPE_BYTES
            extra = item
        current.append(finding)
        size += extra
    if current:
        yield current


def request_size(batch: list[dict[str, Any]]) -> int:
    """Exact body size of a BatchImportFindings request carrying `batch`."""
    return len(json.dumps({"Findings": batch}).encode("utf-8"))
