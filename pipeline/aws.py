"""boto3 sessions and clients, and who we are in AWS.

Every AWS client in secpipe is made here so that endpoint overrides (the local
hub, moto) and retry settings are decided in one place. Account, region and
partition come from STS and the session at runtime; nothing is hard-coded.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from pipeline.botocore_loader import new_session
from pipeline.errors import ConfigError

# Callers that run their own retry loop (the Security Hub sink counts every
# throttle) ask for a single attempt; everything else gets botocore's adaptive mode.
ADAPTIVE_RETRIES = {"mode": "adaptive", "total_max_attempts": 8}
SINGLE_ATTEMPT = {"mode": "standard", "total_max_attempts": 1}

# Tests and local runs of the Lambda handlers only: the local hub's URL for their Security Hub client.
SECURITYHUB_ENDPOINT_VARIABLE = "SECPIPE_SECURITYHUB_ENDPOINT"

# Placeholder credentials for loopback servers (local hub, moto) that do not check them.
LOOPBACK_CREDENTIALS = {"aws_access_key_id": "secpipe-local", "aws_secret_access_key": "secpipe-local"}


@dataclass(frozen=True)
class AwsIdentity:
    """The caller as STS sees it, plus the session's region."""

    account: str
    partition: str
    region: str
    arn: str


@dataclass(frozen=True)
class AwsSettings:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    loopback_credentials: bool = False  # dummy keys for a local endpoint


def make_session(settings: AwsSettings) -> boto3.session.Session:
    kwargs: dict[str, Any] = {}
    if settings.profile:
        kwargs["profile_name"] = settings.profile
    # botocore reads AWS_DEFAULT_REGION only; CodeBuild and Lambda set AWS_REGION.
    region = settings.region or os.environ.get("AWS_REGION")
    if region:
        kwargs["region_name"] = region
    if settings.loopback_credentials:
        kwargs.update(LOOPBACK_CREDENTIALS)
    try:
        session = boto3.session.Session(botocore_session=new_session(), **kwargs)
    except Exception as exc:  # botocore's ProfileNotFound and friends
        raise ConfigError(f"cannot create an AWS session: {exc}") from None
    if not session.region_name:
        raise ConfigError("no AWS region: pass --region or set AWS_REGION")
    return session


def make_client(session: boto3.session.Session, service: str, endpoint_url: str | None = None,
                retries: dict[str, Any] | None = None, max_pool_connections: int = 10,
                parameter_validation: bool = True) -> Any:
    """`parameter_validation=False` is for callers that validated already (the sink runs every
    finding through pipeline.asff_validation, a superset of botocore's check, which costs a
    third of the CPU of a 100-finding import); a Security Hub client of theirs also writes its
    import bodies with orjson (pipeline.aws_json_body)."""
    config = Config(retries=dict(retries or ADAPTIVE_RETRIES), max_pool_connections=max_pool_connections,
                    connect_timeout=10, read_timeout=60, parameter_validation=parameter_validation)
    client = session.client(service, endpoint_url=endpoint_url, config=config)
    if service == "securityhub" and not parameter_validation:
        # The same callers: their findings are validated ASFF, so botocore's serialising walk can go too.
        from pipeline import aws_json_body

        aws_json_body.install(client)
    return client


def partition_from_arn(arn: str) -> str:
    """`arn:PARTITION:service:...` -> PARTITION."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[1]:
        raise ConfigError(f"STS returned an ARN secpipe cannot read: {arn!r}")
    return parts[1]


def caller_identity(session: boto3.session.Session, sts_endpoint_url: str | None = None) -> AwsIdentity:
    """Account and partition from STS GetCallerIdentity; region from the session."""
    sts = make_client(session, "sts", endpoint_url=sts_endpoint_url)
    try:
        reply = sts.get_caller_identity()
    except Exception as exc:
        raise ConfigError(f"cannot find the AWS account (STS GetCallerIdentity failed: {exc})") from None
    arn = reply["Arn"]
    return AwsIdentity(account=reply["Account"], partition=partition_from_arn(arn),
                       region=session.region_name, arn=arn)


def default_product_arn(identity: AwsIdentity) -> str:
    """The account's own Security Hub product, used without a partner integration."""
    return (f"arn:{identity.partition}:securityhub:{identity.region}:{identity.account}:"
            f"product/{identity.account}/default")
