"""The remediation Lambdas' environment: defaults that are safe (dry run), and one clear
ConfigError for a missing or bad variable."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.remediation import lambda_env

SERVICE = {"SECPIPE_STATE_TABLE": "state", "SECPIPE_IDEMPOTENCY_TABLE": "idempotency"}


def test_the_engine_plans_only_unless_told_otherwise() -> None:
    options = lambda_env.engine_options(SERVICE)
    assert options.dry_run is True
    assert options.role_name == "secpipe-remediation" and options.state_table == "state"
    assert options.records_dir == Path("/tmp/secpipe-remediation") and options.max_workers == 1
    live = lambda_env.engine_options({**SERVICE, "SECPIPE_REMEDIATION_DRY_RUN": "false",
                                      "SECPIPE_MEMBER_ROLE_NAME": "org-fixer", "SECPIPE_RECORDS_DIR": "/tmp/r"})
    assert (live.dry_run, live.role_name, live.records_dir) == (False, "org-fixer", Path("/tmp/r"))


@pytest.mark.parametrize(("environ", "message"), [
    ({}, "SECPIPE_STATE_TABLE is not set"),
    ({**SERVICE, "SECPIPE_REMEDIATION_DRY_RUN": "yes"}, "must be true or false"),
])
def test_a_bad_service_environment_is_one_clear_error(environ, message) -> None:
    with pytest.raises(ConfigError, match=message):
        lambda_env.engine_options(environ)


def test_idempotency_settings() -> None:
    assert lambda_env.idempotency_table(SERVICE) == "idempotency"
    assert lambda_env.idempotency_seconds({}) == 3600
    assert lambda_env.idempotency_seconds({"SECPIPE_IDEMPOTENCY_SECONDS": "60"}) == 60
    with pytest.raises(ConfigError, match="SECPIPE_IDEMPOTENCY_TABLE is not set"):
        lambda_env.idempotency_table({})
    with pytest.raises(ConfigError, match="positive whole number"):
        lambda_env.idempotency_seconds({"SECPIPE_IDEMPOTENCY_SECONDS": "-5"})


def test_security_hub_attempts_and_archive_policy() -> None:
    assert lambda_env.hub_retry_policy({}).max_attempts == 3
    assert lambda_env.hub_retry_policy({"SECPIPE_SECURITYHUB_ATTEMPTS": "1"}).max_attempts == 1
    policy = lambda_env.archive_policy({"SECPIPE_ARCHIVE_POLICY": '{"controls_off": ["EC2.2"]}'})
    assert policy.controls_off == frozenset({"EC2.2"})
    with pytest.raises(ConfigError, match="SECPIPE_ARCHIVE_POLICY: not valid JSON"):
        lambda_env.archive_policy({"SECPIPE_ARCHIVE_POLICY": "{"})
