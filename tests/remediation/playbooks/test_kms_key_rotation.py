"""KMS.4 against moto in the member account."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.playbooks.kms_key_rotation import rotation_blocker
from pipeline.remediation.registry import PLAYBOOKS


def recorded(pre_state):
    """The pre-state as a rollback record file gives it back: through JSON, unchanged."""
    assert json.loads(json.dumps(pre_state)) == pre_state
    return json.loads(json.dumps(pre_state))


def _rotation(member, key_id) -> bool:
    return member.client("kms").get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]


def test_rotation_enabled_verified_and_rolled_back(member, target_for):
    key = member.client("kms").create_key(Description="app data")["KeyMetadata"]
    playbook = PLAYBOOKS.get("KMS.4")
    target = target_for("KMS.4", key["Arn"], "AwsKmsKey")
    assert key["Arn"].startswith("arn:aws:kms:us-east-1:111122223333:key/")
    before = _rotation(member, key["KeyId"])

    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert _rotation(member, key["KeyId"]) is True
    assert playbook.plan(member, target).decision is Decision.COMPLIANT

    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _rotation(member, key["KeyId"]) == before is False


@pytest.mark.parametrize("create, reason", [
    ({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, "RSA_2048"),
    ({"Origin": "EXTERNAL"}, "EXTERNAL"),
])
def test_keys_that_cannot_rotate_say_why(member, target_for, create, reason):
    key = member.client("kms").create_key(**create)["KeyMetadata"]
    plan = PLAYBOOKS.get("KMS.4").plan(member, target_for("KMS.4", key["Arn"], "AwsKmsKey"))
    assert plan.decision is Decision.CANNOT
    assert reason in plan.summary


def test_key_pending_deletion_cannot_rotate(member, target_for):
    kms = member.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    plan = PLAYBOOKS.get("KMS.4").plan(member, target_for("KMS.4", key["Arn"]))
    assert plan.decision is Decision.CANNOT and "PendingDeletion" in plan.summary


def test_missing_key_cannot_be_remediated(member, target_for):
    arn = "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000000"
    plan = PLAYBOOKS.get("KMS.4").plan(member, target_for("KMS.4", arn, "AwsKmsKey"))
    assert plan.decision is Decision.CANNOT and "no longer exists" in plan.summary


def test_aws_managed_key_metadata_is_refused():
    # moto creates every key as CUSTOMER managed, so the AWS managed case is judged on a
    # DescribeKey KeyMetadata shaped as AWS documents it for such a key.
    metadata = {"KeyManager": "AWS", "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS", "KeyState": "Enabled"}
    assert "AWS managed" in rotation_blocker(metadata)
    assert rotation_blocker({**metadata, "KeyManager": "CUSTOMER"}) is None


def test_multi_region_replica_is_refused(member, target_for):
    primary = member.client("kms").create_key(MultiRegion=True)["KeyMetadata"]
    replica = member.client("kms").replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    arn = replica["ReplicaKeyMetadata"]["Arn"]
    metadata = member.session.client("kms", region_name="eu-west-1").describe_key(KeyId=arn)["KeyMetadata"]
    assert "replica" in rotation_blocker(metadata)
