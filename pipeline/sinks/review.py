"""Reading and updating findings in a hub for people: list, show, set workflow with a note."""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import ConfigError
from pipeline.sinks.base import FailedFinding
from pipeline.sinks.pacing import GET_FINDINGS_QUOTA, UNLIMITED, UPDATE_QUOTA, TokenBucket
from pipeline.sinks.queries import equals, iterate_findings, product_field_equals
from pipeline.sinks.retrying import RETRYABLE_ITEM_CODES, CallStats, RetryPolicy, call_with_retry

WORKFLOW_STATUSES = ("NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED")
RECORD_STATES = ("ACTIVE", "ARCHIVED")
NOTE_MAX = 512
MAX_IDENTIFIERS = 100


@dataclass(frozen=True)
class FindingQuery:
    severities: tuple[str, ...] = ()
    tool: str | None = None
    repo: str | None = None
    branch: str | None = None
    workflow: str | None = None
    record_state: str | None = "ACTIVE"  # None: both states

    def filters(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.severities:
            result["SeverityLabel"] = [{"Value": s, "Comparison": "EQUALS"} for s in self.severities]
        fields = {k: v for k, v in (("secpipe/tool", self.tool), ("secpipe/repo", self.repo),
                                    ("secpipe/branch", self.branch)) if v}
        if fields:
            result["ProductFields"] = product_field_equals(fields)
        if self.workflow:
            result["WorkflowStatus"] = equals(self.workflow)
        if self.record_state:
            result["RecordState"] = equals(self.record_state)
        return result

    def accepts(self, finding: dict[str, Any]) -> bool:
        """The same test client-side, so a loosely matching hub cannot widen the answer."""
        fields = finding.get("ProductFields") or {}
        checks = [
            not self.severities or (finding.get("Severity") or {}).get("Label") in self.severities,
            not self.tool or fields.get("secpipe/tool") == self.tool,
            not self.repo or fields.get("secpipe/repo") == self.repo,
            not self.branch or fields.get("secpipe/branch") == self.branch,
            not self.workflow or (finding.get("Workflow") or {}).get("Status") == self.workflow,
            not self.record_state or finding.get("RecordState") == self.record_state,
        ]
        return all(checks)


@dataclass
class UpdateReport:
    updated: list[str] = field(default_factory=list)
    failed: list[FailedFinding] = field(default_factory=list)


class FindingReview:
    def __init__(self, client: Any, policy: RetryPolicy = RetryPolicy(), rate_limited: bool = True):
        self.client = client
        self.policy = policy
        self.stats = CallStats(breaker=policy.breaker())  # a dead hub is reported once, not after every retry
        self.get_bucket = TokenBucket(GET_FINDINGS_QUOTA if rate_limited else UNLIMITED)
        self.update_bucket = TokenBucket(UPDATE_QUOTA if rate_limited else UNLIMITED)

    def list(self, query: FindingQuery, limit: int) -> list[dict[str, Any]]:
        found = []
        for finding in iterate_findings(self.client, self.get_bucket, self.stats, self.policy, query.filters()):
            if query.accepts(finding):
                found.append(finding)
                if len(found) >= limit:
                    break
        return found

    def get(self, finding_id: str) -> dict[str, Any]:
        matches = [f for f in iterate_findings(self.client, self.get_bucket, self.stats, self.policy,
                                               {"Id": equals(finding_id)}) if f.get("Id") == finding_id]
        if not matches:
            raise ConfigError(f"no finding with Id {finding_id!r} in this hub")
        return matches[0]

    def update(self, finding_ids: builtins.list[str], workflow: str, note: str | None) -> UpdateReport:
        if workflow not in WORKFLOW_STATUSES:
            raise ConfigError(f"unknown workflow status {workflow!r}; use one of {', '.join(WORKFLOW_STATUSES)}")
        if note is not None and not note.strip():
            raise ConfigError("--note must not be empty")
        if note is not None and len(note) > NOTE_MAX:
            raise ConfigError(f"--note is {len(note)} characters; Security Hub allows {NOTE_MAX}")
        identifiers = [{"Id": i, "ProductArn": self.get(i)["ProductArn"]} for i in dict.fromkeys(finding_ids)]
        request: dict[str, Any] = {"Workflow": {"Status": workflow}}
        if note is not None:
            request["Note"] = {"Text": note.strip(), "UpdatedBy": "secpipe"}
        report = UpdateReport()
        for start in range(0, len(identifiers), MAX_IDENTIFIERS):
            self._update_chunk(identifiers[start:start + MAX_IDENTIFIERS], request, report)
        return report

    def _update_chunk(self, pending: builtins.list[dict[str, str]], request: dict[str, Any], report: UpdateReport) -> None:
        for attempt in range(self.policy.max_attempts):
            if attempt:
                self.policy.sleep(self.policy.backoff.delay(attempt - 1))
            reply = call_with_retry(self.policy, self.update_bucket, self.stats, self.client.batch_update_findings,
                                    FindingIdentifiers=pending, **request)
            report.updated.extend(p.get("Id", "?") for p in reply.get("ProcessedFindings") or [])
            retry = []
            for entry in reply.get("UnprocessedFindings") or []:
                identifier = entry.get("FindingIdentifier") or {}
                code = str(entry.get("ErrorCode") or "Unknown")
                if code in RETRYABLE_ITEM_CODES and attempt + 1 < self.policy.max_attempts:
                    retry.append(identifier)
                else:
                    report.failed.append(FailedFinding(identifier.get("Id", "?"), code,
                                                       str(entry.get("ErrorMessage") or "")))
            pending = retry
            if not pending:
                return
