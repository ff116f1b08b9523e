from __future__ import annotations

import pytest
from moto.server import ThreadedMotoServer

from pipeline.aws import (
    SINGLE_ATTEMPT,
    AwsIdentity,
    AwsSettings,
    caller_identity,
    default_product_arn,
    make_client,
    make_session,
    partition_from_arn,
)
from pipeline.errors import ConfigError


@pytest.mark.parametrize("arn, partition", [
    ("arn:aws:sts::123456789012:assumed-role/build/session", "aws"),
    ("arn:aws-cn:iam::123456789012:user/ci", "aws-cn"),
    ("arn:aws-us-gov:sts::123456789012:assumed-role/x/y", "aws-us-gov"),
])
def test_partition_comes_from_the_arn(arn, partition):
    assert partition_from_arn(arn) == partition


def test_unreadable_arn_is_a_config_error():
    with pytest.raises(ConfigError):
        partition_from_arn("not-an-arn")


def test_product_arn_uses_identity_values():
    identity = AwsIdentity(account="210987654321", partition="aws-cn", region="cn-north-1", arn="arn:aws-cn:iam::x")
    assert default_product_arn(identity) == \
        "arn:aws-cn:securityhub:cn-north-1:210987654321:product/210987654321/default"


def test_caller_identity_from_sts():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        session = make_session(AwsSettings(region="eu-central-1", loopback_credentials=True))
        identity = caller_identity(session, sts_endpoint_url=f"http://{host}:{port}")
    finally:
        server.stop()
    assert identity.region == "eu-central-1"
    assert len(identity.account) == 12 and identity.account.isdigit()
    assert identity.partition == identity.arn.split(":")[1] == "aws"


def test_single_attempt_client_has_botocore_retries_off():
    session = make_session(AwsSettings(region="us-east-1", loopback_credentials=True))
    client = make_client(session, "securityhub", endpoint_url="http://127.0.0.1:9", retries=SINGLE_ATTEMPT)
    assert client.meta.config.retries["total_max_attempts"] == 1
