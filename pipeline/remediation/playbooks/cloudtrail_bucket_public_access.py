"""CloudTrail.6: the bucket the trail delivers to is not publicly accessible.

The fix is the bucket's Block Public Access (all four settings), the same rule as S3.8.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Member, Plan, PlaybookMeta, Target
from pipeline.remediation.playbooks._s3_common import (
    block_bucket_public_access,
    plan_bucket_public_access_block,
    restore_bucket_public_access_block,
)
from pipeline.remediation.playbooks._trail_common import TrailBucketPlaybook
from pipeline.remediation.registry import PLAYBOOKS


@PLAYBOOKS.register
class TrailBucketPublicAccess(TrailBucketPlaybook):
    meta = PlaybookMeta(
        control_id="CloudTrail.6",
        title="Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible",
        cis={"1.2.0": ("2.3",), "1.4.0": ("3.3",)},
        api_calls=("cloudtrail:GetTrail", "s3:HeadBucket", "s3:GetPublicAccessBlock", "s3:PutPublicAccessBlock",
                   "s3:DeletePublicAccessBlock"),
        iam_actions=("cloudtrail:GetTrail", "s3:ListBucket", "s3:GetBucketPublicAccessBlock",
                     "s3:PutBucketPublicAccessBlock"),
        destructive=False,
        resource_types=("AwsCloudTrailTrail", "AwsS3Bucket"),
    )

    def plan_bucket(self, member: Member, bucket: str) -> Plan:
        return plan_bucket_public_access_block(member, bucket)

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        return block_bucket_public_access(member, plan.change["bucket"])

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        return restore_bucket_public_access_block(member, pre_state)
