"""Fixtures for the ingest Lambda: moto for S3, STS and DynamoDB, a findings hub on loopback.

moto's mock_aws intercepts only AWS endpoints; the Security Hub client talks
to the hub URL given in SECPIPE_SECURITYHUB_ENDPOINT over real HTTP.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas import ingest as ingest_lambda
from pipeline.archive import ReportRef, S3Archive
from pipeline.aws import LOOPBACK_CREDENTIALS
from pipeline.hub import start_local_hub
from tests.conftest import FIXTURES

REGION = "eu-west-1"
BUCKET = "secpipe-reports"
TABLE = "secpipe-ingest-idempotency"
BANDIT_REPORT = FIXTURES / "real" / "bandit.json"


@dataclass
class AwsWorld:
    s3: Any
    dynamodb: Any
    account: str
    archive: S3Archive

    def upload(self, ref: ReportRef, data: bytes) -> str:
        """Store a report the way a CodeBuild stage does (pipeline.archive), return its key."""
        return self.archive.store(ref, data).key


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_STS",
                 "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
        yield AwsWorld(s3, dynamodb, account, S3Archive(s3, BUCKET))


@pytest.fixture
def hub(tmp_path):
    with start_local_hub(tmp_path / "hub.sqlite3", host="127.0.0.1", port=0) as running:
        yield running


def hub_client(endpoint_url: str):
    return boto3.client("securityhub", region_name=REGION, endpoint_url=endpoint_url, **LOOPBACK_CREDENTIALS)


def all_findings(client, **filters: Any) -> list[dict[str, Any]]:
    found = []
    for page in client.get_paginator("get_findings").paginate(Filters=filters):
        found.extend(page["Findings"])
    return found


@pytest.fixture
def restore_logging():
    """The handler sends pipeline/parsers/lambdas logs to its own JSON handler; undo that afterwards."""
    names = ("pipeline", "parsers", "lambdas")
    saved = {name: (list(logging.getLogger(name).handlers), logging.getLogger(name).level,
                    logging.getLogger(name).propagate) for name in names}
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


class FakeLambdaContext:
    aws_request_id = "req-0001"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture
def invoke(aws, monkeypatch, restore_logging):
    """Call the handler as Lambda would, in a fresh container per test (env read at its cold start)."""
    monkeypatch.setenv("SECPIPE_IDEMPOTENCY_TABLE", TABLE)
    ingest_lambda.container.cache_clear()

    def call(event: dict[str, Any]) -> dict[str, Any]:
        reply = ingest_lambda.handler(event, FakeLambdaContext())
        json.dumps(reply)  # what Lambda does with it: must be JSON
        return reply

    yield call
    ingest_lambda.container.cache_clear()
