"""Stale findings: what a complete run of a tool on (repo, branch) no longer reports.

They are archived by importing them again with RecordState=ARCHIVED (the
provider's way; BatchUpdateFindings cannot change RecordState). The scope is
exact: ProductFields secpipe/tool, secpipe/repo and secpipe/branch EQUALS, of
this account's product, ACTIVE only; every returned finding is checked again
client-side. An incomplete scope archives nothing. A scope with no current
findings archives all of its active ones. A scope whose earlier active findings
(Scope.known_active, read by the caller before this run) are all current again has
nothing to archive, and is not queried: a run of another process that imported into
the same scope in between is the one case this misses, and its findings are that
run's current ones.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from pipeline.context import utc_now
from pipeline.sinks.base import Scope
from pipeline.sinks.pacing import TokenBucket
from pipeline.sinks.queries import equals, has_product_fields, iterate_findings, product_field_equals
from pipeline.sinks.retrying import CallStats, RetryPolicy

TOOL_FIELD, REPO_FIELD, BRANCH_FIELD = "secpipe/tool", "secpipe/repo", "secpipe/branch"

# Customer-owned or service-computed fields: an import must not try to set them.
_NOT_IMPORTED = ("Workflow", "WorkflowState", "Note", "UserDefinedFields", "VerificationState", "ProcessedAt")


def scope_fields(scope: Scope) -> dict[str, str]:
    return {TOOL_FIELD: scope.tool, REPO_FIELD: scope.repo, BRANCH_FIELD: scope.branch}


def scope_of(finding: dict[str, Any]) -> tuple[str, str, str] | None:
    """(repo, branch, tool) from a finding's ProductFields, or None if it has no secpipe scope."""
    fields = finding.get("ProductFields") or {}
    values = (fields.get(REPO_FIELD), fields.get(BRANCH_FIELD), fields.get(TOOL_FIELD))
    return values if all(values) else None  # type: ignore[return-value]


def scope_filters(scope: Scope, product_arn: str) -> dict[str, Any]:
    return {
        "ProductArn": equals(product_arn),
        "RecordState": equals("ACTIVE"),
        "ProductFields": product_field_equals(scope_fields(scope)),
    }


def archived_copy(finding: dict[str, Any], now: datetime) -> dict[str, Any]:
    # Here, not at the top: ASFF building (and the finding model under it) is 20 ms of a publish's
    # start, and only an archival needs its timestamp format.
    from pipeline.asff import timestamp

    copied = copy.deepcopy(finding)
    for name in _NOT_IMPORTED:
        copied.pop(name, None)
    copied["RecordState"] = "ARCHIVED"
    copied["UpdatedAt"] = timestamp(now)
    return copied


class StaleFindingFinder:
    def __init__(self, client: Any, product_arn: str, bucket: TokenBucket, stats: CallStats, policy: RetryPolicy,
                 clock: Callable[[], datetime] = utc_now):
        self.client = client
        self.product_arn = product_arn
        self.bucket = bucket
        self.stats = stats
        self.policy = policy
        self.clock = clock

    def stale(self, scopes: Iterable[Scope], current_ids: set[str]) -> list[dict[str, Any]]:
        """Archived copies of every active finding of the complete scopes that was not seen again."""
        now = self.clock()
        found: dict[str, dict[str, Any]] = {}
        for scope in scopes:
            if not scope.complete or (scope.known_active is not None and scope.known_active <= current_ids):
                continue
            wanted = scope_fields(scope)
            for finding in iterate_findings(self.client, self.bucket, self.stats, self.policy,
                                            scope_filters(scope, self.product_arn)):
                if (finding.get("Id") in current_ids or finding.get("ProductArn") != self.product_arn
                        or finding.get("RecordState") == "ARCHIVED" or not has_product_fields(finding, wanted)):
                    continue
                found.setdefault(finding["Id"], archived_copy(finding, now))
        return list(found.values())
