"""Late deliveries: a report older than one already ingested for its scope is skipped.

S3 and EventBridge do not deliver in order, and Lambda retries can hold an
event back for hours. Ingesting build 41's bandit report after build 42's
would re-activate the findings build 42 fixed (imports set RecordState back
to ACTIVE) and, were it complete, archive what build 42 found. So each
(repo, branch, tool) scope keeps the upload time (S3 LastModified) of the
newest report ingested for it, in the idempotency table, and a report older
than that is answered "superseded" without touching Security Hub.

LastModified has one-second resolution: two reports of one scope uploaded in
the same second are both ingested, in arrival order.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pipeline.ingest.dynamodb import call, conditional

RECORD_PREFIX = "scope|"  # idempotency records start with s3://, so the two never collide
KEEP_SECONDS = 400 * 24 * 3600  # a scope untouched for this long starts afresh


def scope_record_id(repo: str, branch: str, tool: str) -> str:
    return RECORD_PREFIX + "|".join(quote(part, safe="") for part in (repo, branch, tool))


class ScopeOrder:
    def __init__(self, client: Any, table: str, clock: Callable[[], float] = time.time):
        self.client = client
        self.table = table
        self.clock = clock

    def newer_report(self, repo: str, branch: str, tool: str, uploaded: datetime, location: str) -> str | None:
        """None, after recording this report as the scope's newest; else the newer report's location."""
        record_id = scope_record_id(repo, branch, tool)
        uploaded_ms = int(uploaded.timestamp() * 1000)
        recorded = conditional(
            self.table, "UpdateItem", self.client.update_item,
            TableName=self.table, Key={"id": {"S": record_id}},
            UpdateExpression="SET #uploaded = :uploaded, #location = :location, #expiration = :expiration",
            ConditionExpression="attribute_not_exists(#id) OR #uploaded <= :uploaded",
            ExpressionAttributeNames={"#id": "id", "#uploaded": "uploaded_ms", "#location": "location",
                                      "#expiration": "expiration"},
            ExpressionAttributeValues={":uploaded": {"N": str(uploaded_ms)}, ":location": {"S": location},
                                       ":expiration": {"N": str(int(self.clock()) + KEEP_SECONDS)}})
        if recorded:
            return None
        return self._newest_location(record_id)

    def _newest_location(self, record_id: str) -> str:
        item = call(self.table, "GetItem", self.client.get_item, TableName=self.table,
                    Key={"id": {"S": record_id}}, ConsistentRead=True).get("Item") or {}
        return item.get("location", {}).get("S", "a newer report")
