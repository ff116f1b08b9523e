"""Security Hub's published request quotas, emulated with one token bucket per operation."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int


# From the Security Hub quotas page: BatchImportFindings and BatchUpdateFindings
# 10 requests/s with a burst of 30; GetFindings 3 requests/s with a burst of 6.
SECURITY_HUB_RATES: dict[str, Rate] = {
    "BatchImportFindings": Rate(10, 30),
    "BatchUpdateFindings": Rate(10, 30),
    "GetFindings": Rate(3, 6),
}


@dataclass
class TokenBucket:
    rate: Rate
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._tokens = float(self.rate.burst)
        self._stamp = self.clock()

    def try_acquire(self) -> bool:
        with self._lock:
            now = self.clock()
            self._tokens = min(float(self.rate.burst), self._tokens + (now - self._stamp) * self.rate.per_second)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


class Quota:
    """Answers whether one more call of an operation fits in its rate right now."""

    def __init__(self, rates: dict[str, Rate] | None = None, clock: Callable[[], float] = time.monotonic):
        self._buckets = {name: TokenBucket(rate, clock) for name, rate in (rates or SECURITY_HUB_RATES).items()}
        self.throttled = 0

    def allow(self, operation: str) -> bool:
        bucket = self._buckets.get(operation)
        if bucket is None or bucket.try_acquire():
            return True
        self.throttled += 1
        return False
