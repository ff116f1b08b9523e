"""EC2.2, EC2.13 and EC2.14 against moto in the member account."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.playbooks._ec2_security_groups import canonical, egress, ingress
from pipeline.remediation.playbooks.ec2_open_admin_port import covers, world_open_part
from pipeline.remediation.registry import PLAYBOOKS


def recorded(pre_state):
    """The pre-state as a rollback record file gives it back: through JSON, unchanged."""
    assert json.loads(json.dumps(pre_state)) == pre_state
    return json.loads(json.dumps(pre_state))


def _vpc(member) -> str:
    return member.client("ec2").create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]


def _group(member, group_id) -> dict:
    return member.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def _rules(member, group_id) -> tuple[list, list]:
    group = _group(member, group_id)
    return canonical(ingress(group)), canonical(egress(group))


def _sg_arn(group_id: str) -> str:
    return f"arn:aws:ec2:us-east-1:111122223333:security-group/{group_id}"


def _default_group(member, vpc_id) -> str:
    groups = member.client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])
    return groups["SecurityGroups"][0]["GroupId"]


def _cycle(playbook, member, target):
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert playbook.plan(member, target).decision is Decision.COMPLIANT
    return plan


def test_default_group_closed_verified_and_rolled_back(member, target_for):
    vpc_id = _vpc(member)
    group_id = _default_group(member, vpc_id)
    member.client("ec2").authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "web"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    before = _rules(member, group_id)
    assert before[0] and before[1]  # the self-reference and https in, all traffic out
    playbook = PLAYBOOKS.get("EC2.2")
    target = target_for("EC2.2", _sg_arn(group_id), "AwsEc2SecurityGroup")

    plan = _cycle(playbook, member, target)
    assert _rules(member, group_id) == ([], [])
    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _rules(member, group_id) == before


def test_non_default_group_is_refused_by_ec2_2(member, target_for):
    group_id = member.client("ec2").create_security_group(GroupName="app", Description="app",
                                                          VpcId=_vpc(member))["GroupId"]
    plan = PLAYBOOKS.get("EC2.2").plan(member, target_for("EC2.2", _sg_arn(group_id)))
    assert plan.decision is Decision.CANNOT and "not a default security group" in plan.summary


@pytest.mark.parametrize("control", ["EC2.2", "EC2.13", "EC2.14"])
def test_missing_group_cannot_be_remediated(member, target_for, control):
    plan = PLAYBOOKS.get(control).plan(member, target_for(control, _sg_arn("sg-0123456789abcdef0")))
    assert plan.decision is Decision.CANNOT and "no longer exists" in plan.summary


OPEN_SSH = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "anyone"}, {"CidrIp": "10.0.0.0/8"}]}
OPEN_RANGE = {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
ALL_TRAFFIC = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
HTTPS = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
OFFICE_RDP = {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "192.0.2.0/24"}]}
UDP_RDP = {"IpProtocol": "udp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


@pytest.mark.parametrize("control, rules, kept", [
    ("EC2.13", [OPEN_SSH, HTTPS, OFFICE_RDP],
     [{**OPEN_SSH, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}, HTTPS, OFFICE_RDP]),
    ("EC2.13", [OPEN_RANGE, HTTPS], [HTTPS]),
    ("EC2.14", [ALL_TRAFFIC, OFFICE_RDP, OPEN_SSH], [OFFICE_RDP, OPEN_SSH]),
    ("EC2.14", [OPEN_RANGE, UDP_RDP, HTTPS], [UDP_RDP, HTTPS]),
])
def test_world_open_admin_port_revoked_others_kept_and_rolled_back(member, target_for, control, rules, kept):
    ec2 = member.client("ec2")
    group_id = ec2.create_security_group(GroupName="app", Description="app", VpcId=_vpc(member))["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=rules)
    before = _rules(member, group_id)
    playbook = PLAYBOOKS.get(control)
    target = target_for(control, _sg_arn(group_id), "AwsEc2SecurityGroup")

    plan = _cycle(playbook, member, target)
    assert _rules(member, group_id) == (canonical(kept), before[1])
    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _rules(member, group_id) == before


@pytest.mark.parametrize("permission, port, expected", [
    ({"IpProtocol": "tcp", "FromPort": 20, "ToPort": 25}, 22, True),
    ({"IpProtocol": "tcp", "FromPort": 23, "ToPort": 25}, 22, False),
    ({"IpProtocol": "6", "FromPort": 3389, "ToPort": 3389}, 3389, True),
    ({"IpProtocol": "-1"}, 3389, True),
    ({"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535}, 22, False),
    ({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1}, 22, False),
])
def test_which_permissions_cover_a_port(permission, port, expected):
    assert covers(permission, port) is expected


def test_only_world_sources_are_taken_from_a_permission():
    permission = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                  "IpRanges": [{"CidrIp": "10.0.0.0/8"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                  "UserIdGroupPairs": [{"GroupId": "sg-1"}]}
    assert world_open_part(permission, 22) == {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                               "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
    assert world_open_part({**permission, "Ipv6Ranges": []}, 22) is None
