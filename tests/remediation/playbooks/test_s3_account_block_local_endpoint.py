"""S3.1 against a moto server reached through AWS_ENDPOINT_URL (s3control puts the account id in
front of the host, which cannot resolve in front of 127.0.0.1)."""
from __future__ import annotations

import socket

import boto3
import pytest

from pipeline.remediation.member import assume_member, strip_account_host_before_local_endpoint
from pipeline.remediation.playbook import Decision, Target
from pipeline.remediation.registry import PLAYBOOKS

moto_server = pytest.importorskip("moto.server")

PATH = "/v20180820/configuration/publicAccessBlock"


@pytest.mark.parametrize(("url", "expected"), [
    (f"http://111122223333.127.0.0.1:5000{PATH}", f"http://127.0.0.1:5000{PATH}"),
    (f"http://111122223333.localhost:4566{PATH}", f"http://localhost:4566{PATH}"),
    (f"https://111122223333.s3-control.us-east-1.amazonaws.com{PATH}",
     f"https://111122223333.s3-control.us-east-1.amazonaws.com{PATH}"),
    (f"http://127.0.0.1:5000{PATH}", f"http://127.0.0.1:5000{PATH}"),
])
def test_the_account_is_dropped_from_the_host_only_before_a_local_endpoint(url, expected):
    params = {"url": url}
    strip_account_host_before_local_endpoint(params)
    assert params["url"] == expected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def endpoint(monkeypatch):
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield url
    server.stop()


def test_s3_1_fixes_and_rolls_back_through_a_local_endpoint(endpoint):
    member = assume_member(boto3.session.Session(region_name="us-east-1"), "111122223333", "us-east-1", "aws")
    target = Target(control_id="S3.1", account="111122223333", region="us-east-1", partition="aws",
                    resource_id="AWS::::Account:111122223333", resource_type="AwsAccount")
    playbook = PLAYBOOKS.get("S3.1")
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    playbook.rollback(member, target, plan.pre_state)
    assert playbook.plan(member, target).pre_state == {"public_access_block": None}
