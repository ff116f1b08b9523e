"""The Security Hub sink: import, archive stale findings, apply suppressions.

The same code talks to AWS and to the local hub (boto3 with endpoint_url).

Accounting: `sent`, `accepted` and `failed` cover every finding given to
BatchImportFindings in this publish: the current findings and the archived
copies of stale ones (`archived` says how many of the accepted were those), so
sent == accepted + len(failed) always holds. `requests` counts every HTTP
attempt (imports, queries, updates, retries included); `throttles` counts
replies that were throttling errors (HTTP 429).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.context import utc_now
from pipeline.errors import ConfigError
from pipeline.sinks.archival import StaleFindingFinder
from pipeline.sinks.base import FailedFinding, PublishResult, Scope, Sink
from pipeline.sinks.connection import Transaction
from pipeline.sinks.finding_summary import summaries_of
from pipeline.sinks.importer import FindingImporter
from pipeline.sinks.pacing import GET_FINDINGS_QUOTA, IMPORT_QUOTA, UPDATE_QUOTA, Quota, TokenBucket
from pipeline.sinks.retrying import CallStats, RetryPolicy
from pipeline.sinks.suppression import Suppressor


@dataclass(frozen=True)
class SecurityHubSettings:
    max_in_flight: int = 8  # enough to hold 10 req/s with Security Hub's latency
    import_quota: Quota = IMPORT_QUOTA
    update_quota: Quota = UPDATE_QUOTA
    get_quota: Quota = GET_FINDINGS_QUOTA
    retry: RetryPolicy = RetryPolicy()


@dataclass
class SecurityHubPublishResult(PublishResult):
    """PublishResult plus suppressions that could not be applied (they fail the run too)."""

    unsuppressed: list[FailedFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return super().ok and not self.unsuppressed


class SecurityHubSink(Sink):
    name = "securityhub"

    def __init__(self, client: Any, product_arn: str | None, settings: SecurityHubSettings = SecurityHubSettings(),
                 clock: Callable[[], datetime] = utc_now, expected_account: str | None = None,
                 transaction: Transaction | None = None):
        self.client = client
        self.transaction = transaction  # the hub's, to commit several import batches at once
        self.product_arn = product_arn
        self.expected_account = expected_account
        self.settings = settings
        self.clock = clock
        # One bucket per operation and sink, shared by all its threads, as the quota is per account.
        self.import_bucket = TokenBucket(settings.import_quota)
        self.update_bucket = TokenBucket(settings.update_quota)
        self.get_bucket = TokenBucket(settings.get_quota)

    def publish(self, findings: Sequence[dict[str, Any]], scopes: list[Scope]) -> SecurityHubPublishResult:
        summaries = summaries_of(findings)
        self._check_account(summaries)
        policy = self.settings.retry
        stats = CallStats(breaker=policy.breaker())
        importer = FindingImporter(self.client, self.import_bucket, stats, policy, self.settings.max_in_flight,
                                   self.transaction)
        result = SecurityHubPublishResult()

        current = importer.import_findings(findings)
        complete = [s for s in scopes if s.complete]
        stale_report = None
        if complete:
            if not self.product_arn:
                raise ConfigError("cannot archive stale findings: the product ARN (account) is unknown")
            finder = StaleFindingFinder(self.client, self.product_arn, self.get_bucket, stats, policy, self.clock)
            stale = finder.stale(complete, {f["Id"] for f in summaries})
            stale_report = importer.import_findings(stale)
            result.archived = stale_report.accepted

        accepted = set(current.accepted_ids)
        suppression = Suppressor(self.client, self.update_bucket, self.get_bucket, stats, policy).suppress(
            f for f in summaries if f["Id"] in accepted)
        result.suppressed = suppression.suppressed
        result.unsuppressed = suppression.failed

        for report in (current, stale_report):
            if report is not None:
                result.sent += report.sent
                result.accepted += report.accepted
                result.failed.extend(report.failed)
        result.requests = stats.requests
        result.throttles = stats.throttles
        return result

    def _check_account(self, findings: Sequence[dict[str, Any]]) -> None:
        """With the default product ARN, Security Hub only takes findings of the calling account."""
        if not self.expected_account:
            return
        others = sorted({f.get("AwsAccountId") for f in findings} - {self.expected_account}, key=str)
        if others:
            raise ConfigError(f"findings are for account(s) {', '.join(map(str, others))} but the AWS credentials are "
                              f"for {self.expected_account}; re-run `secpipe parse --account {self.expected_account}`")
