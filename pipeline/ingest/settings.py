"""The ingest function's environment, read once per container (cold start)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.errors import ConfigError

TABLE_VARIABLE = "SECPIPE_IDEMPOTENCY_TABLE"
TTL_VARIABLE = "SECPIPE_IDEMPOTENCY_TTL_SECONDS"
MAX_BYTES_VARIABLE = "SECPIPE_INGEST_MAX_BYTES"
ENDPOINT_VARIABLE = "SECPIPE_SECURITYHUB_ENDPOINT"  # tests and local runs only: the local hub's URL

DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # parsed findings take several times this in memory
# Longer than every redelivery window: EventBridge retries for 24 h, Lambda async retries for 6 h.
DEFAULT_TTL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class IngestSettings:
    idempotency_table: str
    max_bytes: int = DEFAULT_MAX_BYTES
    idempotency_ttl_seconds: int = DEFAULT_TTL_SECONDS
    securityhub_endpoint: str | None = None
    region: str | None = None  # None: the session's (Lambda sets AWS_REGION)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> "IngestSettings":
        env = os.environ if env is None else env
        table = env.get(TABLE_VARIABLE, "").strip()
        if not table:
            raise ConfigError(f"{TABLE_VARIABLE} is not set (the DynamoDB table of idempotency records)")
        return cls(idempotency_table=table,
                   max_bytes=_positive(env, MAX_BYTES_VARIABLE, DEFAULT_MAX_BYTES),
                   idempotency_ttl_seconds=_positive(env, TTL_VARIABLE, DEFAULT_TTL_SECONDS),
                   securityhub_endpoint=env.get(ENDPOINT_VARIABLE, "").strip() or None,
                   region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise ConfigError(f"{name} must be a positive whole number, got {text!r}")
    return int(text)
