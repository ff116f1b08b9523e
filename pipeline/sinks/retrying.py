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
from functools import cache
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

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


#: A breaker limit that is never reached.
NEVER = float("inf")


@dataclass
class CallStats:
    """Counters shared by the threads of one publish, and its circuit breaker."""

    requests: int = 0
    throttles: int = 0
    #: Never opens unless given: a long-lived client (a warm Lambda) must not stay cut off.
    breaker: CircuitBreaker = field(default_factory=lambda: CircuitBreaker(NEVER, NEVER))
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
    #: A hub that refused or dropped this many connections in a row is down: stop sending.
    max_connection_failures: int = 5
    #: However the hub answers, one publish stops sending after this long and reports the rest.
    deadline_seconds: float = 300.0

    def breaker(self, clock: Callable[[], float] = time.monotonic) -> CircuitBreaker:
        return CircuitBreaker(self.max_connection_failures, self.deadline_seconds, clock)


class CircuitBreaker:
    """Stops every further request of one publish once the hub is seen to be down (that
    many connection failures in a row, any reply resets the count) or the deadline has
    passed, so a dead endpoint is reported in seconds, not after every batch's retries."""

    def __init__(self, max_connection_failures: float = 5, deadline_seconds: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        self.max_connection_failures = max(1, max_connection_failures)
        self.clock = clock
        self.deadline = clock() + deadline_seconds
        self.deadline_seconds = deadline_seconds
        self._in_a_row = 0
        self._last_failure = ""
        self._lock = threading.Lock()

    def refusal(self) -> Outcome | None:
        """Why nothing more may be sent, or None."""
        with self._lock:
            if self._in_a_row >= self.max_connection_failures:
                return Outcome(FATAL, code="HubUnreachable", message=(
                    f"not sent: the hub failed {self._in_a_row} connections in a row ({self._last_failure})"))
        if self.clock() >= self.deadline:
            return Outcome(FATAL, code="DeadlineExceeded",
                           message=f"not sent: the publish deadline of {self.deadline_seconds:g} s passed")
        return None

    def record(self, outcome: Outcome, connection_failed: bool) -> None:
        with self._lock:
            if connection_failed:
                self._in_a_row += 1
                self._last_failure = f"{outcome.code}: {outcome.message}"
            else:
                self._in_a_row = 0


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
    """Wait for a token, send, and say what happened; the bucket learns from throttles and
    the breaker from lost connections. A reply that lacks what the operation always returns
    (a 200 whose body is not JSON) is transient, never an empty answer."""
    refused = stats.breaker.refusal()
    if refused is not None:
        return refused
    bucket.acquire()
    stats.add(requests=1)
    try:
        response = operation(**kwargs)
    except Exception as exc:  # classify_error re-raises what it does not know
        outcome = classify_error(exc)
        stats.breaker.record(outcome, connection_failed=isinstance(exc, (BotoConnectionError, HTTPClientError)))
        if outcome.kind == THROTTLED:
            stats.add(throttles=1)
            bucket.throttled()
        return outcome
    stats.breaker.record(Outcome(OK), connection_failed=False)
    missing = [name for name in _required_reply_members(operation) if name not in response]
    if missing:
        return Outcome(TRANSIENT, code="UnreadableReply",
                       message=f"the reply has no {', '.join(missing)} (not a Security Hub answer)")
    bucket.succeeded()
    return Outcome(OK, response=response)


def _required_reply_members(operation: Callable[..., Any]) -> tuple[str, ...]:
    """What botocore's model says every reply of this client method carries."""
    client, method = getattr(operation, "__self__", None), getattr(operation, "__name__", "")
    meta = getattr(client, "meta", None)
    api_name = getattr(meta, "method_to_api_mapping", {}).get(method) if meta is not None else None
    if meta is None or api_name is None:
        return ()
    return _output_required(meta.service_model, api_name)


@cache
def _output_required(service_model: Any, api_name: str) -> tuple[str, ...]:
    shape = service_model.operation_model(api_name).output_shape
    return tuple(shape.required_members) if shape is not None else ()


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
