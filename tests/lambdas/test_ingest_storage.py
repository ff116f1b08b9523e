"""The idempotency table and the S3 reader, against moto."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from pipeline.ingest.errors import RejectedReport
from pipeline.ingest.events import ReportEvent
from pipeline.ingest.idempotency import ClaimState, DynamoDbIdempotency
from pipeline.ingest.objects import S3ReadError, S3ReportReader
from pipeline.ingest.ordering import ScopeOrder, scope_record_id
from tests.lambdas.conftest import BUCKET, TABLE


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(aws, clock):
    return DynamoDbIdempotency(aws.dynamodb, TABLE, ttl_seconds=3600, clock=clock)


def test_first_claim_wins_and_a_second_sees_it_busy(store):
    assert store.claim("s3://b/k?etag=1", lease_seconds=60).state is ClaimState.ACQUIRED
    assert store.claim("s3://b/k?etag=1", lease_seconds=60).state is ClaimState.BUSY
    assert store.claim("s3://b/k?etag=2", lease_seconds=60).state is ClaimState.ACQUIRED  # another version


def test_completed_claim_returns_the_recorded_result(store):
    store.claim("id", 60)
    store.complete("id", {"status": "published", "sent": 3})
    claim = store.claim("id", 60)
    assert (claim.state, claim.result) == (ClaimState.DONE, {"status": "published", "sent": 3})


def test_an_abandoned_lease_can_be_taken_over(store, clock):
    store.claim("id", lease_seconds=30)
    clock.now += 29
    assert store.claim("id", 30).state is ClaimState.BUSY
    clock.now += 2
    assert store.claim("id", 30).state is ClaimState.ACQUIRED


def test_expired_completed_record_no_longer_blocks(store, clock):
    store.claim("id", 60)
    store.complete("id", {"status": "published"})
    clock.now += 3601  # past the TTL, even if DynamoDB has not deleted the item yet
    assert store.claim("id", 60).state is ClaimState.ACQUIRED


def test_release_frees_only_an_in_progress_record(store):
    store.claim("open", 60)
    store.release("open")
    assert store.claim("open", 60).state is ClaimState.ACQUIRED
    store.complete("done", {"status": "published"})
    store.release("done")
    assert store.claim("done", 60).state is ClaimState.DONE


def test_versioned_object_is_identified_by_its_version(aws):
    aws.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = aws.s3.put_object(Bucket=BUCKET, Key="r.json", Body=b"first")["VersionId"]
    aws.s3.put_object(Bucket=BUCKET, Key="r.json", Body=b"second")
    reader = S3ReportReader(aws.s3, max_bytes=100)

    located = reader.locate(ReportEvent(bucket=BUCKET, key="r.json", version_id=first))

    assert located.identity == f"s3://{BUCKET}/r.json?version={first}"
    assert reader.read(located) == b"first"


def test_unversioned_object_is_read_only_as_the_located_etag(aws):
    aws.s3.put_object(Bucket=BUCKET, Key="r.json", Body=b"first")
    reader = S3ReportReader(aws.s3, max_bytes=100)
    located = reader.locate(ReportEvent(bucket=BUCKET, key="r.json"))
    assert located.identity == f"s3://{BUCKET}/r.json?etag={hashlib.md5(b'first').hexdigest()}"
    aws.s3.put_object(Bucket=BUCKET, Key="r.json", Body=b"replaced")

    with pytest.raises(S3ReadError, match="GetObject failed"):
        reader.read(located)


def test_eventbridge_key_falls_back_to_its_decoded_form(aws):
    aws.s3.put_object(Bucket=BUCKET, Key="a b.json", Body=b"x")
    reader = S3ReportReader(aws.s3, max_bytes=100)
    assert reader.locate(ReportEvent(bucket=BUCKET, key="a+b.json", key_may_be_encoded=True)).key == "a b.json"
    with pytest.raises(RejectedReport, match=r"s3://secpipe-reports/a\+b\.json: no such object"):
        reader.locate(ReportEvent(bucket=BUCKET, key="a+b.json"))


def test_size_limit_is_inclusive(aws):
    aws.s3.put_object(Bucket=BUCKET, Key="r.json", Body=b"12345")
    assert S3ReportReader(aws.s3, max_bytes=5).read(S3ReportReader(aws.s3, 5).locate(
        ReportEvent(bucket=BUCKET, key="r.json"))) == b"12345"
    with pytest.raises(RejectedReport, match="5 bytes, over the 4-byte limit"):
        S3ReportReader(aws.s3, max_bytes=4).locate(ReportEvent(bucket=BUCKET, key="r.json"))


def test_scope_order_keeps_the_newest_upload_per_scope(aws, clock):
    order = ScopeOrder(aws.dynamodb, TABLE, clock=clock)
    noon = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)

    assert order.newer_report("r", "main", "bandit", noon, "s3://b/42") is None
    assert order.newer_report("r", "main", "bandit", noon, "s3://b/42-retry") is None  # same second: ingested
    assert order.newer_report("r", "main", "bandit", noon - timedelta(seconds=1), "s3://b/41") == "s3://b/42-retry"
    # Other scopes have their own clocks.
    assert order.newer_report("r", "main", "semgrep", noon - timedelta(hours=1), "s3://b/s") is None
    assert order.newer_report("r", "dev", "bandit", noon - timedelta(hours=1), "s3://b/d") is None
    assert order.newer_report("r", "main", "bandit", noon + timedelta(seconds=1), "s3://b/43") is None


def test_scope_record_ids_cannot_collide_across_parts():
    assert scope_record_id("a|b", "c", "d") != scope_record_id("a", "b|c", "d")
