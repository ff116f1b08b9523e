"""Idempotency records in DynamoDB: one S3 object version is ingested once.

S3 and EventBridge deliver at least once, and Lambda retries, so the same
object can arrive several times. Re-importing is harmless for the findings
(upserts by Id), but a late duplicate of an older build's *complete* report
would re-open what a newer build archived, so each object version is claimed
before work starts.

Why DynamoDB and not an S3 marker object: a conditional put is atomic (two
concurrent deliveries cannot both win), TTL expires records for free, and a
marker written into the report bucket would itself trigger the bucket's
notifications. Table: partition key `id` (String); enable TTL on `expiration`.

A record is IN_PROGRESS (with a lease: `in_progress_until`, the invocation's
remaining time) or COMPLETED (with the result summary). A failed attempt that
should be retried deletes its record; a rejected report is COMPLETED with its
rejection, so re-deliveries return it instead of failing again.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pipeline.ingest.dynamodb import call, conditional

IN_PROGRESS, COMPLETED = "IN_PROGRESS", "COMPLETED"
_NAMES = {"#id": "id", "#status": "status", "#expiration": "expiration", "#until": "in_progress_until"}


class ClaimState(Enum):
    ACQUIRED = "acquired"  # ours to process
    DONE = "done"  # processed before; `result` is what that run returned
    BUSY = "busy"  # another invocation holds an unexpired lease


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    result: dict[str, Any] | None = None


class DynamoDbIdempotency:
    def __init__(self, client: Any, table: str, ttl_seconds: int, clock: Callable[[], float] = time.time):
        self.client = client
        self.table = table
        self.ttl_seconds = ttl_seconds
        self.clock = clock

    def claim(self, identity: str, lease_seconds: float) -> Claim:
        now = int(self.clock())
        item = {"id": {"S": identity}, "status": {"S": IN_PROGRESS},
                "expiration": {"N": str(now + self.ttl_seconds)},
                "in_progress_until": {"N": str(now + max(1, int(lease_seconds)))}}
        acquired = conditional(
            self.table, "PutItem", self.client.put_item, TableName=self.table, Item=item,
            # New, expired (TTL deletion lags by up to days), or an abandoned lease.
            ConditionExpression="attribute_not_exists(#id) OR #expiration < :now OR "
                                "(#status = :busy AND #until < :now)",
            ExpressionAttributeNames=_NAMES,
            ExpressionAttributeValues={":now": {"N": str(now)}, ":busy": {"S": IN_PROGRESS}})
        if acquired:
            return Claim(ClaimState.ACQUIRED)
        return self._existing(identity)

    def _existing(self, identity: str) -> Claim:
        record = call(self.table, "GetItem", self.client.get_item, TableName=self.table,
                      Key={"id": {"S": identity}}, ConsistentRead=True).get("Item")
        if record and record.get("status", {}).get("S") == COMPLETED:
            return Claim(ClaimState.DONE, json.loads(record.get("result", {}).get("S") or "{}"))
        return Claim(ClaimState.BUSY)  # held by someone else, or released between our two calls

    def complete(self, identity: str, result: dict[str, Any]) -> None:
        now = int(self.clock())
        call(self.table, "PutItem", self.client.put_item, TableName=self.table, Item={
            "id": {"S": identity}, "status": {"S": COMPLETED}, "expiration": {"N": str(now + self.ttl_seconds)},
            "result": {"S": json.dumps(result, sort_keys=True)}})

    def release(self, identity: str) -> None:
        """Give the object back for a retry; only our own IN_PROGRESS record is removed."""
        conditional(self.table, "DeleteItem", self.client.delete_item, TableName=self.table,
                    Key={"id": {"S": identity}}, ConditionExpression="#status = :busy",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={":busy": {"S": IN_PROGRESS}})
