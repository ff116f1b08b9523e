"""KMS.4: automatic rotation on customer managed symmetric keys.

Only an enabled, customer managed, symmetric key whose material KMS generated can rotate
automatically; for any other key the plan says why not (AWS managed keys rotate on AWS's
schedule; asymmetric, HMAC, imported or custom key store material cannot rotate; a
multi-Region replica follows its primary).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.registry import PLAYBOOKS

_CALLS = ("kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation")


def rotation_blocker(key: Mapping[str, Any]) -> str | None:
    """Why DescribeKey's KeyMetadata cannot get automatic rotation, or None when it can."""
    if key.get("KeyManager") != "CUSTOMER":
        return "it is an AWS managed key (AWS rotates it; it cannot be changed)"
    if key.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
        return f"its key spec {key.get('KeySpec')} does not support automatic rotation (symmetric keys only)"
    if key.get("Origin", "AWS_KMS") != "AWS_KMS":
        return f"its key material origin {key.get('Origin')} does not support automatic rotation"
    if key.get("MultiRegionConfiguration", {}).get("MultiRegionKeyType") == "REPLICA":
        return "it is a multi-Region replica (rotation is set on its primary key)"
    if key.get("KeyState") != "Enabled":
        return f"it is {key.get('KeyState')}, not Enabled"
    return None


@PLAYBOOKS.register
@dataclass(frozen=True)
class KeyRotation(Playbook):
    meta = PlaybookMeta(
        control_id="KMS.4",
        title="AWS KMS key rotation should be enabled",
        cis={"1.2.0": ("2.8",), "1.4.0": ("3.8",), "3.0.0": ("3.6",)},
        api_calls=_CALLS,
        iam_actions=_CALLS,
        destructive=False,
        resource_types=("AwsKmsKey",),
    )
    tag_reader = "kms-key"

    def plan(self, member: Member, target: Target) -> Plan:
        kms = member.client("kms")
        key_id = target.resource_name  # Id is the key ARN (".../key/KEY-ID") or the key id
        try:
            key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        except kms.exceptions.ClientError as exc:
            if is_error(exc, "NotFoundException"):
                return Plan(Decision.CANNOT, f"KMS key {key_id} no longer exists in {target.account}/{target.region}")
            raise
        blocker = rotation_blocker(key)
        if blocker:
            return Plan(Decision.CANNOT, f"KMS key {key_id} cannot rotate automatically: {blocker}")
        if kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]:
            return Plan(Decision.COMPLIANT, f"KMS key {key_id} already rotates automatically")
        return Plan(Decision.CHANGE, f"enable automatic rotation of KMS key {key_id}",
                    pre_state={"key_id": key_id, "rotation_enabled": False})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        member.client("kms").enable_key_rotation(KeyId=plan.pre_state["key_id"])
        return f"enabled automatic rotation of KMS key {plan.pre_state['key_id']}"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        if pre_state["rotation_enabled"]:
            return f"KMS key {pre_state['key_id']} rotated before: nothing to restore"
        member.client("kms").disable_key_rotation(KeyId=pre_state["key_id"])
        return f"disabled automatic rotation of KMS key {pre_state['key_id']} again"
