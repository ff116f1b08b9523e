"""The "local" hub: the SQLite findings hub, through boto3 or straight to it.

Without --endpoint-url the hub is started in-process on a free loopback port with the
database under the user's data directory, and stopped afterwards; secpipe's own calls go
straight to its API (pipeline.hub.direct_client), and the HTTP server beside it is for
anyone else (the console, `secpipe findings`). With one, secpipe talks to a hub that is
already running (`secpipe hub serve`) over HTTP with boto3. The account is whatever the
findings or the context say: there is no STS here.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pipeline.context import DEFAULT_REGION
from pipeline.sinks.connection import HubConnection, HubOptions


def _account_of(product_arn: str | None) -> str | None:
    parts = (product_arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


@contextlib.contextmanager
def connect_local(options: HubOptions) -> Iterator[HubConnection]:
    account = _account_of(options.product_arn)
    if options.endpoint_url:
        from pipeline.aws import SINGLE_ATTEMPT, AwsSettings, make_client, make_session  # boto3: only for HTTP

        session = make_session(AwsSettings(region=options.region or DEFAULT_REGION, loopback_credentials=True))
        client = make_client(session, "securityhub", endpoint_url=options.endpoint_url, retries=SINGLE_ATTEMPT,
                             max_pool_connections=options.settings.max_in_flight + 2, parameter_validation=False)
        # A hub someone else runs may emulate the quota: pace as for Security Hub.
        yield HubConnection(client, options.product_arn, account, options.endpoint_url, rate_limited=True)
        return
    # The hub is only loaded when it is used.
    from pipeline.hub import default_db_path, start_local_hub
    from pipeline.hub.direct_client import DirectHubClient

    db_path = options.db_path or default_db_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with start_local_hub(db_path, host="127.0.0.1", port=0, quota=options.quota) as hub:
        client = DirectHubClient(hub.app)
        yield HubConnection(client, options.product_arn, account, hub.endpoint_url, rate_limited=options.quota,
                            in_process=True, transaction=client.transaction)
