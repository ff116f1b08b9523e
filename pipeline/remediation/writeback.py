"""Outcomes -> Security Hub (or the local hub) with BatchUpdateFindings: Workflow status + Note.

One request carries one Workflow status and one Note for all its findings, so
outcomes are grouped by (status, note) and sent in batches of at most 100, while the
engine is still working (`OutcomeWriter`), so writing back overlaps fixing.
Throttling (TooManyRequestsException, ThrottlingException, HTTP 429) and 5xx are
retried with jittered backoff under the published 10 requests/s; findings the hub
reports as unprocessed are retried, and any still unprocessed at the end raise an
error naming them, so an outcome is never lost silently. Dry-run outcomes (planned)
and findings that were never ours (`Outcome.write_back` False) are not written.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.remediation.outcome import WORKFLOW_FOR, Outcome
from pipeline.sinks.pacing import UPDATE_QUOTA, TokenBucket
from pipeline.sinks.retrying import RETRYABLE_ITEM_CODES, CallStats, HubError, RetryPolicy, call_with_retry

UPDATED_BY = "secpipe-remediation"
NOTE_MAX = 512
MAX_IDENTIFIERS = 100
_ELLIPSIS = "…"


class WritebackError(HubError):
    """Outcomes the hub did not take after every retry; names the findings (exit 1)."""


@dataclass
class WritebackReport:
    sent: int = 0  # findings sent (identifiers, counted once)
    processed: int = 0
    requests: int = 0
    throttles: int = 0
    unprocessed: list[tuple[str, str]] = field(default_factory=list)  # (finding id, error code)
    errors: list[str] = field(default_factory=list)  # whole requests that failed, why


def note_for(outcome: Outcome) -> str:
    """What changed or why not, with where: a person reading the finding needs all of it."""
    where = (f"[{outcome.control_id or 'unknown control'} | account {outcome.account} | {outcome.region} | "
             f"{outcome.resource}]")
    text = f"secpipe {outcome.outcome.value}: {outcome.detail} {where}"
    if len(text) <= NOTE_MAX:
        return text
    # The place matters more than the end of a long error message: cut the detail, keep `where`.
    room = NOTE_MAX - len(f"secpipe {outcome.outcome.value}:  {where}") - len(_ELLIPSIS)
    if room > 20:
        return f"secpipe {outcome.outcome.value}: {outcome.detail[:room]}{_ELLIPSIS} {where}"
    return text[:NOTE_MAX - len(_ELLIPSIS)] + _ELLIPSIS


def record_outcomes(securityhub_client: Any, outcomes: Iterable[Outcome], *, policy: RetryPolicy = RetryPolicy(),
                    bucket: TokenBucket | None = None) -> WritebackReport:
    """Writes every outcome that has a Workflow status; raises WritebackError naming any it could not."""
    # Everything is queued before sending starts, so equal notes always share requests.
    writer = OutcomeWriter(securityhub_client, policy=policy, bucket=bucket, start=False)
    try:
        for outcome in outcomes:
            writer.add(outcome)
    finally:
        report = writer.close()
    return report


class OutcomeWriter:
    """Writes outcomes while the engine is still producing them (`add` from any thread).

    Sender threads take whatever has queued up, group it by (status, note) and send it,
    so the write-back overlaps the remediation instead of following it. `close` waits
    for everything, then raises WritebackError naming any finding the hub did not take.
    """

    def __init__(self, securityhub_client: Any, *, policy: RetryPolicy = RetryPolicy(),
                 bucket: TokenBucket | None = None, senders: int = 4, start: bool = True):
        self._client = securityhub_client
        self._policy = policy
        self._bucket = bucket or TokenBucket(UPDATE_QUOTA)
        self._stats = CallStats()
        self._queue: queue.Queue[Outcome | None] = queue.Queue()
        self.report = WritebackReport()
        self._lock = threading.Lock()
        self._crash: BaseException | None = None
        self._threads = [threading.Thread(target=self._drain, name=f"secpipe-writeback-{n}", daemon=True)
                         for n in range(senders)]
        self._started = False
        if start:
            self._start()

    def _start(self) -> None:
        if not self._started:
            self._started = True
            for thread in self._threads:
                thread.start()

    def add(self, outcome: Outcome) -> None:
        if WORKFLOW_FOR[outcome.outcome] is not None and outcome.write_back:
            if not outcome.product_arn:
                raise WritebackError(f"finding {outcome.finding_id} has no ProductArn to write its outcome to")
            self._queue.put(outcome)

    def close(self) -> WritebackReport:
        self._start()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        report = self.report
        report.requests, report.throttles = self._stats.requests, self._stats.throttles
        if self._crash is not None:
            raise self._crash
        if report.unprocessed:
            listed = ", ".join(f"{finding_id} ({code})" for finding_id, code in report.unprocessed[:10])
            more = f" and {len(report.unprocessed) - 10} more" if len(report.unprocessed) > 10 else ""
            why = f"; {report.errors[0]}" if report.errors else ""
            raise WritebackError(f"the hub did not record the outcome of {len(report.unprocessed)} finding(s): "
                                 f"{listed}{more}{why}")
        return report

    def _drain(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            taken = [first]
            stop = False
            while len(taken) < MAX_IDENTIFIERS * 10:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                taken.append(item)
            try:
                self._write(taken)
            except BaseException as exc:  # a bug: kept and raised by close(), never swallowed
                self._crash = exc
                with self._lock:
                    self.report.unprocessed.extend((o.finding_id, "NotSent") for o in taken)
            if stop:
                return

    def _write(self, outcomes: list[Outcome]) -> None:
        for (status, note), identifiers in _groups(outcomes).items():
            request = {"Workflow": {"Status": status}, "Note": {"Text": note, "UpdatedBy": UPDATED_BY}}
            with self._lock:
                self.report.sent += len(identifiers)
            for start in range(0, len(identifiers), MAX_IDENTIFIERS):
                _send(self._client, identifiers[start:start + MAX_IDENTIFIERS], request, self._policy, self._bucket,
                      self._stats, self.report, self._lock)


def _groups(outcomes: Iterable[Outcome]) -> dict[tuple[str, str], list[dict[str, str]]]:
    groups: dict[tuple[str, str], dict[tuple[str, str], dict[str, str]]] = {}
    for outcome in outcomes:
        status = WORKFLOW_FOR[outcome.outcome]
        if status is None or not outcome.write_back:
            continue
        identifier = {"Id": outcome.finding_id, "ProductArn": outcome.product_arn}
        # A finding named twice in one request is refused: keep one per (status, note).
        groups.setdefault((status, note_for(outcome)), {})[(outcome.finding_id, outcome.product_arn)] = identifier
    return {key: list(found.values()) for key, found in groups.items()}


def _send(client: Any, pending: list[dict[str, str]], request: dict[str, Any], policy: RetryPolicy,
          bucket: TokenBucket, stats: CallStats, report: WritebackReport, lock: threading.Lock) -> None:
    last_codes: dict[str, str] = {}
    for attempt in range(policy.max_attempts):
        if attempt:
            policy.sleep(policy.backoff.delay(attempt - 1))
        try:
            reply = call_with_retry(policy, bucket, stats, client.batch_update_findings,
                                    FindingIdentifiers=pending, **request)
        except HubError as exc:  # the whole request was refused or kept failing: every finding in it is named
            with lock:
                report.unprocessed.extend((identifier["Id"], "RequestFailed") for identifier in pending)
                report.errors.append(str(exc))
            return
        with lock:
            report.processed += len(reply.get("ProcessedFindings") or [])
        retry: list[dict[str, str]] = []
        for entry in reply.get("UnprocessedFindings") or []:
            identifier = entry.get("FindingIdentifier") or {}
            code = str(entry.get("ErrorCode") or "Unknown")
            last_codes[identifier.get("Id", "?")] = code
            if code in RETRYABLE_ITEM_CODES:
                retry.append({"Id": identifier.get("Id", ""), "ProductArn": identifier.get("ProductArn", "")})
            else:
                with lock:
                    report.unprocessed.append((identifier.get("Id", "?"), code))
        pending = retry
        if not pending:
            return
    with lock:
        report.unprocessed.extend((identifier["Id"], last_codes.get(identifier["Id"], "Unknown")) for identifier in pending)
