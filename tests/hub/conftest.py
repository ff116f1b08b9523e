"""A running local hub per test, a boto3 client on it, and a factory of valid ASFF findings."""
from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pipeline.hub import LocalHub, start_local_hub

ACCOUNT = "123456789012"
PRODUCT_ARN = f"arn:aws:securityhub:us-east-1:{ACCOUNT}:product/{ACCOUNT}/default"
OTHER_PRODUCT_ARN = f"arn:aws:securityhub:us-east-1:{ACCOUNT}:product/{ACCOUNT}/other"


def make_finding(ident: str, **overrides: Any) -> dict[str, Any]:
    finding: dict[str, Any] = {
        "SchemaVersion": "2018-10-08",
        "Id": ident,
        "ProductArn": PRODUCT_ARN,
        "GeneratorId": "bandit/B101",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks/Vulnerabilities/CWE"],
        "CreatedAt": "2024-03-01T10:00:00Z",
        "UpdatedAt": "2024-03-01T10:00:00Z",
        "Severity": {"Label": "MEDIUM", "Original": "MEDIUM"},
        "Title": f"Finding {ident}",
        "Description": "Use of assert detected.",
        "ProductFields": {"secpipe/tool": "bandit", "secpipe/repo": "demo", "secpipe/branch": "main"},
        "Resources": [{"Type": "Other", "Id": f"demo@main:src/{ident}.py"}],
        "RecordState": "ACTIVE",
    }
    for key, value in overrides.items():
        finding[key] = copy.deepcopy(value)
    return finding


def client_for(hub: LocalHub, attempts: int | None = None, validate: bool = True):
    """boto3 on the hub; attempts=1 turns retries off; validate=False lets invalid input reach the hub."""
    options: dict[str, Any] = {"parameter_validation": validate}
    if attempts is not None:
        options["retries"] = {"total_max_attempts": attempts, "mode": "standard"}
    config = Config(**options)
    return boto3.client("securityhub", endpoint_url=hub.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x", config=config)


@pytest.fixture
def hub(tmp_path) -> Iterator[LocalHub]:
    with start_local_hub(tmp_path / "hub.sqlite3") as running:
        yield running


@pytest.fixture
def securityhub(hub):
    return client_for(hub)


def ids_of(response: dict[str, Any]) -> set[str]:
    return {finding["Id"] for finding in response["Findings"]}
