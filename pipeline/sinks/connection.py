"""What a hub choice resolves to: a Security Hub client and whose findings it holds."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.sinks.securityhub import SecurityHubSettings

#: Opens one transaction of the hub for the calls made inside it (pipeline.hub.direct_client).
Transaction = Callable[[], AbstractContextManager[None]]


def _default_settings() -> SecurityHubSettings:
    # Imported when options are made, not when the parser names the hub flags: the sink's
    # module loads botocore's model.
    from pipeline.sinks.securityhub import SecurityHubSettings

    return SecurityHubSettings()


@dataclass(frozen=True)
class HubOptions:
    endpoint_url: str | None = None  # talk to this URL instead of starting / resolving one
    region: str | None = None
    profile: str | None = None
    db_path: Path | None = None  # local hub database (default: the user's data directory)
    product_arn: str | None = None  # local hub: taken from the findings or the context, no STS
    quota: bool = False  # local hub started in-process: emulate the Security Hub rate limits
    settings: SecurityHubSettings = field(default_factory=_default_settings)


@dataclass(frozen=True)
class HubConnection:
    client: Any  # boto3 securityhub client
    product_arn: str | None
    account: str | None
    endpoint_url: str | None
    rate_limited: bool = True  # False only for an in-process local hub without quota emulation
    # The hub runs in this process and its calls wait on nothing but its own work (the CPU, the
    # store's lock): requests in flight at once would only take turns with each other.
    in_process: bool = False
    # Opens one transaction for the calls made inside it: a hub in this process offers it
    # (DirectHubClient.transaction); the importer then commits several batches at once.
    transaction: Transaction | None = None
