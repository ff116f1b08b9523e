"""Moto (in process) with a member account reached through assume_role, as the engine reaches it."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

moto = pytest.importorskip("moto")

from pipeline.remediation.member import MemberSession, assume_member  # noqa: E402
from pipeline.remediation.playbook import Target  # noqa: E402

SECURITY_ACCOUNT = "123456789012"  # moto's default: the caller
MEMBER_ACCOUNT = "111122223333"
REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with moto.mock_aws():
        yield


@pytest.fixture
def member(aws: None) -> MemberSession:
    """Clients in MEMBER_ACCOUNT, reached by assuming the org role from the security account."""
    return assume_member(boto3.session.Session(region_name=REGION), MEMBER_ACCOUNT, REGION, "aws")


@pytest.fixture
def target_for(member: MemberSession) -> Callable[..., Target]:
    def make(control_id: str, resource_id: str, resource_type: str = "", **details: Any) -> Target:
        return Target(control_id=control_id, account=member.account, region=member.region,
                      partition=member.partition, resource_id=resource_id, resource_type=resource_type,
                      details=details)
    return make
