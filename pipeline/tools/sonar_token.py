"""Where the SonarQube token comes from: the environment, or an SSM SecureString.

The token is handed back as a value and nothing here prints, logs or formats
it into a message; callers pass it on only through the scanner's environment
(SONAR_TOKEN) and the API client's Authorization header.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pipeline.errors import ConfigError, SecpipeError

TOKEN_ENV = "SONAR_TOKEN"
PARAMETER_ENV = "SONAR_TOKEN_PARAMETER"


class TokenUnavailable(SecpipeError):
    """A token source is configured but the token cannot be read from it."""


def token_configured(settings: Mapping[str, str]) -> bool:
    return bool(settings.get(TOKEN_ENV) or settings.get(PARAMETER_ENV))


def read_token(settings: Mapping[str, str]) -> str:
    """SONAR_TOKEN if set, else the SecureString named by SONAR_TOKEN_PARAMETER."""
    token = settings.get(TOKEN_ENV, "").strip()
    if token:
        return token
    name = settings.get(PARAMETER_ENV, "").strip()
    if not name:
        raise ConfigError(f"no SonarQube token: set {TOKEN_ENV} or {PARAMETER_ENV} (an SSM SecureString name)")
    return _from_ssm(name, settings.get("AWS_REGION") or settings.get("AWS_DEFAULT_REGION"))


class _DropParameterValues(logging.Filter):
    """botocore's DEBUG log prints every response body, the decrypted parameter included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ('"Parameter"' in message and '"Value"' in message)


@contextmanager
def _parameter_values_unlogged() -> Iterator[None]:
    logger = logging.getLogger("botocore.parsers")
    guard = _DropParameterValues()
    logger.addFilter(guard)
    try:
        yield
    finally:
        logger.removeFilter(guard)


def _from_ssm(name: str, region: str | None) -> str:
    # boto3 only when a token is in SSM: every scan loads this module before its tools start.
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        ssm = boto3.session.Session(region_name=region).client(
            "ssm", config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=10, read_timeout=30))
        with _parameter_values_unlogged():
            parameter = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise TokenUnavailable(f"cannot read SSM parameter {name}: {code}") from None
    except BotoCoreError as exc:  # no region, no credentials, endpoint unreachable
        raise TokenUnavailable(f"cannot read SSM parameter {name}: {type(exc).__name__}") from None
    if parameter.get("Type") != "SecureString":
        # A plain String/StringList token is readable by anyone with ssm:GetParameter
        # and shows in the console: refuse it rather than normalise it.
        raise TokenUnavailable(f"SSM parameter {name} is a {parameter.get('Type')}, not a SecureString: "
                               "store the SonarQube token encrypted")
    value = str(parameter.get("Value", "")).strip()
    if not value:
        raise TokenUnavailable(f"SSM parameter {name} is empty")
    return value
