"""BatchImportFindings with exact accounting: every finding ends accepted or reported.

Batches go out from a thread pool (requests in flight at once), each paced by
the shared token bucket. A batch is retried as a whole on throttling, 5xx and
lost connections; after a reply, only its retryable `FailedFindings` entries are
sent again. A reply whose SuccessCount does not match its FailedFindings list is
not trusted: the batch is resent (imports are idempotent upserts by Id).
A finding counts once in `sent` however many times it travelled.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from pipeline.bounded_map import map_bounded
from pipeline.sinks.base import FailedFinding
from pipeline.sinks.batching import iter_batches
from pipeline.sinks.connection import Transaction
from pipeline.sinks.finding_summary import summaries_of
from pipeline.sinks.pacing import TokenBucket
from pipeline.sinks.retrying import FATAL, OK, RETRYABLE_ITEM_CODES, THROTTLING_CODES, CallStats, RetryPolicy, send_once

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    sent: int = 0
    accepted_ids: list[str] = field(default_factory=list)
    failed: list[FailedFinding] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return len(self.accepted_ids)

    def merge(self, other: ImportReport) -> None:
        self.sent += other.sent
        self.accepted_ids.extend(other.accepted_ids)
        self.failed.extend(other.failed)


#: Batches committed together where the hub offers one transaction for several calls.
BATCHES_PER_TRANSACTION = 10


class FindingImporter:
    def __init__(self, client: Any, bucket: TokenBucket, stats: CallStats, policy: RetryPolicy,
                 max_in_flight: int = 8, transaction: Transaction | None = None):
        self.client = client
        self.bucket = bucket
        self.stats = stats
        self.policy = policy
        self.max_in_flight = max(1, max_in_flight)
        self.transaction = transaction

    def import_findings(self, findings: Sequence[dict[str, Any]]) -> ImportReport:
        ids = [f["Id"] for f in summaries_of(findings)]
        if len(ids) != len(set(ids)):
            raise ValueError("the same finding Id appears twice in one import")
        report = ImportReport()
        if not findings:
            return report
        if self.max_in_flight == 1:
            # One request at a time (a hub in this process): no thread to hand each batch to.
            if self.transaction is None:
                for batch in iter_batches(findings):
                    report.merge(self._import_batch(batch))
            else:
                batches = iter_batches(findings)
                while group := list(islice(batches, BATCHES_PER_TRANSACTION)):
                    report.merge(self._import_together(group))
            return report
        with ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="secpipe-import") as pool:
            # A few batches ahead of the one being merged: the others are not built yet.
            for batch_report in map_bounded(pool, self._import_batch, iter_batches(findings), 2 * self.max_in_flight):
                report.merge(batch_report)
        return report

    def _import_together(self, group: list[list[dict[str, Any]]]) -> ImportReport:
        """Batches sent inside one transaction of the hub: what its replies accepted counts only
        once the transaction has committed; if it fails, no finding of the group is stored."""
        assert self.transaction is not None
        together = ImportReport()
        try:
            with self.transaction():
                for batch in group:
                    together.merge(self._import_batch(batch))
        except Exception as exc:  # noqa: BLE001 - whatever ended the transaction, nothing in it was stored
            log.debug("the hub's transaction failed", exc_info=True)
            failed = ImportReport(sent=sum(map(len, group)))
            failed.failed = [FailedFinding(finding["Id"], "NotStored", f"the hub's transaction failed: {exc}")
                             for batch in group for finding in batch]
            return failed
        return together

    def _import_batch(self, batch: list[dict[str, Any]]) -> ImportReport:
        report = ImportReport(sent=len(batch))
        pending = {finding["Id"]: finding for finding in batch}
        last_error = {finding_id: ("NotSent", "no attempt was made") for finding_id in pending}
        for attempt in range(self.policy.max_attempts):
            if attempt:
                self.policy.sleep(self.policy.backoff.delay(attempt - 1))
            outcome = send_once(self.bucket, self.stats, self.client.batch_import_findings,
                                Findings=list(pending.values()))
            if outcome.kind == FATAL:
                report.failed.extend(FailedFinding(i, outcome.code, outcome.message) for i in pending)
                return report
            if outcome.kind != OK:
                last_error = {i: (outcome.code, outcome.message) for i in pending}
                continue
            pending, item_throttled = self._settle(outcome.response or {}, pending, report, last_error)
            if item_throttled:
                self.bucket.throttled()
            if not pending:
                return report
        attempts = self.policy.max_attempts
        for finding_id in pending:
            code, message = last_error[finding_id]
            report.failed.append(FailedFinding(finding_id, code, f"{message} (gave up after {attempts} attempts)"))
        return report

    def _settle(self, response: dict[str, Any], pending: dict[str, dict[str, Any]], report: ImportReport,
                last_error: dict[str, tuple[str, str]]) -> tuple[dict[str, dict[str, Any]], bool]:
        """Record what this reply accepted and rejected; return what to send again."""
        entries = {e.get("Id"): e for e in response.get("FailedFindings") or [] if e.get("Id") in pending}
        expected = len(pending) - len(entries)
        if int(response.get("SuccessCount", -1)) != expected:
            log.warning("BatchImportFindings reply says SuccessCount=%s but lists %d of %d as failed; resending",
                        response.get("SuccessCount"), len(entries), len(pending))
            for finding_id in pending:
                last_error[finding_id] = ("InconsistentResponse", "SuccessCount did not match FailedFindings")
            return pending, False
        retry: dict[str, dict[str, Any]] = {}
        throttled = False
        for finding_id, finding in pending.items():
            entry = entries.get(finding_id)
            if entry is None:
                report.accepted_ids.append(finding_id)
                continue
            code = str(entry.get("ErrorCode") or "Unknown")
            message = str(entry.get("ErrorMessage") or "")
            if code in RETRYABLE_ITEM_CODES:
                retry[finding_id] = finding
                last_error[finding_id] = (code, message)
                throttled = throttled or code in THROTTLING_CODES
            else:
                report.failed.append(FailedFinding(finding_id, code, message))
        return retry, throttled
