"""CloudTrail.2, .4, .5, .6, .7 on one trail of the member account (moto, through assume_role)."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.tags import TAG_READERS, opted_out
from tests.remediation.playbooks.lifecycle import fix_and_check

TRAIL = "member-trail"
TRAIL_BUCKET = "member-trail-logs-bucket"
TRAIL_CONTROLS = ["CloudTrail.2", "CloudTrail.4", "CloudTrail.5", "CloudTrail.6", "CloudTrail.7"]


@pytest.fixture
def trail_arn(member):
    member.client("s3").create_bucket(Bucket=TRAIL_BUCKET)
    return member.client("cloudtrail").create_trail(Name=TRAIL, S3BucketName=TRAIL_BUCKET,
                                                    IsMultiRegionTrail=True)["TrailARN"]


def trail(member, arn):
    return member.client("cloudtrail").get_trail(Name=arn)["Trail"]


@pytest.fixture
def trail_target(target_for, trail_arn):
    return lambda control_id: target_for(control_id, trail_arn, "AwsCloudTrailTrail")


def test_cloudtrail_4_turns_on_log_file_validation_and_rolls_back(member, trail_arn, trail_target):
    playbook, target = PLAYBOOKS.get("CloudTrail.4"), trail_target("CloudTrail.4")
    plan = fix_and_check(playbook, member, target)
    assert trail(member, trail_arn)["LogFileValidationEnabled"] is True
    playbook.rollback(member, target, plan.pre_state)
    assert trail(member, trail_arn)["LogFileValidationEnabled"] is False


def test_cloudtrail_2_encrypts_with_a_new_rotating_key_and_rollback_keeps_the_key(member, trail_arn, trail_target):
    playbook, target = PLAYBOOKS.get("CloudTrail.2"), trail_target("CloudTrail.2")
    plan = fix_and_check(playbook, member, target)
    kms = member.client("kms")
    key = kms.describe_key(KeyId="alias/secpipe-cloudtrail")["KeyMetadata"]
    assert trail(member, trail_arn)["KmsKeyId"] == key["Arn"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    assert "cloudtrail.amazonaws.com" in kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    playbook.rollback(member, target, plan.pre_state)
    assert not trail(member, trail_arn).get("KmsKeyId")
    assert kms.describe_key(KeyId="alias/secpipe-cloudtrail")["KeyMetadata"]["Arn"] == key["Arn"]


def test_cloudtrail_2_chooses_the_existing_secpipe_key(member, trail_arn, trail_target):
    kms = member.client("kms")
    existing = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/secpipe-cloudtrail", TargetKeyId=existing)
    playbook, target = PLAYBOOKS.get("CloudTrail.2"), trail_target("CloudTrail.2")
    plan = fix_and_check(playbook, member, target)
    assert "existing key" in plan.summary
    assert trail(member, trail_arn)["KmsKeyId"] == existing
    assert len(kms.list_keys()["Keys"]) == 1


def test_cloudtrail_5_delivers_to_a_new_log_group_and_rollback_removes_what_it_made(member, trail_arn, trail_target):
    playbook, target = PLAYBOOKS.get("CloudTrail.5"), trail_target("CloudTrail.5")
    plan = fix_and_check(playbook, member, target)
    state = trail(member, trail_arn)
    group = f"secpipe/cloudtrail/{TRAIL}"
    assert state["CloudWatchLogsLogGroupArn"] == f"arn:aws:logs:us-east-1:{member.account}:log-group:{group}:*"
    assert state["CloudWatchLogsRoleArn"].endswith(":role/secpipe-cloudtrail-cloudwatch-logs")
    logs, iam = member.client("logs"), member.client("iam")
    [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["retentionInDays"] == 365
    trust = iam.get_role(RoleName="secpipe-cloudtrail-cloudwatch-logs")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    playbook.rollback(member, target, plan.pre_state)
    assert not trail(member, trail_arn).get("CloudWatchLogsLogGroupArn")
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="secpipe-cloudtrail-cloudwatch-logs")


def test_cloudtrail_5_rollback_keeps_a_log_group_that_holds_events(member, trail_arn, trail_target):
    playbook, target = PLAYBOOKS.get("CloudTrail.5"), trail_target("CloudTrail.5")
    plan = fix_and_check(playbook, member, target)
    group = f"secpipe/cloudtrail/{TRAIL}"
    member.client("logs").create_log_stream(logGroupName=group, logStreamName="111122223333_CloudTrail_us-east-1")
    assert "kept" in playbook.rollback(member, target, plan.pre_state)
    assert member.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]


def test_cloudtrail_6_blocks_public_access_to_the_trail_bucket_and_rolls_back(member, trail_arn, trail_target):
    playbook, target = PLAYBOOKS.get("CloudTrail.6"), trail_target("CloudTrail.6")
    plan = fix_and_check(playbook, member, target)
    s3 = member.client("s3")
    assert all(s3.get_public_access_block(Bucket=TRAIL_BUCKET)["PublicAccessBlockConfiguration"].values())
    playbook.rollback(member, target, plan.pre_state)
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchPublicAccessBlockConfiguration"):
        s3.get_public_access_block(Bucket=TRAIL_BUCKET)


def test_cloudtrail_7_logs_trail_bucket_access_into_a_new_bucket_and_rolls_back(member, trail_arn, trail_target):
    playbook, target = PLAYBOOKS.get("CloudTrail.7"), trail_target("CloudTrail.7")
    plan = fix_and_check(playbook, member, target)
    s3 = member.client("s3")
    log_bucket = f"secpipe-s3-access-logs-{member.account}-us-east-1"
    assert s3.get_bucket_logging(Bucket=TRAIL_BUCKET)["LoggingEnabled"] == {
        "TargetBucket": log_bucket, "TargetPrefix": f"{TRAIL_BUCKET}/"}
    encryption = s3.get_bucket_encryption(Bucket=log_bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=log_bucket)["PublicAccessBlockConfiguration"].values())
    # moto, like S3, writes access log records for the requests above: they are kept.
    assert s3.list_objects_v2(Bucket=log_bucket)["KeyCount"] > 0
    done = playbook.rollback(member, target, plan.pre_state)
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=TRAIL_BUCKET)
    assert f"{log_bucket} kept: it holds log files" in done
    assert log_bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]


@pytest.mark.parametrize("control_id", TRAIL_CONTROLS)
def test_an_organization_trail_is_left_to_the_landing_zone(member, target_for, control_id):
    member.client("s3").create_bucket(Bucket=TRAIL_BUCKET)
    arn = member.client("cloudtrail").create_trail(Name="org-trail", S3BucketName=TRAIL_BUCKET,
                                                   IsOrganizationTrail=True)["TrailARN"]
    plan = PLAYBOOKS.get(control_id).plan(member, target_for(control_id, arn, "AwsCloudTrailTrail"))
    assert plan.decision is Decision.CANNOT
    assert "organization trail" in plan.summary


@pytest.mark.parametrize("control_id", TRAIL_CONTROLS)
def test_a_control_tower_trail_is_left_to_the_landing_zone(member, target_for, control_id):
    member.client("s3").create_bucket(Bucket=TRAIL_BUCKET)
    arn = member.client("cloudtrail").create_trail(Name="aws-controltower-BaselineCloudTrail",
                                                   S3BucketName=TRAIL_BUCKET)["TrailARN"]
    plan = PLAYBOOKS.get(control_id).plan(member, target_for(control_id, arn, "AwsCloudTrailTrail"))
    assert plan.decision is Decision.CANNOT
    assert "Control Tower" in plan.summary


@pytest.mark.parametrize("control_id", TRAIL_CONTROLS)
def test_a_trail_that_is_gone_cannot_be_fixed(member, target_for, control_id):
    arn = f"arn:aws:cloudtrail:us-east-1:{member.account}:trail/deleted-trail"
    plan = PLAYBOOKS.get(control_id).plan(member, target_for(control_id, arn, "AwsCloudTrailTrail"))
    assert plan.decision is Decision.CANNOT
    assert "no longer exists" in plan.summary


@pytest.mark.parametrize("control_id", ["CloudTrail.6", "CloudTrail.7"])
def test_a_trail_whose_bucket_is_gone_cannot_be_fixed(member, trail_arn, trail_target, control_id):
    member.client("s3").delete_bucket(Bucket=TRAIL_BUCKET)
    plan = PLAYBOOKS.get(control_id).plan(member, trail_target(control_id))
    assert plan.decision is Decision.CANNOT
    assert TRAIL_BUCKET in plan.summary


def test_cloudtrail_5_keeps_the_retention_of_an_existing_log_group(member, trail_arn, trail_target):
    group = f"secpipe/cloudtrail/{TRAIL}"
    logs = member.client("logs")
    logs.create_log_group(logGroupName=group)
    logs.put_retention_policy(logGroupName=group, retentionInDays=3653)
    playbook, target = PLAYBOOKS.get("CloudTrail.5"), trail_target("CloudTrail.5")
    plan = fix_and_check(playbook, member, target)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 3653
    playbook.rollback(member, target, plan.pre_state)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 3653


@pytest.mark.parametrize("control_id", ["CloudTrail.6", "CloudTrail.7"])
def test_a_finding_that_names_the_trail_bucket_is_fixed_on_that_bucket(member, trail_arn, target_for, control_id):
    playbook = PLAYBOOKS.get(control_id)
    target = target_for(control_id, f"arn:aws:s3:::{TRAIL_BUCKET}", "AwsS3Bucket")
    plan = fix_and_check(playbook, member, target)
    assert plan.pre_state["bucket"] == TRAIL_BUCKET
    # the same fix seen from the trail: compliant too
    assert playbook.plan(member, target_for(control_id, trail_arn, "AwsCloudTrailTrail")).decision is Decision.COMPLIANT
    playbook.rollback(member, target, plan.pre_state)
    assert playbook.plan(member, target).decision is Decision.CHANGE


@pytest.mark.parametrize("control_id", ["CloudTrail.6", "CloudTrail.7"])
def test_control_towers_log_archive_bucket_is_left_to_the_landing_zone(member, target_for, control_id):
    bucket = f"aws-controltower-logs-{member.account}-us-east-1"
    member.client("s3").create_bucket(Bucket=bucket)
    plan = PLAYBOOKS.get(control_id).plan(member, target_for(control_id, f"arn:aws:s3:::{bucket}", "AwsS3Bucket"))
    assert plan.decision is Decision.CANNOT and "Control Tower" in plan.summary


def test_the_opt_out_tag_is_read_from_the_bucket_a_finding_names(member, trail_arn, target_for):
    member.client("s3").put_bucket_tagging(Bucket=TRAIL_BUCKET, Tagging={"TagSet": [
        {"Key": "secpipe-remediation", "Value": "skip"}]})
    reader = TAG_READERS[PLAYBOOKS.get("CloudTrail.6").tag_reader]
    assert opted_out(reader.read(member, target_for("CloudTrail.6", f"arn:aws:s3:::{TRAIL_BUCKET}", "AwsS3Bucket")))
    assert not opted_out(reader.read(member, target_for("CloudTrail.6", trail_arn, "AwsCloudTrailTrail")))


def test_cloudtrail_7_completes_an_existing_log_bucket_without_weakening_it(member, trail_arn, trail_target):
    s3, kms = member.client("s3"), member.client("kms")
    log_bucket = f"secpipe-s3-access-logs-{member.account}-us-east-1"
    s3.create_bucket(Bucket=log_bucket)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.put_bucket_encryption(Bucket=log_bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    auditors = {"Sid": "AuditorsRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{log_bucket}/*"}
    s3.put_bucket_policy(Bucket=log_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [auditors]}))
    playbook, target = PLAYBOOKS.get("CloudTrail.7"), trail_target("CloudTrail.7")
    plan = fix_and_check(playbook, member, target)
    rule = s3.get_bucket_encryption(Bucket=log_bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key
    sids = [s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket=log_bucket)["Policy"])["Statement"]]
    assert sids == ["AuditorsRead", "S3ServerAccessLogsPolicy", "secpipe-DenyInsecureTransport"]
    playbook.rollback(member, target, plan.pre_state)
    assert log_bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]  # it was there before: kept
