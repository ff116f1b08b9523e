"""EC2.7: EBS encryption by default, an account setting per region."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.registry import PLAYBOOKS

_CALLS = ("ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:DisableEbsEncryptionByDefault")


@PLAYBOOKS.register
@dataclass(frozen=True)
class EbsDefaultEncryption(Playbook):
    meta = PlaybookMeta(
        control_id="EC2.7",
        title="EBS default encryption should be enabled",
        cis={"1.4.0": ("2.2.1",), "3.0.0": ("2.2.1",)},
        api_calls=_CALLS,
        iam_actions=_CALLS,
        destructive=False,
        resource_types=("AwsAccount",),
    )

    def plan(self, member: Member, target: Target) -> Plan:
        if member.client("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"]:
            return Plan(Decision.COMPLIANT, f"EBS encryption by default is on in {member.account}/{member.region}")
        return Plan(Decision.CHANGE, f"turn on EBS encryption by default in {member.account}/{member.region}",
                    pre_state={"enabled": False})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        member.client("ec2").enable_ebs_encryption_by_default()
        return f"turned on EBS encryption by default in {member.account}/{member.region}"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        if pre_state["enabled"]:  # it was on before: leave it on
            return "EBS encryption by default was on before: left on"
        member.client("ec2").disable_ebs_encryption_by_default()
        return f"turned EBS encryption by default off again in {member.account}/{member.region}"
