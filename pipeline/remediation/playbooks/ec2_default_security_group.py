"""EC2.2: a VPC's default security group allows no traffic in or out.

Every ingress and egress rule is revoked; the pre-state keeps the rules so rollback can
authorise them again. Instances that rely on the default group lose that traffic, hence
destructive.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._ec2_security_groups import (
    SECURITY_GROUP_ACTIONS,
    authorize,
    egress,
    ingress,
    read_group,
    revoke,
)
from pipeline.remediation.registry import PLAYBOOKS

_CALLS = SECURITY_GROUP_ACTIONS + ("ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
                                   "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress")


@PLAYBOOKS.register
@dataclass(frozen=True)
class DefaultSecurityGroupClosed(Playbook):
    meta = PlaybookMeta(
        control_id="EC2.2",
        title="VPC default security groups should not allow inbound or outbound traffic",
        cis={"1.2.0": ("4.3",), "1.4.0": ("5.3",), "3.0.0": ("5.4",)},
        api_calls=_CALLS,
        iam_actions=_CALLS,
        destructive=True,
        resource_types=("AwsEc2SecurityGroup",),
    )
    tag_reader = "ec2"

    def plan(self, member: Member, target: Target) -> Plan:
        group = read_group(member, target)
        if isinstance(group, Plan):
            return group
        group_id = group["GroupId"]
        if group.get("GroupName") != "default":
            return Plan(Decision.CANNOT, f"{group_id} ({group.get('GroupName')}) is not a default security group")
        rules_in, rules_out = ingress(group), egress(group)
        if not rules_in and not rules_out:
            return Plan(Decision.COMPLIANT, f"default security group {group_id} has no rules")
        return Plan(Decision.CHANGE,
                    f"revoke {len(rules_in)} ingress and {len(rules_out)} egress permission(s) of default "
                    f"security group {group_id} in {group.get('VpcId')}",
                    pre_state={"group_id": group_id, "ingress": rules_in, "egress": rules_out})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        state = plan.pre_state
        revoke(member, state["group_id"], ingress=state["ingress"], egress=state["egress"])
        return (f"revoked {len(state['ingress'])} ingress and {len(state['egress'])} egress permission(s) "
                f"of {state['group_id']}")

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        authorize(member, pre_state["group_id"], ingress=pre_state["ingress"], egress=pre_state["egress"])
        return (f"re-authorised {len(pre_state['ingress'])} ingress and {len(pre_state['egress'])} egress "
                f"permission(s) of {pre_state['group_id']}")
