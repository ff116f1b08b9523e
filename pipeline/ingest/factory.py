"""Build an Ingestor from the settings: AWS clients, STS identity, the Security Hub sink.

Done once per Lambda container; the connection helpers are the ones `secpipe
publish --hub securityhub` uses, so account, region and partition come from
STS and the session exactly as they do there.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pipeline.aws import AwsSettings, make_client, make_session
from pipeline.context import ScanContext, context_for_product
from pipeline.errors import ConfigError
from pipeline.ingest.idempotency import DynamoDbIdempotency
from pipeline.ingest.objects import S3ReportReader
from pipeline.ingest.ordering import ScopeOrder
from pipeline.ingest.service import Ingestor
from pipeline.ingest.settings import IngestSettings
from pipeline.sinks import registry
from pipeline.sinks.connection import HubOptions
from pipeline.sinks.securityhub import SecurityHubSink


@contextlib.contextmanager
def open_ingestor(settings: IngestSettings) -> Iterator[Ingestor]:
    session = make_session(AwsSettings(region=settings.region))
    reader = S3ReportReader(make_client(session, "s3"), settings.max_bytes)
    dynamodb = make_client(session, "dynamodb")
    store = DynamoDbIdempotency(dynamodb, settings.idempotency_table, settings.idempotency_ttl_seconds)
    order = ScopeOrder(dynamodb, settings.idempotency_table)
    options = HubOptions(endpoint_url=settings.securityhub_endpoint, region=settings.region)
    with registry.connect("securityhub", options) as connection:
        if not connection.product_arn:
            raise ConfigError("the Security Hub connection has no product ARN (STS did not name the account)")
        sink = SecurityHubSink(connection.client, connection.product_arn, options.settings,
                               expected_account=connection.account)
        yield Ingestor(reader, store, order, sink, context_for_product(ScanContext(), connection.product_arn))
