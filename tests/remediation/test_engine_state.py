"""The idempotency + loop-guard state stores: SQLite (CLI) shared by processes, DynamoDB (Lambdas) on moto."""
from __future__ import annotations

import boto3
import pytest

from pipeline.remediation.engine import EngineOptions, state_store_for
from pipeline.remediation.guards import DynamoDBStateStore, SQLiteStateStore, StateStore

KEY = "111122223333|us-east-1|KMS.4|arn:aws:kms:us-east-1:111122223333:key/k1"
NOW = 1_800_000_000.0


@pytest.fixture
def dynamodb_store(aws) -> DynamoDBStateStore:
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(TableName="secpipe-remediation-state", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    return DynamoDBStateStore("secpipe-remediation-state", client)


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request, tmp_path) -> StateStore:
    if request.param == "sqlite":
        return SQLiteStateStore(tmp_path / "state.sqlite3")
    return request.getfixturevalue("dynamodb_store")


def test_a_claim_is_exclusive_until_released_or_expired(store):
    assert store.claim(KEY, NOW, hold_seconds=60)
    assert not store.claim(KEY, NOW + 1, hold_seconds=60)
    assert store.claim("another|key", NOW, hold_seconds=60)
    store.release(KEY)
    assert store.claim(KEY, NOW + 2, hold_seconds=60)
    assert store.claim(KEY, NOW + 63, hold_seconds=60)  # a crashed run's claim expires


def test_fixes_are_kept_per_key_and_read_by_time(store):
    for offset in (0, 100, 200):
        store.record_fix(KEY, NOW + offset)
    store.record_fix("another|key", NOW)
    assert store.fixes_since(KEY, NOW + 50) == [NOW + 100, NOW + 200]
    assert store.fixes_since(KEY, NOW) == [NOW, NOW + 100, NOW + 200]
    assert store.fixes_since("unknown|key", 0) == []


def test_two_sqlite_stores_on_one_file_see_each_other(tmp_path):
    first, second = SQLiteStateStore(tmp_path / "s.sqlite3"), SQLiteStateStore(tmp_path / "s.sqlite3")
    assert first.claim(KEY, NOW)
    assert not second.claim(KEY, NOW)
    first.record_fix(KEY, NOW)
    assert second.fixes_since(KEY, 0) == [NOW]


def test_the_dynamodb_item_expires_after_the_loop_window(dynamodb_store):
    dynamodb_store.record_fix(KEY, NOW)
    item = dynamodb_store.client.get_item(TableName=dynamodb_store.table_name, Key={"pk": {"S": KEY}})["Item"]
    assert float(item["expires_at"]["N"]) == NOW + 24 * 3600


def test_options_choose_the_store(tmp_path, dynamodb_store):
    assert isinstance(state_store_for(EngineOptions(records_dir=tmp_path)), SQLiteStateStore)
    assert (tmp_path / "state.sqlite3").is_file()
    chosen = state_store_for(EngineOptions(records_dir=tmp_path, state_table="secpipe-remediation-state"))
    assert isinstance(chosen, DynamoDBStateStore) and chosen.table_name == "secpipe-remediation-state"
    assert chosen.claim(KEY, NOW)
