"""The few fields of a finding that a publish reads besides sending it.

Scopes, the product, the account check, the stale-finding query and suppression read a
finding's Id, ProductArn, AwsAccountId, RecordState and five secpipe ProductFields, and
nothing else. A findings file's findings are kept read-again-when-needed or packed
(pipeline.file_documents, pipeline.packed_documents), where every pass over them decodes
each one again, about 9 µs a finding: those passes read
the summaries made while the file was checked instead, and only the import decodes the
findings themselves. The summary is the finding with the other fields left out, so the
same code reads either.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from pipeline.sinks.archival import BRANCH_FIELD, REPO_FIELD, TOOL_FIELD
from pipeline.sinks.suppression import REASON_FIELD, SUPPRESSED_FIELD

SUMMARY_FIELDS = ("Id", "ProductArn", "AwsAccountId", "RecordState")
SUMMARY_PRODUCT_FIELDS = (REPO_FIELD, BRANCH_FIELD, TOOL_FIELD, SUPPRESSED_FIELD, REASON_FIELD)
# The same few texts on every finding of a file: held once, not once a finding.
_SHARED = ("ProductArn", "AwsAccountId", "RecordState")


def summarize(finding: dict[str, Any]) -> dict[str, Any]:
    summary = {name: finding[name] for name in SUMMARY_FIELDS if name in finding}
    for name in _SHARED:
        if isinstance(summary.get(name), str):
            summary[name] = sys.intern(summary[name])
    fields = finding.get("ProductFields")
    if isinstance(fields, dict):
        summary["ProductFields"] = {name: sys.intern(value) if isinstance(value, str) else value
                                    for name in SUMMARY_PRODUCT_FIELDS if (value := fields.get(name)) is not None}
    return summary


def summaries_of(findings: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """What to read for summary fields only: the summaries a sequence of findings keeps beside
    them (PackedDocuments, FileDocuments), else the findings themselves."""
    summaries: Sequence[dict[str, Any]] | None = getattr(findings, "summaries", None)
    return findings if summaries is None else summaries
