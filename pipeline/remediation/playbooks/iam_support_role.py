"""IAM.18: some IAM entity has the AWSSupportAccess managed policy, so incidents can go to AWS Support.

Compliant when any user, group or role has the policy attached. Otherwise a role is made
that principals of the account itself may assume, with the policy attached; an existing
role of that name is reused rather than replaced. Rollback detaches the policy and deletes
the role only if this playbook created it.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.registry import PLAYBOOKS

SUPPORT_ROLE_NAME = "secpipe-aws-support"
_CALLS = ("iam:ListEntitiesForPolicy", "iam:GetRole", "iam:CreateRole", "iam:AttachRolePolicy",
          "iam:DetachRolePolicy", "iam:DeleteRole")


def support_policy_arn(partition: str) -> str:
    return f"arn:{partition}:iam::aws:policy/AWSSupportAccess"


def _holders(member: Member) -> list[str]:
    """Names of the entities the policy is attached to, as "Role/name", "User/name", "Group/name"."""
    pages = member.client("iam").get_paginator("list_entities_for_policy").paginate(
        PolicyArn=support_policy_arn(member.partition))
    holders = []
    for page in pages:
        for kind in ("Group", "User", "Role"):
            holders += [f"{kind}/{entity[kind + 'Name']}" for entity in page.get(f"Policy{kind}s", [])]
    return holders


def _role_exists(member: Member, name: str) -> bool:
    iam = member.client("iam")
    try:
        iam.get_role(RoleName=name)
    except iam.exceptions.ClientError as exc:
        if is_error(exc, "NoSuchEntity"):
            return False
        raise
    return True


@PLAYBOOKS.register
@dataclass(frozen=True)
class SupportRole(Playbook):
    meta = PlaybookMeta(
        control_id="IAM.18",
        title="Ensure a support role has been created to manage incidents with AWS Support",
        cis={"1.2.0": ("1.20",), "1.4.0": ("1.17",), "3.0.0": ("1.17",)},
        api_calls=_CALLS,
        iam_actions=_CALLS,
        destructive=False,
        resource_types=("AwsAccount",),
    )
    role_name: str = SUPPORT_ROLE_NAME

    def plan(self, member: Member, target: Target) -> Plan:
        holders = _holders(member)
        if holders:
            return Plan(Decision.COMPLIANT, "AWSSupportAccess is attached to " + ", ".join(holders))
        existed = _role_exists(member, self.role_name)
        verb = "attach AWSSupportAccess to the existing role" if existed else "create the role"
        return Plan(Decision.CHANGE, f"{verb} {self.role_name} (assumable from account {member.account}) "
                    "with AWSSupportAccess",
                    pre_state={"role_name": self.role_name, "role_existed": existed})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        iam = member.client("iam")
        name = plan.pre_state["role_name"]
        created = not plan.pre_state["role_existed"]
        if created:
            trust = {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": f"arn:{member.partition}:iam::{member.account}:root"}}]}
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
                            Description="AWS Support access for incident handling (CIS; created by secpipe)")
        iam.attach_role_policy(RoleName=name, PolicyArn=support_policy_arn(member.partition))
        return f"{'created role' if created else 'used existing role'} {name} with AWSSupportAccess attached"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        iam = member.client("iam")
        name = pre_state["role_name"]
        iam.detach_role_policy(RoleName=name, PolicyArn=support_policy_arn(member.partition))
        if pre_state["role_existed"]:
            return f"detached AWSSupportAccess from {name} (the role existed before, so it stays)"
        iam.delete_role(RoleName=name)
        return f"detached AWSSupportAccess and deleted role {name}"
