"""Archive a finding the archive policy accepts: Workflow SUPPRESSED with a Note saying why.

One BatchUpdateFindings call through the hub's retry loop (`pipeline.sinks.retrying`),
with the attempts the caller allows; throttling that outlasts them becomes `Throttled`
so the state machine's Retry waits (see `throttling`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.remediation.throttling import throttling_raised_as_throttled
from pipeline.remediation.workflow import Route, WorkflowInputError, WorkItem
from pipeline.remediation.writeback import NOTE_MAX, UPDATED_BY, WritebackError
from pipeline.sinks.pacing import UPDATE_QUOTA, TokenBucket
from pipeline.sinks.retrying import CallStats, RetryPolicy, call_with_retry

SUPPRESSED = "SUPPRESSED"


@dataclass(frozen=True)
class Archived:
    finding_id: str
    note: str

    def to_json(self) -> dict[str, str]:
        return {"finding_id": self.finding_id, "workflow": SUPPRESSED, "note": self.note}


def archive_note(item: WorkItem) -> str:
    """Why, then where (the place matters more than the end of a long reason)."""
    where = f" [{item.control_id} | account {item.account} | {item.region} | {item.resource}]"
    text = f"secpipe archived: {item.reason}"
    room = max(NOTE_MAX - len(where), 40)
    if len(text) > room:
        text = text[:room - 1] + "…"
    return (text + where)[:NOTE_MAX]


def archive(securityhub: Any, item: WorkItem, policy: RetryPolicy) -> Archived:
    if item.route is not Route.ARCHIVE:
        raise WorkflowInputError(f"item {item.finding_id!r} is routed {item.route.value}, not archive")
    note = archive_note(item)
    with throttling_raised_as_throttled(f"archiving {item.finding_id}"):
        reply = call_with_retry(policy, TokenBucket(UPDATE_QUOTA), CallStats(), securityhub.batch_update_findings,
                                FindingIdentifiers=[{"Id": item.finding_id, "ProductArn": item.product_arn}],
                                Workflow={"Status": SUPPRESSED}, Note={"Text": note, "UpdatedBy": UPDATED_BY})
    unprocessed = reply.get("UnprocessedFindings") or []
    if unprocessed:
        codes = ", ".join(str(entry.get("ErrorCode") or "Unknown") for entry in unprocessed)
        raise WritebackError(f"the hub did not archive {item.finding_id}: {codes}")
    return Archived(finding_id=item.finding_id, note=note)
