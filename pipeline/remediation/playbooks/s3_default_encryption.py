"""S3.4: the bucket has default server-side encryption.

A bucket without a default gets SSE-S3 (AES256); any existing default (SSE-S3, SSE-KMS,
DSSE-KMS) is compliant and kept, so a KMS key someone chose is never replaced by a weaker one.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, PlaybookMeta, Target
from pipeline.remediation.playbooks._s3_common import SSE_S3, BucketPlaybook, default_encryption
from pipeline.remediation.registry import PLAYBOOKS


def algorithms(configuration: Mapping[str, Any] | None) -> list[str]:
    return [rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "")
            for rule in (configuration or {}).get("Rules", [])]


@PLAYBOOKS.register
class BucketDefaultEncryption(BucketPlaybook):
    meta = PlaybookMeta(
        control_id="S3.4",
        title="S3 buckets should have server-side encryption enabled",
        cis={"1.4.0": ("2.1.1",)},
        api_calls=("s3:HeadBucket", "s3:GetBucketEncryption", "s3:PutBucketEncryption", "s3:DeleteBucketEncryption"),
        iam_actions=("s3:ListBucket", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"),
        destructive=False,
        resource_types=("AwsS3Bucket",),
    )

    def plan_bucket(self, member: Member, bucket: str) -> Plan:
        current = default_encryption(member, bucket)
        in_use = [name for name in algorithms(current) if name]
        if in_use:
            return Plan(Decision.COMPLIANT, f"S3 bucket {bucket} encrypts by default with {', '.join(in_use)}")
        return Plan(Decision.CHANGE, f"turn on default encryption SSE-S3 (AES256) on S3 bucket {bucket}",
                    pre_state={"bucket": bucket, "encryption": current},
                    change={"bucket": bucket, "encryption": SSE_S3})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        bucket = plan.change["bucket"]
        member.client("s3").put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=SSE_S3)
        return f"S3 bucket {bucket}: default encryption SSE-S3 (AES256) on"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        bucket = pre_state["bucket"]
        previous = pre_state.get("encryption")
        s3 = member.client("s3")
        if previous is None:
            s3.delete_bucket_encryption(Bucket=bucket)
            return f"S3 bucket {bucket}: default encryption configuration removed, as before"
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=dict(previous))
        return f"S3 bucket {bucket}: default encryption restored"
