"""A session in the member account: assume the org role, one session per (account, region).

Endpoints come from botocore's own `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`
variables, so the same code runs against moto and AWS.
"""
from __future__ import annotations

import ipaddress
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config

from pipeline.errors import ConfigError

DEFAULT_ROLE_NAME = "secpipe-remediation"
SESSION_NAME = "secpipe-remediation"
_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=10, read_timeout=60)


def _is_local_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def strip_account_host_before_local_endpoint(params: dict[str, Any], **_: Any) -> None:
    """S3 Control sends to ACCOUNT.HOST. In front of a local endpoint (moto_server at an IP address
    or localhost, from AWS_ENDPOINT_URL) that name cannot resolve, so the account part is dropped
    there, and only there; AWS's own hosts are left as they are."""
    parts = urlsplit(params["url"])
    account, _, rest = parts.netloc.partition(".")
    if account.isdigit() and _is_local_host(rest.rsplit(":", 1)[0]):
        params["url"] = urlunsplit(parts._replace(netloc=rest))


def role_arn(partition: str, account: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role_name}"


@dataclass
class MemberSession:
    account: str
    region: str
    partition: str
    session: boto3.session.Session
    role_arn: str = ""
    _clients: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                client = self.session.client(service, region_name=self.region, config=_CONFIG)
                if service == "s3control":
                    client.meta.events.register("before-call.s3-control", strip_account_host_before_local_endpoint)
                self._clients[service] = client
            return self._clients[service]


class MemberAccessError(ConfigError):
    """The member role could not be assumed; names account, region and role."""


def assume_member(base: boto3.session.Session, account: str, region: str, partition: str,
                  role_name: str = DEFAULT_ROLE_NAME) -> MemberSession:
    arn = role_arn(partition, account, role_name)
    sts = base.client("sts", region_name=region, config=_CONFIG)
    try:
        creds = sts.assume_role(RoleArn=arn, RoleSessionName=SESSION_NAME)["Credentials"]
    except Exception as exc:
        raise MemberAccessError(f"cannot assume {arn} for account {account} in {region}: {exc}") from None
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                    aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name=region)
    return MemberSession(account=account, region=region, partition=partition, session=session, role_arn=arn)


class MemberSessions:
    """Caches one assumed session per (account, region); thread-safe."""

    def __init__(self, base: boto3.session.Session, role_name: str = DEFAULT_ROLE_NAME):
        self._base = base
        self._role_name = role_name
        self._sessions: dict[tuple[str, str], MemberSession] = {}
        self._lock = threading.Lock()

    def get(self, account: str, region: str, partition: str) -> MemberSession:
        key = (account, region)
        with self._lock:
            if key not in self._sessions:
                self._sessions[key] = assume_member(self._base, account, region, partition, self._role_name)
            return self._sessions[key]
