"""The "local" hub: the SQLite findings hub on a loopback port, through boto3.

Without --endpoint-url the hub is started in-process on a free loopback port
with the database under the user's data directory, and stopped afterwards; boto3's
requests reach it without the socket (pipeline.hub.in_process). With one, secpipe
talks to a hub that is already running (`secpipe hub serve`) over HTTP. The
account is whatever the findings or the context say: there is no STS here.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pipeline.aws import SINGLE_ATTEMPT, AwsSettings, make_client, make_session
from pipeline.context import DEFAULT_REGION
from pipeline.sinks.connection import HubConnection, HubOptions


def _account_of(product_arn: str | None) -> str | None:
    parts = (product_arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


@contextlib.contextmanager
def connect_local(options: HubOptions) -> Iterator[HubConnection]:
    session = make_session(AwsSettings(region=options.region or DEFAULT_REGION, loopback_credentials=True))
    pool = options.settings.max_in_flight + 2

    def connection(url: str, rate_limited: bool) -> HubConnection:
        client = make_client(session, "securityhub", endpoint_url=url, retries=SINGLE_ATTEMPT, max_pool_connections=pool,
                             parameter_validation=False)
        return HubConnection(client, options.product_arn, _account_of(options.product_arn), url, rate_limited)

    if options.endpoint_url:
        # A hub someone else runs may emulate the quota: pace as for Security Hub.
        yield connection(options.endpoint_url, rate_limited=True)
        return
    from pipeline.hub import default_db_path, start_local_hub  # the hub is only loaded when it is used
    from pipeline.hub.in_process import InProcessTransport

    db_path = options.db_path or default_db_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with start_local_hub(db_path, host="127.0.0.1", port=0, quota=options.quota) as hub:
        connected = connection(hub.endpoint_url, rate_limited=options.quota)
        InProcessTransport(hub.app).attach(connected.client)  # the hub is in this process: no socket
        yield connected
