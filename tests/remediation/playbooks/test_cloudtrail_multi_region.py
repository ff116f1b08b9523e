"""CloudTrail.1: one multi-region, validated, logging trail per account (moto, through assume_role)."""
from __future__ import annotations

import json

import boto3
import pytest

from pipeline.remediation.member import assume_member
from pipeline.remediation.playbook import Decision, Target
from pipeline.remediation.registry import PLAYBOOKS
from tests.remediation.playbooks.lifecycle import fix_and_check

BUCKET = "member-existing-trail-bucket"


@pytest.fixture
def playbook():
    return PLAYBOOKS.get("CloudTrail.1")


@pytest.fixture
def target(member, target_for):
    return target_for("CloudTrail.1", f"AWS::::Account:{member.account}", "AwsAccount")


def test_creates_a_validated_logging_multi_region_trail_into_an_encrypted_bucket(member, playbook, target):
    plan = fix_and_check(playbook, member, target)
    cloudtrail, s3 = member.client("cloudtrail"), member.client("s3")
    [trail] = cloudtrail.describe_trails()["trailList"]
    bucket = f"secpipe-cloudtrail-{member.account}-us-east-1"
    assert (trail["Name"], trail["S3BucketName"]) == ("secpipe-cloudtrail", bucket)
    assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"]
    assert cloudtrail.get_trail_status(Name=trail["TrailARN"])["IsLogging"]
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    statements = {s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]}
    write = statements["AWSCloudTrailWrite"]
    assert write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert write["Resource"] == f"arn:aws:s3:::{bucket}/AWSLogs/{member.account}/*"
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == trail["TrailARN"]
    assert "AWSCloudTrailAclCheck" in statements and "secpipe-DenyInsecureTransport" in statements

    assert "deleted" in playbook.rollback(member, target, plan.pre_state)
    assert cloudtrail.describe_trails()["trailList"] == []
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_fixes_an_existing_stopped_multi_region_trail_instead_of_adding_one(member, playbook, target):
    member.client("s3").create_bucket(Bucket=BUCKET)
    cloudtrail = member.client("cloudtrail")
    arn = cloudtrail.create_trail(Name="company-trail", S3BucketName=BUCKET, IsMultiRegionTrail=True)["TrailARN"]
    plan = fix_and_check(playbook, member, target)
    assert plan.summary == "multi-region trail company-trail: turn on log file validation and start logging"
    assert [t["Name"] for t in cloudtrail.describe_trails()["trailList"]] == ["company-trail"]
    playbook.rollback(member, target, plan.pre_state)
    assert cloudtrail.get_trail(Name=arn)["Trail"]["LogFileValidationEnabled"] is False
    assert cloudtrail.get_trail_status(Name=arn)["IsLogging"] is False


def test_a_single_region_trail_does_not_count(member, playbook, target):
    member.client("s3").create_bucket(Bucket=BUCKET)
    cloudtrail = member.client("cloudtrail")
    cloudtrail.create_trail(Name="one-region", S3BucketName=BUCKET, EnableLogFileValidation=True)
    cloudtrail.start_logging(Name="one-region")
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE and plan.change["mode"] == "create"


def test_a_trail_without_write_events_does_not_count(member, playbook, target):
    member.client("s3").create_bucket(Bucket=BUCKET)
    cloudtrail = member.client("cloudtrail")
    cloudtrail.create_trail(Name="reads-only", S3BucketName=BUCKET, IsMultiRegionTrail=True,
                            EnableLogFileValidation=True)
    cloudtrail.put_event_selectors(TrailName="reads-only", EventSelectors=[
        {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}])
    cloudtrail.start_logging(Name="reads-only")
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE and plan.change["mode"] == "create"


def test_an_organization_trail_means_no_new_trail(member, playbook, target):
    member.client("s3").create_bucket(Bucket=BUCKET)
    member.client("cloudtrail").create_trail(Name="org-trail", S3BucketName=BUCKET, IsOrganizationTrail=True)
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CANNOT
    assert "organization trail org-trail" in plan.summary and "landing zone" in plan.summary


def test_a_control_tower_trail_means_no_new_trail(member, playbook, target):
    member.client("s3").create_bucket(Bucket=BUCKET)
    member.client("cloudtrail").create_trail(Name="aws-controltower-BaselineCloudTrail", S3BucketName=BUCKET)
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CANNOT and "Control Tower" in plan.summary


def test_a_multi_region_trail_homed_in_another_region_is_fixed_there_not_doubled(member, target_for):
    member.client("s3").create_bucket(Bucket=BUCKET)
    member.client("cloudtrail").create_trail(Name="company-trail", S3BucketName=BUCKET, IsMultiRegionTrail=True)
    in_ireland = assume_member(boto3.session.Session(region_name="eu-west-1"), member.account, "eu-west-1", "aws")
    target = Target(control_id="CloudTrail.1", account=member.account, region="eu-west-1", partition="aws",
                    resource_id=f"AWS::::Account:{member.account}", resource_type="AwsAccount")
    plan = PLAYBOOKS.get("CloudTrail.1").plan(in_ireland, target)
    assert plan.decision is Decision.CANNOT
    assert plan.summary == ("multi-region trail company-trail is homed in us-east-1: it is evaluated and fixed "
                            "there; no second trail added")


def logging_validated_trail(member, name):
    member.client("s3").create_bucket(Bucket=BUCKET)
    cloudtrail = member.client("cloudtrail")
    cloudtrail.create_trail(Name=name, S3BucketName=BUCKET, IsMultiRegionTrail=True, EnableLogFileValidation=True)
    cloudtrail.start_logging(Name=name)
    return cloudtrail


def test_a_trail_excluding_kms_events_does_not_count(member, playbook, target):
    cloudtrail = logging_validated_trail(member, "no-kms")
    cloudtrail.put_event_selectors(TrailName="no-kms", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True,
         "ExcludeManagementEventSources": ["kms.amazonaws.com"]}])
    assert playbook.plan(member, target).decision is Decision.CHANGE


@pytest.mark.parametrize(("fields", "counts"), [
    ([{"Field": "eventCategory", "Equals": ["Management"]}], True),
    ([{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}], False),
    ([{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}],
     False),
])
def test_advanced_selectors_count_only_when_they_take_every_management_event(member, playbook, target, fields, counts):
    cloudtrail = logging_validated_trail(member, "advanced")
    cloudtrail.put_event_selectors(TrailName="advanced", AdvancedEventSelectors=[
        {"Name": "selector", "FieldSelectors": fields}])
    expected = Decision.COMPLIANT if counts else Decision.CHANGE
    assert playbook.plan(member, target).decision is expected
