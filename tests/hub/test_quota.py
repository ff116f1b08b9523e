"""--quota: Security Hub's rates per operation, answered with 429 TooManyRequestsException."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from botocore.retries.standard import RetryContext, ThrottlingErrorDetector

from pipeline.hub import start_local_hub
from pipeline.hub.quota import Quota, Rate, TokenBucket
from tests.hub.conftest import client_for, make_finding


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(Rate(per_second=10, burst=30), clock)
    assert sum(bucket.try_acquire() for _ in range(40)) == 30
    clock.now += 0.5
    assert sum(bucket.try_acquire() for _ in range(10)) == 5
    clock.now += 100
    assert sum(bucket.try_acquire() for _ in range(40)) == 30  # never more than the burst


def test_operations_have_separate_buckets_with_security_hub_rates():
    clock = FakeClock()
    quota = Quota(clock=clock)
    assert sum(quota.allow("GetFindings") for _ in range(10)) == 6
    assert sum(quota.allow("BatchImportFindings") for _ in range(40)) == 30
    assert sum(quota.allow("BatchUpdateFindings") for _ in range(40)) == 30
    assert quota.throttled == 4 + 10 + 10


def test_boto3_sees_too_many_requests_when_retries_are_off(tmp_path):
    frozen = FakeClock()  # no refill: exactly the burst passes, whatever the machine's speed
    with start_local_hub(tmp_path / "hub.sqlite3", quota=Quota(clock=frozen)) as hub:
        client = client_for(hub, attempts=1)
        for _ in range(6):
            client.get_findings()
        with pytest.raises(ClientError) as raised:
            client.get_findings()
        error = raised.value
        assert error.response["Error"]["Code"] == "TooManyRequestsException"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error.response["ResponseMetadata"]["RetryAttempts"] == 0
        # botocore's own retry logic classifies it as throttling (so adaptive mode slows down).
        context = RetryContext(attempt_number=1, parsed_response=error.response)
        assert ThrottlingErrorDetector(None).is_throttling_error_from_context(context)
        # Import has its own bucket, untouched by GetFindings.
        assert client.batch_import_findings(Findings=[make_finding("x")])["SuccessCount"] == 1


def test_boto3_retries_recover_once_the_bucket_refills(tmp_path):
    clock = FakeClock()
    with start_local_hub(tmp_path / "hub.sqlite3", quota=Quota(clock=clock)) as hub:
        client = client_for(hub, attempts=1)
        for i in range(30):
            client.batch_import_findings(Findings=[make_finding(f"q{i}")])
        with pytest.raises(ClientError):
            client.batch_import_findings(Findings=[make_finding("q30")])
        clock.now += 0.1  # one token at 10 requests/s
        assert client.batch_import_findings(Findings=[make_finding("q30")])["SuccessCount"] == 1
        assert hub.app.quota.throttled == 1
        assert len(client.get_findings()["Findings"]) == 31


def test_without_quota_nothing_is_throttled(hub):
    client = client_for(hub, attempts=1)
    for _ in range(20):
        client.get_findings()
    assert hub.app.quota is None
