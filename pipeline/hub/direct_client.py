"""The Security Hub client of a hub in this process: each call goes straight to its API.

`secpipe publish` and `secpipe scan` start the local hub inside their own process. Sending
it boto3 requests cost, per finding, more than storing it: botocore building and signing
each request, the hub decoding the body it had just been encoded into, and botocore parsing
the reply (about a third of a 100,000-finding publish). This client takes the same calls,
with the same parameters and the same replies, and hands them to the hub app's quota and
API (HubApp.admit, HubApp.answer), the ones its HTTP server hands requests to. What only
HTTP has stays with HTTP: the Host guard, the SigV4 and content-type guard, and the
16 MB body limit (the callers' batches keep to Security Hub's 6 MB themselves).

Errors are the botocore ClientErrors boto3 raises for the same reply (code, message,
HTTP status), so retries, throttling and refusals are handled as they are for AWS.
Parameters other than BatchImportFindings' findings go through a JSON round trip, so the
hub reads what it would have read from the wire and the caller's objects are never the
hub's. The findings of an import are not copied: the hub never changes what it is sent
(pipeline.hub.imports.stage copies what it changes).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from pipeline import jsonin
from pipeline.hub.errors import HubApiError
from pipeline.hub.server import HubApp


class DirectHubClient:
    def __init__(self, app: HubApp):
        self.app = app

    def batch_import_findings(self, **params: Any) -> dict[str, Any]:
        findings = params.pop("Findings", None)
        body = _round_trip(params)
        if findings is not None:
            # Not copied: the hub only reads it. A tuple would arrive as a list over the wire.
            body["Findings"] = list(findings) if isinstance(findings, tuple) else findings
        return self._call("BatchImportFindings", body)

    def get_findings(self, **params: Any) -> dict[str, Any]:
        return self._call("GetFindings", _round_trip(params))

    def batch_update_findings(self, **params: Any) -> dict[str, Any]:
        return self._call("BatchUpdateFindings", _round_trip(params))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The calls made inside are committed together when it ends, not one by one: one COMMIT
        writes each page they changed once (an import's random index pages, batch after batch,
        were a quarter of the store's time). Their replies come before that commit, so the
        caller counts nothing as stored until this returns; if the commit fails, it raises and
        nothing inside was stored. Other writers wait for it as for one request."""
        with self.app.api.store.exclusive():
            yield

    def get_paginator(self, operation: str) -> FindingsPaginator:
        if operation != "get_findings":
            raise ValueError(f"the local hub's client pages only get_findings, not {operation}")
        return FindingsPaginator(self)

    def _call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        try:
            self.app.admit(operation)
            result = self.app.answer(operation, body)
        except HubApiError as error:
            raise ClientError({"Error": {"Code": error.code, "Message": error.message},
                               "ResponseMetadata": _metadata(error.status, request_id)}, operation) from None
        return {**result, "ResponseMetadata": _metadata(200, request_id)}


class FindingsPaginator:
    """boto3's GetFindings paginator: PaginationConfig's PageSize, MaxItems and StartingToken."""

    _CONFIG_KEYS = frozenset({"PageSize", "MaxItems", "StartingToken"})

    def __init__(self, client: DirectHubClient):
        self._client = client

    def paginate(self, **params: Any) -> Iterator[dict[str, Any]]:
        config = dict(params.pop("PaginationConfig", None) or {})
        unknown = set(config) - self._CONFIG_KEYS
        if unknown:
            raise ValueError(f"PaginationConfig has no {', '.join(sorted(unknown))}")
        if "PageSize" in config:
            params["MaxResults"] = config["PageSize"]
        if config.get("StartingToken"):
            params["NextToken"] = config["StartingToken"]
        remaining = config.get("MaxItems")
        while remaining is None or remaining > 0:
            page = self._client.get_findings(**params)
            if remaining is not None:
                page["Findings"] = page["Findings"][:remaining]
                remaining -= len(page["Findings"])
            yield page
            token = page.get("NextToken")
            if not token:
                return
            params["NextToken"] = token


def _round_trip(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters as the hub would decode them from the request body."""
    decoded: dict[str, Any] = jsonin.loads(jsonin.dumps_compact(params))
    return decoded


def _metadata(status: int, request_id: str) -> dict[str, Any]:
    return {"RequestId": request_id, "HTTPStatusCode": status, "HTTPHeaders": {"x-amzn-requestid": request_id},
            "RetryAttempts": 0}
