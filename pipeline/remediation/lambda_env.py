"""The remediation Lambdas' environment, in one place: variable names, defaults, clients.

Every function reads its settings here once per container (cold start); the
CloudFormation templates set exactly these variables.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from pipeline.aws import SECURITYHUB_ENDPOINT_VARIABLE, SINGLE_ATTEMPT, make_client
from pipeline.errors import ConfigError
from pipeline.remediation.archive_policy import ArchivePolicy, parse_archive_policy
from pipeline.remediation.engine import EngineOptions
from pipeline.remediation.member import DEFAULT_ROLE_NAME
from pipeline.sinks.retrying import RetryPolicy

ARCHIVE_POLICY_VARIABLE = "SECPIPE_ARCHIVE_POLICY"  # JSON, see archive_policy
HUB_ATTEMPTS_VARIABLE = "SECPIPE_SECURITYHUB_ATTEMPTS"  # attempts inside one Lambda run before Throttled
DRY_RUN_VARIABLE = "SECPIPE_REMEDIATION_DRY_RUN"  # "true": plan and record, change nothing
ROLE_NAME_VARIABLE = "SECPIPE_MEMBER_ROLE_NAME"
STATE_TABLE_VARIABLE = "SECPIPE_STATE_TABLE"  # the engine's claims and loop-guard history
IDEMPOTENCY_TABLE_VARIABLE = "SECPIPE_IDEMPOTENCY_TABLE"  # Powertools Idempotency records
IDEMPOTENCY_SECONDS_VARIABLE = "SECPIPE_IDEMPOTENCY_SECONDS"
RECORDS_DIR_VARIABLE = "SECPIPE_RECORDS_DIR"

DEFAULT_HUB_ATTEMPTS = 3
# One fix per (account, region, control, resource) per hour: duplicates from a CIS and a
# best-practice finding arrive within seconds; a re-break hours later is remediated again.
DEFAULT_IDEMPOTENCY_SECONDS = 3600
DEFAULT_RECORDS_DIR = "/tmp/secpipe-remediation"  # Lambda's only writable folder


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{name} must be a positive whole number, not {text!r}")
    return int(text)


def _required(environ: Mapping[str, str], name: str, meaning: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set ({meaning})")
    return value


def archive_policy(environ: Mapping[str, str] | None = None) -> ArchivePolicy:
    return parse_archive_policy(_env(environ).get(ARCHIVE_POLICY_VARIABLE), ARCHIVE_POLICY_VARIABLE)


def hub_retry_policy(environ: Mapping[str, str] | None = None) -> RetryPolicy:
    return RetryPolicy(max_attempts=_positive(_env(environ), HUB_ATTEMPTS_VARIABLE, DEFAULT_HUB_ATTEMPTS))


@dataclass(frozen=True)
class SecurityHubAccess:
    """What the Archive and Record functions keep per container: the client and its retry policy."""

    securityhub: Any
    retry_policy: RetryPolicy


def securityhub_access(environ: Mapping[str, str] | None = None) -> SecurityHubAccess:
    return SecurityHubAccess(securityhub_client(environ), hub_retry_policy(environ))


def securityhub_client(environ: Mapping[str, str] | None = None) -> Any:
    """Security Hub in this account and region (or the local hub of SECPIPE_SECURITYHUB_ENDPOINT).
    One attempt per call: the hub retry loop and then the state machine do the waiting."""
    endpoint = _env(environ).get(SECURITYHUB_ENDPOINT_VARIABLE, "").strip() or None
    return make_client(boto3.session.Session(), "securityhub", endpoint_url=endpoint, retries=SINGLE_ATTEMPT)


# The Proxy waits for the Remediation function's answer: longer than that function may run
# (its Timeout in remediation-service-account.yaml), shorter than the Proxy's own Timeout.
REMEDIATION_TIMEOUT_SECONDS = 600
INVOKE_READ_TIMEOUT_SECONDS = REMEDIATION_TIMEOUT_SECONDS + 30


def lambda_client() -> Any:
    """One attempt: a retried synchronous invoke could run a remediation twice; the state
    machine's Retry (with the idempotency of the Remediation function) decides instead."""
    config = Config(retries=dict(SINGLE_ATTEMPT), connect_timeout=10, read_timeout=INVOKE_READ_TIMEOUT_SECONDS)
    return boto3.session.Session().client("lambda", config=config)


def dry_run(environ: Mapping[str, str] | None = None) -> bool:
    text = _env(environ).get(DRY_RUN_VARIABLE, "true").strip().lower()
    if text not in ("true", "false"):
        raise ConfigError(f"{DRY_RUN_VARIABLE} must be true or false, not {text!r}")
    return text == "true"


def engine_options(environ: Mapping[str, str] | None = None) -> EngineOptions:
    environ = _env(environ)
    return EngineOptions(dry_run=dry_run(environ),
                         role_name=environ.get(ROLE_NAME_VARIABLE, "").strip() or DEFAULT_ROLE_NAME,
                         records_dir=Path(environ.get(RECORDS_DIR_VARIABLE, "").strip() or DEFAULT_RECORDS_DIR),
                         state_table=_required(environ, STATE_TABLE_VARIABLE, "the engine's state table"),
                         max_workers=1)


def idempotency_table(environ: Mapping[str, str] | None = None) -> str:
    return _required(_env(environ), IDEMPOTENCY_TABLE_VARIABLE, "the Powertools idempotency table")


def idempotency_seconds(environ: Mapping[str, str] | None = None) -> int:
    return _positive(_env(environ), IDEMPOTENCY_SECONDS_VARIABLE, DEFAULT_IDEMPOTENCY_SECONDS)
