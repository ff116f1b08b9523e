"""CloudTrail.2: the trail encrypts its log files with a KMS key (SSE-KMS).

The key is secpipe's per account and region (`alias/secpipe-cloudtrail`), created when
missing with rotation on and a key policy that lets CloudTrail encrypt for this account's
trails and lets this account's principals decrypt. Rollback turns trail encryption off
again but keeps the key: log files written meanwhile can only be read with it.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, PlaybookError, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.playbooks._trail_common import TrailPlaybook
from pipeline.remediation.registry import PLAYBOOKS

KEY_ALIAS = "alias/secpipe-cloudtrail"


def cloudtrail_key_policy(member: Member) -> dict[str, Any]:
    root = f"arn:{member.partition}:iam::{member.account}:root"
    trails = f"arn:{member.partition}:cloudtrail:*:{member.account}:trail/*"
    return {"Version": "2012-10-17", "Statement": [
        # The account keeps control of its key (without this the key could become unmanageable).
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "CloudTrailEncryptsThisAccountsTrails", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails, "aws:SourceArn": trails}}},
        {"Sid": "CloudTrailDescribesKey", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:DescribeKey", "Resource": "*"},
        {"Sid": "AccountReadsLogFiles", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Decrypt", "kms:ReEncryptFrom"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": member.account},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails}}},
    ]}


def key_arn_of_alias(member: Member, alias: str) -> str | None:
    kms = member.client("kms")
    try:
        return str(kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"])
    except kms.exceptions.ClientError as exc:
        if is_error(exc, "NotFoundException"):
            return None
        raise


def ensure_cloudtrail_key(member: Member) -> str:
    """secpipe's CloudTrail key ARN, created (with rotation) when the alias does not exist."""
    existing = key_arn_of_alias(member, KEY_ALIAS)
    if existing:
        return existing
    kms = member.client("kms")
    key = kms.create_key(Description="secpipe: CloudTrail log file encryption (CIS CloudTrail.2)",
                         KeyUsage="ENCRYPT_DECRYPT", Policy=json.dumps(cloudtrail_key_policy(member)))
    arn = str(key["KeyMetadata"]["Arn"])
    kms.enable_key_rotation(KeyId=arn)  # KMS.4 asks for it; a key secpipe creates should not fail another control
    kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=arn)
    return arn


@PLAYBOOKS.register
class TrailKmsEncryption(TrailPlaybook):
    meta = PlaybookMeta(
        control_id="CloudTrail.2",
        title="CloudTrail should have encryption at-rest enabled",
        cis={"1.2.0": ("2.7",), "1.4.0": ("3.7",), "3.0.0": ("3.5",)},
        api_calls=("cloudtrail:GetTrail", "cloudtrail:UpdateTrail", "kms:DescribeKey", "kms:CreateKey",
                   "kms:EnableKeyRotation", "kms:CreateAlias"),
        iam_actions=("cloudtrail:GetTrail", "cloudtrail:UpdateTrail", "kms:DescribeKey", "kms:CreateKey",
                     "kms:EnableKeyRotation", "kms:CreateAlias"),
        destructive=False,
        resource_types=("AwsCloudTrailTrail",),
    )

    def plan_trail(self, member: Member, trail: Mapping[str, Any]) -> Plan:
        name = trail["Name"]
        if trail.get("KmsKeyId"):
            return Plan(Decision.COMPLIANT, f"trail {name} encrypts log files with {trail['KmsKeyId']}")
        key = key_arn_of_alias(member, KEY_ALIAS)
        uses = f"the existing key {KEY_ALIAS}" if key else f"a new key {KEY_ALIAS}"
        return Plan(Decision.CHANGE, f"encrypt trail {name} log files with {uses} (SSE-KMS)",
                    pre_state={"trail_arn": trail["TrailARN"], "kms_key_id": None, "key_existed": bool(key)},
                    change={"trail_arn": trail["TrailARN"], "key_alias": KEY_ALIAS})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        key = ensure_cloudtrail_key(member)
        cloudtrail = member.client("cloudtrail")
        try:
            cloudtrail.update_trail(Name=plan.change["trail_arn"], KmsKeyId=key)
        except cloudtrail.exceptions.ClientError as exc:
            raise PlaybookError(f"trail {plan.change['trail_arn']} refused KMS key {key} "
                                f"(does its key policy let CloudTrail use it?): {exc}") from exc
        return f"trail {plan.change['trail_arn']}: log files encrypted with {key}"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        # An empty KmsKeyId turns SSE-KMS off; the key stays for the files written while it was on.
        member.client("cloudtrail").update_trail(Name=pre_state["trail_arn"], KmsKeyId="")
        return f"trail {pre_state['trail_arn']}: SSE-KMS off, as before (key {KEY_ALIAS} kept to read logs written meanwhile)"
