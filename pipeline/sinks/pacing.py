"""Client-side pacing: a token bucket whose rate backs off when the service throttles.

Security Hub's quota is a per-account leaky bucket (BatchImportFindings 10 req/s,
burst 30; GetFindings 3/6). Pacing ourselves just under it avoids provoking 429s
at all; when one arrives anyway (another client shares the account's quota) the
rate is cut multiplicatively and grows back additively on success (AIMD).
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Quota:
    rate: float  # requests per second that can be held
    burst: int  # requests that may go at once after a quiet period


# Published Security Hub limits (../shared/reference/asff-constraints.md §6).
IMPORT_QUOTA = Quota(rate=10.0, burst=30)
UPDATE_QUOTA = Quota(rate=10.0, burst=30)
GET_FINDINGS_QUOTA = Quota(rate=3.0, burst=6)
# For a hub without a rate limit (the local hub without --quota).
UNLIMITED = Quota(rate=1_000_000.0, burst=1_000_000)

MIN_RATE = 0.5
DECREASE_FACTOR = 0.7
INCREASE_STEP = 0.25  # req/s regained per successful request
_EPSILON = 1e-9
_MIN_WAIT = 1e-4


class TokenBucket:
    """Thread-safe token bucket; `acquire` blocks until a request may be sent."""

    def __init__(self, quota: Quota, clock=time.monotonic, sleep=time.sleep):
        self.ceiling = quota.rate
        self.rate = quota.rate
        self.capacity = float(quota.burst)
        self._tokens = float(quota.burst)
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self) -> None:
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1.0 - _EPSILON:  # float refills land a hair under 1.0
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                wait = max(_MIN_WAIT, (1.0 - self._tokens) / self.rate)
            self._sleep(wait)

    def throttled(self) -> None:
        """The service said slow down: cut the rate and drop saved-up burst."""
        with self._lock:
            self._refill()
            self.rate = max(MIN_RATE, self.rate * DECREASE_FACTOR)
            self._tokens = min(self._tokens, 0.0)

    def succeeded(self) -> None:
        with self._lock:
            if self.rate < self.ceiling:
                self._refill()
                self.rate = min(self.ceiling, self.rate + INCREASE_STEP)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: sleep uniform(0, min(cap, base * 2**attempt))."""

    base: float = 0.25
    cap: float = 20.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * (2 ** max(0, attempt)))
        return (rng or random).uniform(0.0, ceiling)
