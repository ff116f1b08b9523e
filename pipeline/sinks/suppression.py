"""Findings suppressed in a tool's report or by policy -> Workflow SUPPRESSED with a Note.

A finding is to be suppressed when its ProductFields say secpipe/suppressed=true
(to_asff sets it from Finding.suppressed). BatchImportFindings cannot set
Workflow, so this is a BatchUpdateFindings after the import. Findings that are
already SUPPRESSED (read back through GetFindings) are left alone, so re-runs do
not pile up notes. One call carries one Note, so findings are grouped by reason,
100 identifiers per call.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.sinks.base import FailedFinding
from pipeline.sinks.pacing import TokenBucket
from pipeline.sinks.queries import equals, has_product_fields, iterate_findings, product_field_equals
from pipeline.sinks.retrying import RETRYABLE_ITEM_CODES, CallStats, RetryPolicy, call_with_retry

SUPPRESSED_FIELD = "secpipe/suppressed"
REASON_FIELD = "secpipe/suppression-reason"
NOTE_MAX = 512  # Note.Text limit
UPDATED_BY = "secpipe"
MAX_IDENTIFIERS = 100
DEFAULT_REASON = "Suppressed in the scanner's report or by secpipe policy."


def wants_suppression(finding: dict[str, Any]) -> bool:
    return (finding.get("ProductFields") or {}).get(SUPPRESSED_FIELD) == "true" and \
        finding.get("RecordState", "ACTIVE") != "ARCHIVED"


def note_text(finding: dict[str, Any]) -> str:
    from pipeline.asff import clean, truncate  # ASFF building is loaded only when a note is written

    reason = clean((finding.get("ProductFields") or {}).get(REASON_FIELD) or "") or DEFAULT_REASON
    return truncate(reason, NOTE_MAX)


@dataclass
class SuppressionReport:
    suppressed: int = 0
    already: int = 0
    failed: list[FailedFinding] = field(default_factory=list)


class Suppressor:
    def __init__(self, client: Any, update_bucket: TokenBucket, get_bucket: TokenBucket, stats: CallStats,
                 policy: RetryPolicy):
        self.client = client
        self.update_bucket = update_bucket
        self.get_bucket = get_bucket
        self.stats = stats
        self.policy = policy

    def suppress(self, findings: Iterable[dict[str, Any]]) -> SuppressionReport:
        wanted = [f for f in findings if wants_suppression(f)]
        report = SuppressionReport()
        if not wanted:
            return report
        already = self._already_suppressed(wanted)
        by_note: dict[str, list[dict[str, str]]] = defaultdict(list)
        for finding in wanted:
            key = (finding["ProductArn"], finding["Id"])
            if key in already:
                report.already += 1
                continue
            by_note[note_text(finding)].append({"Id": finding["Id"], "ProductArn": finding["ProductArn"]})
        for note, identifiers in by_note.items():
            for start in range(0, len(identifiers), MAX_IDENTIFIERS):
                self._update(identifiers[start:start + MAX_IDENTIFIERS], note, report)
        return report

    def _already_suppressed(self, wanted: list[dict[str, Any]]) -> set[tuple[str, str]]:
        """(ProductArn, Id) of findings already SUPPRESSED, one paged query per product/repo/branch."""
        groups = {(f["ProductArn"], (f.get("ProductFields") or {}).get("secpipe/repo"),
                   (f.get("ProductFields") or {}).get("secpipe/branch")) for f in wanted}
        result: set[tuple[str, str]] = set()
        for product_arn, repo, branch in sorted(groups, key=str):
            fields = {SUPPRESSED_FIELD: "true"}
            if repo and branch:
                fields.update({"secpipe/repo": repo, "secpipe/branch": branch})
            filters = {"ProductArn": equals(product_arn), "WorkflowStatus": equals("SUPPRESSED"),
                       "ProductFields": product_field_equals(fields)}
            for finding in iterate_findings(self.client, self.get_bucket, self.stats, self.policy, filters):
                status = (finding.get("Workflow") or {}).get("Status")
                arn, finding_id = finding.get("ProductArn"), finding.get("Id")
                # only (str, str) keys can match a wanted finding, so a reply without them adds nothing
                if (status == "SUPPRESSED" and has_product_fields(finding, fields)
                        and isinstance(arn, str) and isinstance(finding_id, str)):
                    result.add((arn, finding_id))
        return result

    def _update(self, identifiers: list[dict[str, str]], note: str, report: SuppressionReport) -> None:
        pending = identifiers
        last: dict[str, tuple[str, str]] = {}
        for attempt in range(self.policy.max_attempts):
            if attempt:
                self.policy.sleep(self.policy.backoff.delay(attempt - 1))
            response = call_with_retry(self.policy, self.update_bucket, self.stats, self.client.batch_update_findings,
                                       FindingIdentifiers=pending, Workflow={"Status": "SUPPRESSED"},
                                       Note={"Text": note, "UpdatedBy": UPDATED_BY})
            report.suppressed += len(response.get("ProcessedFindings") or [])
            retry = []
            for entry in response.get("UnprocessedFindings") or []:
                identifier = entry.get("FindingIdentifier") or {}
                code = str(entry.get("ErrorCode") or "Unknown")
                message = str(entry.get("ErrorMessage") or "")
                if code in RETRYABLE_ITEM_CODES:
                    retry.append(identifier)
                    last[identifier.get("Id", "?")] = (code, message)
                else:
                    report.failed.append(FailedFinding(identifier.get("Id", "?"), code, message))
            pending = retry
            if not pending:
                return
        for identifier in pending:
            code, message = last.get(identifier.get("Id", "?"), ("Unknown", ""))
            report.failed.append(FailedFinding(identifier.get("Id", "?"), code, message))
