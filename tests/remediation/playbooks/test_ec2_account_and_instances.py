"""EC2.6, EC2.7 and EC2.8 against moto in the member account."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.playbooks.ec2_vpc_flow_logs import LOG_GROUP, ROLE_NAME
from pipeline.remediation.registry import PLAYBOOKS


def recorded(pre_state):
    """The pre-state as a rollback record file gives it back: through JSON, unchanged."""
    assert json.loads(json.dumps(pre_state)) == pre_state
    return json.loads(json.dumps(pre_state))


ACCOUNT_ID = "AWS::::Account:111122223333"


def _cycle(playbook, member, target):
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert playbook.plan(member, target).decision is Decision.COMPLIANT
    return plan


# --- EC2.6 -----------------------------------------------------------------------------

def _vpc_target(member, target_for):
    vpc_id = member.client("ec2").create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    return vpc_id, target_for("EC2.6", f"arn:aws:ec2:us-east-1:111122223333:vpc/{vpc_id}", "AwsEc2Vpc")


def _flow_logs(member, vpc_id):
    logs = member.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    return sorted((log["FlowLogId"], log["TrafficType"]) for log in logs)


def test_flow_log_created_with_group_and_role_verified_and_rolled_back(member, target_for):
    vpc_id, target = _vpc_target(member, target_for)
    playbook = PLAYBOOKS.get("EC2.6")
    assert _flow_logs(member, vpc_id) == []

    plan = _cycle(playbook, member, target)
    [(_, traffic)] = _flow_logs(member, vpc_id)
    assert traffic == "REJECT"
    [log] = member.client("ec2").describe_flow_logs(FlowLogIds=[_flow_logs(member, vpc_id)[0][0]])["FlowLogs"]
    assert log["LogGroupName"] == LOG_GROUP
    role = member.client("iam").get_role(RoleName=ROLE_NAME)["Role"]
    assert log["DeliverLogsPermissionArn"] == role["Arn"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert [g["logGroupName"] for g in member.client("logs").describe_log_groups()["logGroups"]] == [LOG_GROUP]

    message = playbook.rollback(member, target, recorded(plan.pre_state))
    assert _flow_logs(member, vpc_id) == []
    assert "kept" in message


def test_second_vpc_reuses_the_log_group_and_role(member, target_for):
    playbook = PLAYBOOKS.get("EC2.6")
    first_vpc, first = _vpc_target(member, target_for)
    _cycle(playbook, member, first)
    second_vpc, second = _vpc_target(member, target_for)
    plan = _cycle(playbook, member, second)
    assert len(member.client("iam").list_roles()["Roles"]) == 1
    playbook.rollback(member, second, recorded(plan.pre_state))
    assert _flow_logs(member, second_vpc) == []
    assert len(_flow_logs(member, first_vpc)) == 1  # the other VPC's flow log is not ours to undo


def test_rollback_keeps_flow_logs_that_existed_before(member, target_for):
    vpc_id, target = _vpc_target(member, target_for)
    ec2 = member.client("ec2")
    ec2.create_flow_logs(ResourceIds=[vpc_id], ResourceType="VPC", TrafficType="ACCEPT",
                         LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-archive")
    before = _flow_logs(member, vpc_id)
    playbook = PLAYBOOKS.get("EC2.6")
    plan = _cycle(playbook, member, target)  # an ACCEPT-only flow log does not record rejects
    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _flow_logs(member, vpc_id) == before


def test_missing_vpc_cannot_be_remediated(member, target_for):
    plan = PLAYBOOKS.get("EC2.6").plan(member, target_for("EC2.6", "vpc-0123456789abcdef0", "AwsEc2Vpc"))
    assert plan.decision is Decision.CANNOT and "no longer exists" in plan.summary


# --- EC2.7 -----------------------------------------------------------------------------

def _ebs_default(member) -> bool:
    return member.client("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"]


def test_ebs_default_encryption_enabled_verified_and_rolled_back(member, target_for):
    playbook = PLAYBOOKS.get("EC2.7")
    target = target_for("EC2.7", ACCOUNT_ID, "AwsAccount")
    before = _ebs_default(member)
    plan = _cycle(playbook, member, target)
    assert _ebs_default(member) is True
    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _ebs_default(member) == before is False


def test_ebs_rollback_leaves_a_setting_that_was_on(member, target_for):
    member.client("ec2").enable_ebs_encryption_by_default()
    playbook = PLAYBOOKS.get("EC2.7")
    playbook.rollback(member, target_for("EC2.7", ACCOUNT_ID), {"enabled": True})
    assert _ebs_default(member) is True


# --- EC2.8 -----------------------------------------------------------------------------

def _instance(member, **metadata) -> str:
    ec2 = member.client("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                             MetadataOptions=metadata)["Instances"][0]["InstanceId"]


def _metadata(member, instance_id) -> dict:
    reply = member.client("ec2").describe_instances(InstanceIds=[instance_id])
    options = reply["Reservations"][0]["Instances"][0]["MetadataOptions"]
    return {name: value for name, value in options.items() if name != "State"}


def test_imdsv2_required_verified_and_rolled_back(member, target_for):
    instance_id = _instance(member, HttpTokens="optional", HttpEndpoint="enabled", HttpPutResponseHopLimit=2)
    playbook = PLAYBOOKS.get("EC2.8")
    target = target_for("EC2.8", f"arn:aws:ec2:us-east-1:111122223333:instance/{instance_id}", "AwsEc2Instance")
    before = _metadata(member, instance_id)
    assert before["HttpTokens"] == "optional"

    plan = _cycle(playbook, member, target)
    after = _metadata(member, instance_id)
    assert after == {**before, "HttpTokens": "required"}  # nothing else reset

    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _metadata(member, instance_id) == before


@pytest.mark.parametrize("terminate", [False, True])
def test_missing_or_terminated_instance_cannot_be_remediated(member, target_for, terminate):
    instance_id = "i-0123456789abcdef0"
    if terminate:
        instance_id = _instance(member)
        member.client("ec2").terminate_instances(InstanceIds=[instance_id])
    plan = PLAYBOOKS.get("EC2.8").plan(member, target_for("EC2.8", instance_id, "AwsEc2Instance"))
    assert plan.decision is Decision.CANNOT and "no longer exists" in plan.summary
