"""One request at a time, classified; and a retry loop around it.

botocore's own retries are switched off for these clients (pipeline.aws.SINGLE_ATTEMPT)
so that every attempt and every throttle is seen and counted here.

Retryable, for whole requests and for single `FailedFindings` /
`UnprocessedFindings` entries:
- throttling: HTTP 429 and the codes in THROTTLING_CODES;
- transient: HTTP 5xx, the codes in TRANSIENT_CODES, and a lost connection or
  timeout (imports and updates are idempotent upserts, so resending is safe).
Everything else (InvalidInputException, AccessDeniedException, a finding's
InvalidInput, ...) is final and reported with its code.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError, HTTPClientError

from pipeline.errors import SecpipeError
from pipeline.sinks.pacing import Backoff, TokenBucket

THROTTLING_CODES = frozenset({
    "TooManyRequestsException", "ThrottlingException", "Throttling", "ThrottledException",
    "RequestLimitExceeded", "SlowDown", "RequestThrottled", "RequestThrottledException",
})
TRANSIENT_CODES = frozenset({
    "InternalException", "InternalError", "InternalServerError", "InternalFailure",
    "ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
})
RETRYABLE_ITEM_CODES = THROTTLING_CODES | TRANSIENT_CODES

OK, THROTTLED, TRANSIENT, FATAL = "ok", "throttled", "transient", "fatal"


class HubError(SecpipeError):
    """The hub could not be reached or kept failing; not the user's input, so exit 1."""

    exit_code = 1


@dataclass
class CallStats:
    """Counters shared by the threads of one publish."""

    requests: int = 0
    throttles: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, requests: int = 0, throttles: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.throttles += throttles


@dataclass(frozen=True)
class Outcome:
    kind: str
    response: dict[str, Any] | None = None
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 12  # per request, throttles included
    backoff: Backoff = Backoff()
    sleep: Callable[[float], None] = time.sleep


def classify_error(exc: Exception) -> Outcome:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "")
        message = str(error.get("Message") or exc)
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if status == 429 or code in THROTTLING_CODES:
            return Outcome(THROTTLED, code=code or "TooManyRequestsException", message=message)
        if status >= 500 or code in TRANSIENT_CODES:
            return Outcome(TRANSIENT, code=code or f"HTTP{status}", message=message)
        return Outcome(FATAL, code=code or f"HTTP{status}", message=message)
    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return Outcome(TRANSIENT, code=type(exc).__name__, message=str(exc))
    raise exc


def send_once(bucket: TokenBucket, stats: CallStats, operation: Callable[..., dict[str, Any]],
              **kwargs: Any) -> Outcome:
    """Wait for a token, send, and say what happened; the bucket learns from throttles."""
    bucket.acquire()
    stats.add(requests=1)
    try:
        response = operation(**kwargs)
    except Exception as exc:  # classify_error re-raises what it does not know
        outcome = classify_error(exc)
        if outcome.kind == THROTTLED:
            stats.add(throttles=1)
            bucket.throttled()
        return outcome
    bucket.succeeded()
    return Outcome(OK, response=response)


def call_with_retry(policy: RetryPolicy, bucket: TokenBucket, stats: CallStats,
                    operation: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """A whole-request call (GetFindings, BatchUpdateFindings) retried on throttling and 5xx."""
    last = Outcome(FATAL, code="NotSent")
    for attempt in range(policy.max_attempts):
        last = send_once(bucket, stats, operation, **kwargs)
        if last.kind == OK:
            assert last.response is not None
            return last.response
        if last.kind == FATAL:
            break
        policy.sleep(policy.backoff.delay(attempt))
    name = getattr(operation, "__name__", "request")
    raise HubError(f"{name} failed after {attempt + 1} attempt(s): {last.code}: {last.message}")
