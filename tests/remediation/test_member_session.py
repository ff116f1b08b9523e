"""The member session acts in the member account, not the caller's."""
from __future__ import annotations

import boto3

from tests.remediation.conftest import MEMBER_ACCOUNT


def test_member_session_acts_in_the_member_account(member):
    assert member.client("sts").get_caller_identity()["Account"] == MEMBER_ACCOUNT
    member.client("s3").create_bucket(Bucket="member-bucket-1")
    assert [b["Name"] for b in member.client("s3").list_buckets()["Buckets"]] == ["member-bucket-1"]
    assert boto3.client("s3").list_buckets()["Buckets"] == []
