"""S3.1, S3.4, S3.5, S3.8 in the member account (moto, reached through assume_role)."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.registry import PLAYBOOKS
from tests.remediation.playbooks.lifecycle import fix_and_check

BUCKET = "member-data-bucket"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
PARTIAL_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": True,
                 "RestrictPublicBuckets": False}
ALL_ON = dict.fromkeys(PARTIAL_BLOCK, True)


@pytest.fixture
def s3(member):
    client = member.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def bucket_target(target_for, control_id):
    return target_for(control_id, BUCKET_ARN, "AwsS3Bucket")


# --- S3.1 ------------------------------------------------------------------------------

def account_block(member):
    return member.client("s3control").get_public_access_block(AccountId=member.account)[
        "PublicAccessBlockConfiguration"]


def test_s3_1_turns_on_the_account_block_and_rolls_back_to_none(member, target_for):
    playbook = PLAYBOOKS.get("S3.1")
    target = target_for("S3.1", f"AWS::::Account:{member.account}", "AwsAccount")
    plan = fix_and_check(playbook, member, target)
    assert account_block(member) == ALL_ON
    playbook.rollback(member, target, plan.pre_state)
    s3control = member.client("s3control")
    with pytest.raises(s3control.exceptions.NoSuchPublicAccessBlockConfiguration):
        s3control.get_public_access_block(AccountId=member.account)


def test_s3_1_rollback_restores_a_partial_account_block(member, target_for):
    member.client("s3control").put_public_access_block(AccountId=member.account,
                                                       PublicAccessBlockConfiguration=PARTIAL_BLOCK)
    playbook = PLAYBOOKS.get("S3.1")
    target = target_for("S3.1", f"AWS::::Account:{member.account}", "AwsAccount")
    plan = fix_and_check(playbook, member, target)
    assert "IgnorePublicAcls" in plan.summary and "RestrictPublicBuckets" in plan.summary
    playbook.rollback(member, target, plan.pre_state)
    assert account_block(member) == PARTIAL_BLOCK


# --- S3.8 ------------------------------------------------------------------------------

def test_s3_8_turns_on_every_bucket_setting_and_rolls_back(member, s3, target_for):
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=PARTIAL_BLOCK)
    playbook = PLAYBOOKS.get("S3.8")
    target = bucket_target(target_for, "S3.8")
    plan = fix_and_check(playbook, member, target)
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == ALL_ON
    playbook.rollback(member, target, plan.pre_state)
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == PARTIAL_BLOCK


def test_s3_8_rollback_removes_a_configuration_that_did_not_exist(member, s3, target_for):
    playbook = PLAYBOOKS.get("S3.8")
    target = bucket_target(target_for, "S3.8")
    plan = fix_and_check(playbook, member, target)
    playbook.rollback(member, target, plan.pre_state)
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchPublicAccessBlockConfiguration"):
        s3.get_public_access_block(Bucket=BUCKET)


@pytest.mark.parametrize("control_id", ["S3.4", "S3.5", "S3.8"])
def test_a_bucket_that_is_gone_cannot_be_fixed(member, target_for, control_id):
    plan = PLAYBOOKS.get(control_id).plan(member, bucket_target(target_for, control_id))
    assert plan.decision is Decision.CANNOT
    assert BUCKET in plan.summary and "no longer exists" in plan.summary


# --- S3.4 ------------------------------------------------------------------------------

def test_s3_4_adds_sse_s3_and_rollback_removes_it(member, s3, target_for):
    playbook = PLAYBOOKS.get("S3.4")
    target = bucket_target(target_for, "S3.4")
    plan = fix_and_check(playbook, member, target)
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    playbook.rollback(member, target, plan.pre_state)
    with pytest.raises(s3.exceptions.ClientError, match="ServerSideEncryptionConfigurationNotFoundError"):
        s3.get_bucket_encryption(Bucket=BUCKET)


def test_s3_4_keeps_an_existing_kms_default(member, s3, target_for):
    key = member.client("kms").create_key()["KeyMetadata"]["Arn"]
    kms_default = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                                     "KMSMasterKeyID": key}}]}
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration=kms_default)
    plan = PLAYBOOKS.get("S3.4").plan(member, bucket_target(target_for, "S3.4"))
    assert plan.decision is Decision.COMPLIANT and "aws:kms" in plan.summary
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key


# --- S3.5 ------------------------------------------------------------------------------

OTHER_STATEMENTS = [
    {"Sid": "ReadForAnalytics", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
     "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/*"},
    {"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": BUCKET_ARN},
]


def test_s3_5_merges_the_deny_statement_and_keeps_the_others(member, s3, target_for):
    previous = json.dumps({"Version": "2012-10-17", "Id": "team-policy", "Statement": OTHER_STATEMENTS}, indent=1)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=previous)
    playbook = PLAYBOOKS.get("S3.5")
    target = bucket_target(target_for, "S3.5")
    plan = fix_and_check(playbook, member, target)
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert policy["Id"] == "team-policy"
    assert policy["Statement"][:2] == OTHER_STATEMENTS
    added = policy["Statement"][2]
    assert added["Effect"] == "Deny" and added["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(added["Resource"]) == {BUCKET_ARN, f"{BUCKET_ARN}/*"}
    playbook.rollback(member, target, plan.pre_state)
    assert s3.get_bucket_policy(Bucket=BUCKET)["Policy"] == previous


def test_s3_5_rollback_deletes_a_policy_that_did_not_exist(member, s3, target_for):
    playbook = PLAYBOOKS.get("S3.5")
    target = bucket_target(target_for, "S3.5")
    plan = fix_and_check(playbook, member, target)
    playbook.rollback(member, target, plan.pre_state)
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=BUCKET)


def test_s3_5_accepts_an_existing_tls_statement_written_differently(member, s3, target_for):
    statement = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["s3:*"], "Resource": "*",
                 "Condition": {"Bool": {"aws:SecureTransport": False}}}
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    plan = PLAYBOOKS.get("S3.5").plan(member, bucket_target(target_for, "S3.5"))
    assert plan.decision is Decision.COMPLIANT


def test_s3_5_a_tls_statement_for_objects_only_is_not_enough(member, s3, target_for):
    statement = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{BUCKET_ARN}/*",
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    plan = PLAYBOOKS.get("S3.5").plan(member, bucket_target(target_for, "S3.5"))
    assert plan.decision is Decision.CHANGE
    assert "keeping its 1 statement" in plan.summary
