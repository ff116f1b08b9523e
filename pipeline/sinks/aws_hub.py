"""The "securityhub" hub: AWS Security Hub in the caller's account, through boto3."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pipeline.aws import SINGLE_ATTEMPT, AwsSettings, caller_identity, default_product_arn, make_client, make_session
from pipeline.sinks.connection import HubConnection, HubOptions


@contextlib.contextmanager
def connect_aws(options: HubOptions) -> Iterator[HubConnection]:
    """Account and partition from STS, region from the session; the product is the account's default one."""
    session = make_session(AwsSettings(region=options.region, profile=options.profile))
    identity = caller_identity(session)
    client = make_client(session, "securityhub", endpoint_url=options.endpoint_url, retries=SINGLE_ATTEMPT,
                         max_pool_connections=options.settings.max_in_flight + 2, parameter_validation=False)
    yield HubConnection(client, default_product_arn(identity), identity.account, options.endpoint_url)
