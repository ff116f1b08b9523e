"""S3.8: the bucket-level S3 Block Public Access settings are all on."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Member, Plan, PlaybookMeta, Target
from pipeline.remediation.playbooks._s3_common import (
    BucketPlaybook,
    block_bucket_public_access,
    plan_bucket_public_access_block,
    restore_bucket_public_access_block,
)
from pipeline.remediation.registry import PLAYBOOKS


@PLAYBOOKS.register
class BucketPublicAccessBlock(BucketPlaybook):
    meta = PlaybookMeta(
        control_id="S3.8",
        title="S3 Block Public Access setting should be enabled at the bucket level",
        cis={"1.4.0": ("2.1.5", "2.1.5.2"), "3.0.0": ("2.1.4",)},  # Security Hub says 2.1.5, CIS 2.1.5.2
        api_calls=("s3:HeadBucket", "s3:GetPublicAccessBlock", "s3:PutPublicAccessBlock",
                   "s3:DeletePublicAccessBlock"),
        iam_actions=("s3:ListBucket", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
        destructive=False,
        resource_types=("AwsS3Bucket",),
    )

    def plan_bucket(self, member: Member, bucket: str) -> Plan:
        return plan_bucket_public_access_block(member, bucket)

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        return block_bucket_public_access(member, plan.change["bucket"])

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        return restore_bucket_public_access_block(member, pre_state)
