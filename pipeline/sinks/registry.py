"""--hub NAME -> a connection (for `findings`) or a sink (for `publish` and `scan`)."""
from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager as ContextManager
from dataclasses import replace
from typing import TYPE_CHECKING

from pipeline.registry import Registry
from pipeline.sinks.base import Sink
from pipeline.sinks.connection import HubConnection, HubOptions

if TYPE_CHECKING:
    from pipeline.sinks.securityhub import SecurityHubSettings

Connector = Callable[[HubOptions], ContextManager[HubConnection]]


def _on_use(module: str, function: str) -> Connector:
    """A connector whose module (boto3, botocore's model: a third of a second) is imported when a hub
    is used: every `secpipe` command builds the parser, which names the hubs."""
    def connect(options: HubOptions) -> ContextManager[HubConnection]:
        return getattr(importlib.import_module(module), function)(options)
    return connect


HUBS: Registry[Connector] = Registry("hub")
HUBS.add(_on_use("pipeline.sinks.local", "connect_local"), "local")
HUBS.add(_on_use("pipeline.sinks.aws_hub", "connect_aws"), "securityhub")
NO_HUB = "none"
DEFAULT_HUB = "local"


def names() -> list[str]:
    return [*HUBS.names(), NO_HUB]


def _connector(name: str) -> Connector:
    return HUBS.get(name)  # UnknownName (a ConfigError) naming the hubs


def connect(name: str, options: HubOptions) -> ContextManager[HubConnection]:
    """A hub to query and update (`secpipe findings`); "none" has nothing to query."""
    return _connector(name)(options)


@contextlib.contextmanager
def open_hub(name: str, options: HubOptions) -> Iterator[tuple[Sink, HubConnection | None]]:
    """The sink for --hub NAME and the connection behind it (None for "none"), for callers that also query."""
    from pipeline.sinks.securityhub import SecurityHubSink

    if name == NO_HUB:
        from pipeline.sinks.null import NullSink

        yield NullSink(), None
        return
    with _connector(name)(options) as connection:
        # Only a real AWS connection knows the caller's account; the local hub takes any.
        expected = connection.account if name == "securityhub" else None
        settings = options.settings if connection.rate_limited else unpaced(options.settings)
        if connection.in_process:
            settings = replace(settings, max_in_flight=1)
        # Batches are committed together only where no pacing could sleep inside the transaction.
        transaction = None if connection.rate_limited else connection.transaction
        yield SecurityHubSink(connection.client, connection.product_arn, settings, expected_account=expected,
                              transaction=transaction), connection


@contextlib.contextmanager
def open_sink(name: str, options: HubOptions) -> Iterator[Sink]:
    with open_hub(name, options) as (sink, _connection):
        yield sink


def unpaced(settings: SecurityHubSettings) -> SecurityHubSettings:
    """No client-side pacing, for a hub that has no rate limit (our own, without --quota)."""
    from pipeline.sinks.pacing import UNLIMITED

    return replace(settings, import_quota=UNLIMITED, update_quota=UNLIMITED, get_quota=UNLIMITED)
