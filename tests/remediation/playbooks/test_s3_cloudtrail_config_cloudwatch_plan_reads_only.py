"""`plan` (and so a dry run, and `verify`) only reads: every AWS call it makes is a Describe, Get,
List or Head, for every CloudTrail, Config, CloudWatch and S3 playbook, on a non-compliant account."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.registry import PLAYBOOKS

SERVICES = ("s3", "s3control", "cloudtrail", "config", "logs", "cloudwatch", "sns", "kms", "iam")
READS = ("Describe", "Get", "List", "Head")
BUCKET = "member-plan-bucket"
CONTROLS = sorted(name for name in PLAYBOOKS.names() if name.startswith(("CloudTrail.", "Config.", "CloudWatch.", "S3.")))


@pytest.fixture
def trail_arn(member):
    """A multi-region trail that logs to S3 and CloudWatch Logs, fixed in nothing else."""
    member.client("s3").create_bucket(Bucket=BUCKET)
    member.client("logs").create_log_group(logGroupName="member-trail-events")
    role = member.client("iam").create_role(RoleName="trail-to-logs", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "cloudtrail.amazonaws.com"}}]}))
    cloudtrail = member.client("cloudtrail")
    arn = cloudtrail.create_trail(
        Name="member-trail", S3BucketName=BUCKET, IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{member.account}:log-group:member-trail-events:*",
        CloudWatchLogsRoleArn=role["Role"]["Arn"])["TrailARN"]
    cloudtrail.start_logging(Name=arn)
    return arn


@pytest.fixture
def calls(member):
    seen: list[str] = []
    for service in SERVICES:
        member.client(service).meta.events.register(
            "before-call", lambda model, **_: seen.append(model.name), unique_id="plan-reads-only")
    return seen


def target_of(target_for, member, control_id, trail_arn):
    resource_type = PLAYBOOKS.get(control_id).meta.resource_types[0]
    resource_id = {"AwsAccount": f"AWS::::Account:{member.account}", "AwsS3Bucket": f"arn:aws:s3:::{BUCKET}",
                   "AwsCloudTrailTrail": trail_arn}[resource_type]
    return target_for(control_id, resource_id, resource_type)


@pytest.mark.parametrize("control_id", CONTROLS)
def test_plan_only_reads(member, target_for, trail_arn, calls, control_id):
    playbook = PLAYBOOKS.get(control_id)
    plan = playbook.plan(member, target_of(target_for, member, control_id, trail_arn))
    # every control would change something here, except CloudTrail.5 that the CloudWatch ones need
    expected = Decision.COMPLIANT if control_id == "CloudTrail.5" else Decision.CHANGE
    assert plan.decision is expected, plan.summary
    assert calls, "plan read nothing"
    assert [name for name in calls if not name.startswith(READS)] == []
