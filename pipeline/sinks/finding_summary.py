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

SUMMARY_PRODUCT_FIELDS = (REPO_FIELD, BRANCH_FIELD, TOOL_FIELD, SUPPRESSED_FIELD, REASON_FIELD)
# A summary's fields besides its Id: the same few texts on every finding of a file, held once
# (interned), not once a finding.
_SHARED = ("ProductArn", "AwsAccountId", "RecordState")
_intern = sys.intern


def summarize(finding: dict[str, Any]) -> dict[str, Any]:
    # Written out rather than as comprehensions: it runs once a finding, while the file is checked.
    get = finding.get
    summary: dict[str, Any] = {}
    ident = get("Id")
    if ident is not None:
        summary["Id"] = ident
    for name in _SHARED:
        value = get(name)
        if value is not None:
            summary[name] = _intern(value) if type(value) is str else value
    fields = get("ProductFields")
    if isinstance(fields, dict):
        kept: dict[str, Any] = {}
        for name in SUMMARY_PRODUCT_FIELDS:
            value = fields.get(name)
            if value is not None:
                kept[name] = _intern(value) if type(value) is str else value
        summary["ProductFields"] = kept
    return summary


def summaries_of(findings: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """What to read for summary fields only: the summaries a sequence of findings keeps beside
    them (PackedDocuments, FileDocuments), else the findings themselves."""
    summaries: Sequence[dict[str, Any]] | None = getattr(findings, "summaries", None)
    return findings if summaries is None else summaries
