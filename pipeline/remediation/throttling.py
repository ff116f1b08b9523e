"""Throttling surfaced as one error the state machine retries (`Throttled`).

The ERGO lesson: the SDK's own retries were not enough against Security Hub's rate
limits, so the Lambdas give up after a few attempts and the Step Functions Retry
(backoff, full jitter, max attempts) waits instead. The ASL's Retry lists `Throttled`
beside `Lambda.TooManyRequestsException` and `SecurityHub.TooManyRequestsException`.
Which error codes mean throttling is decided once, in `pipeline.sinks.retrying`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError

from pipeline.sinks.retrying import THROTTLING_CODES, HubError


class Throttled(Exception):
    """An AWS API refused a call for its rate; the state machine retries the task."""


def is_throttling(error: BaseException) -> bool:
    if isinstance(error, ClientError):
        response = error.response
        return (response.get("Error", {}).get("Code") in THROTTLING_CODES
                or response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 429)
    # The hub's retry loop (pipeline.sinks.retrying.call_with_retry) gives up with
    # "NAME failed after N attempt(s): CODE: message"; the code is what matters here.
    if isinstance(error, HubError):
        return any(f": {code}:" in str(error) for code in THROTTLING_CODES)
    return False


@contextmanager
def throttling_raised_as_throttled(what: str) -> Iterator[None]:
    """Turn a throttled AWS call inside the block into `Throttled`, naming what was throttled."""
    try:
        yield
    except (ClientError, HubError) as exc:
        if is_throttling(exc):
            raise Throttled(f"{what}: {exc}") from exc
        raise
