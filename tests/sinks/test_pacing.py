from __future__ import annotations

import random

from pipeline.sinks.pacing import Backoff, Quota, TokenBucket


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_bucket_allows_burst_then_holds_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(Quota(rate=10.0, burst=30), clock=clock, sleep=clock.sleep)
    for _ in range(30):
        bucket.acquire()
    assert clock.now == 0.0  # the burst goes at once
    for _ in range(50):
        bucket.acquire()
    assert abs(clock.now - 5.0) < 1e-6  # then 10 per second


def test_throttle_cuts_rate_and_success_restores_it():
    clock = FakeClock()
    bucket = TokenBucket(Quota(rate=10.0, burst=5), clock=clock, sleep=clock.sleep)
    bucket.throttled()
    assert bucket.rate == 7.0
    bucket.throttled()
    assert abs(bucket.rate - 4.9) < 1e-9
    for _ in range(100):
        bucket.succeeded()
    assert bucket.rate == 10.0  # never above the quota


def test_full_jitter_stays_within_the_capped_exponential():
    backoff = Backoff(base=0.5, cap=4.0)
    rng = random.Random(7)
    for attempt in range(10):
        delays = [backoff.delay(attempt, rng) for _ in range(200)]
        ceiling = min(4.0, 0.5 * 2 ** attempt)
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range, not a fixed value
