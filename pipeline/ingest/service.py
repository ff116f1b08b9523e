"""One report object in S3 -> findings in Security Hub, once per object version.

    locate (HeadObject: version, size cap) -> claim (idempotency record)
      -> origin (tool, repo, branch, ... from key layout, metadata, event)
      -> read (GetObject of that version) -> parse -> ASFF (context from STS)
      -> not older than the scope's newest report? (else "superseded")
      -> SecurityHubSink.publish (archival only for a complete run)
      -> record COMPLETED | release for a retry

A RejectedReport ends as a result (status "rejected", logged, recorded), every
other failure is raised after the claim is released, so Lambda retries it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from parsers import registry
from parsers.base import Report
from pipeline.context import ScanContext, utc_now
from pipeline.convert import to_validated_asff
from pipeline.errors import ReportError
from pipeline.ingest.errors import FindingsNotAccepted, IngestInProgress, RejectedReport
from pipeline.ingest.events import ReportEvent, report_events
from pipeline.ingest.idempotency import ClaimState, DynamoDbIdempotency
from pipeline.ingest.objects import ReportObject, S3ReportReader
from pipeline.ingest.ordering import ScopeOrder
from pipeline.ingest.origin import ReportOrigin, report_origin
from pipeline.ingest.result import DUPLICATE, PUBLISHED, REJECTED, SUPERSEDED, IngestResult
from pipeline.sinks.base import Scope
from pipeline.sinks.securityhub import SecurityHubSink

log = logging.getLogger(__name__)


class Ingestor:
    def __init__(self, reader: S3ReportReader, store: DynamoDbIdempotency, order: ScopeOrder,
                 sink: SecurityHubSink, context: ScanContext, clock: Callable[[], datetime] = utc_now):
        """`context` holds the account, region, partition and product (from STS); the rest comes per report."""
        self.reader = reader
        self.store = store
        self.order = order
        self.sink = sink
        self.context = context
        self.clock = clock

    def ingest(self, event: Any, lease_seconds: float) -> list[IngestResult]:
        """Every object the event names, in order; the first retryable failure is raised.

        Objects before it are recorded as done, so the retry skips them.
        """
        return [self.ingest_object(report_event, lease_seconds) for report_event in report_events(event)]

    def ingest_object(self, event: ReportEvent, lease_seconds: float) -> IngestResult:
        try:
            obj = self.reader.locate(event)
        except RejectedReport as exc:  # no version to record: nothing was claimed
            return self._rejected(exc, event.location, None)
        claim = self.store.claim(obj.identity, lease_seconds)
        if claim.state is ClaimState.DONE:
            first = IngestResult.from_dict(claim.result or {"status": DUPLICATE, "location": obj.location})
            log.info("already ingested", extra={"s3_object": obj.identity, "first_status": first.status})
            return replace(first, status=DUPLICATE)
        if claim.state is ClaimState.BUSY:
            raise IngestInProgress(f"{obj.identity} is being ingested by another invocation; retry later")
        try:
            result = self._publish(event, obj)
        except RejectedReport as exc:
            result = self._rejected(exc, obj.location, obj)
        except BaseException:
            self.store.release(obj.identity)
            raise
        self.store.complete(obj.identity, result.as_dict())
        return result

    def _publish(self, event: ReportEvent, obj: ReportObject) -> IngestResult:
        origin = report_origin(event, obj)
        data = self.reader.read(obj)
        tool = self._parser_name(origin, obj, data)
        try:
            findings = registry.parse_report(tool, data, obj.location)
        except ReportError as exc:
            raise RejectedReport(obj.location, exc.problem) from None
        context = replace(self.context, repo=origin.repo, branch=origin.branch, commit=origin.commit,
                          build_id=origin.build_id, now=self.clock())
        asff = to_validated_asff(findings, context)
        # Checked once the report is known to be valid, so a broken upload never supersedes a good one.
        newer = self._newer_report(origin, tool, obj)
        if newer:
            log.warning("report superseded", extra={"s3_object": obj.identity, "superseded_by": newer})
            return IngestResult(status=SUPERSEDED, location=obj.location, revision=_revision(obj), tool=tool,
                                repo=origin.repo, branch=origin.branch, complete=origin.complete, superseded_by=newer)
        # The scope is named here, not derived from the findings, so a complete run
        # that found nothing still archives what it no longer reports.
        scope = Scope(repo=origin.repo, branch=origin.branch, tool=tool, complete=origin.complete)
        published = self.sink.publish(asff, [scope])
        if not published.ok:
            raise FindingsNotAccepted(obj.identity, published.failed, published.unsuppressed)
        result = IngestResult(status=PUBLISHED, location=obj.location, revision=_revision(obj), tool=tool,
                              repo=origin.repo, branch=origin.branch, complete=origin.complete,
                              sent=published.sent, accepted=published.accepted, failed=len(published.failed),
                              archived=published.archived, suppressed=published.suppressed)
        log.info("report ingested", extra={"s3_object": obj.identity, "result": result.as_dict()})
        return result

    def _newer_report(self, origin: ReportOrigin, tool: str, obj: ReportObject) -> str | None:
        if obj.last_modified is None:  # S3 always sends it; a caller-built object may not
            return None
        return self.order.newer_report(origin.repo, origin.branch, tool, obj.last_modified, obj.location)

    @staticmethod
    def _parser_name(origin: ReportOrigin, obj: ReportObject, data: bytes) -> str:
        """The parser's name, which is also the findings' secpipe/tool (and so the archival scope)."""
        try:
            if origin.tool == "auto":
                return registry.detect(Report(obj.location, data)).name
            return registry.get(origin.tool).name
        except ReportError as exc:
            raise RejectedReport(obj.location, exc.problem) from None
        except ValueError as exc:  # unknown tool name
            raise RejectedReport(obj.location, str(exc)) from None

    @staticmethod
    def _rejected(exc: RejectedReport, location: str, obj: ReportObject | None) -> IngestResult:
        log.error("report rejected", extra={"s3_object": obj.identity if obj else location, "error": str(exc)})
        return IngestResult(status=REJECTED, location=location, revision=_revision(obj) if obj else None,
                            error=str(exc))


def _revision(obj: ReportObject) -> str:
    return obj.version_id or obj.etag
