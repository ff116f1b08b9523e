"""CloudTrail.7: S3 server access logging is on for the bucket the trail delivers to.

Access logs go to one secpipe bucket per account and region (created when missing,
encrypted, not public, TLS only), under a prefix named after the trail bucket.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, PlaybookError, PlaybookMeta, Target
from pipeline.remediation.playbooks._s3_common import (
    BUCKET_SETUP_API_CALLS,
    BUCKET_SETUP_IAM_ACTIONS,
    bucket_exists,
    create_log_bucket,
    delete_bucket_if_empty,
)
from pipeline.remediation.playbooks._trail_common import TrailBucketPlaybook
from pipeline.remediation.registry import PLAYBOOKS


def access_log_bucket(member: Member) -> str:
    return f"secpipe-s3-access-logs-{member.account}-{member.region}"


def log_delivery_statement(member: Member, log_bucket: str) -> dict[str, Any]:
    """S3's log delivery may write here, for buckets of this account only."""
    return {"Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": f"arn:{member.partition}:s3:::{log_bucket}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": member.account}}}


@PLAYBOOKS.register
class TrailBucketAccessLogging(TrailBucketPlaybook):
    meta = PlaybookMeta(
        control_id="CloudTrail.7",
        title="Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket",
        cis={"1.2.0": ("2.6",), "1.4.0": ("3.6",), "3.0.0": ("3.4",)},
        api_calls=("cloudtrail:GetTrail", "s3:GetBucketLogging", "s3:PutBucketLogging", *BUCKET_SETUP_API_CALLS),
        iam_actions=("cloudtrail:GetTrail", "s3:GetBucketLogging", "s3:PutBucketLogging", *BUCKET_SETUP_IAM_ACTIONS),
        destructive=False,
        resource_types=("AwsCloudTrailTrail", "AwsS3Bucket"),
    )

    def plan_bucket(self, member: Member, bucket: str) -> Plan:
        logging = member.client("s3").get_bucket_logging(Bucket=bucket).get("LoggingEnabled")
        if logging:
            return Plan(Decision.COMPLIANT, f"S3 bucket {bucket} logs access to {logging.get('TargetBucket')}")
        log_bucket = access_log_bucket(member)
        if log_bucket == bucket:
            return Plan(Decision.CANNOT, f"S3 bucket {bucket} is secpipe's access-log bucket; it cannot log to itself")
        existed = bucket_exists(member, log_bucket)
        return Plan(Decision.CHANGE, f"turn on server access logging of S3 bucket {bucket} into {log_bucket}"
                                     f"{'' if existed else ' (created)'}",
                    pre_state={"bucket": bucket, "log_bucket": log_bucket, "log_bucket_existed": existed},
                    change={"bucket": bucket, "log_bucket": log_bucket, "prefix": f"{bucket}/"})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        bucket, log_bucket = plan.change["bucket"], plan.change["log_bucket"]
        create_log_bucket(member, log_bucket, [log_delivery_statement(member, log_bucket)])
        s3 = member.client("s3")
        try:
            s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
                "TargetBucket": log_bucket, "TargetPrefix": plan.change["prefix"]}})
        except s3.exceptions.ClientError as exc:
            raise PlaybookError(f"cannot turn on access logging of S3 bucket {bucket} into {log_bucket}: {exc}") from exc
        return f"S3 bucket {bucket}: server access logs go to s3://{log_bucket}/{plan.change['prefix']}"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        bucket, log_bucket = pre_state["bucket"], pre_state["log_bucket"]
        member.client("s3").put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
        done = [f"S3 bucket {bucket}: access logging off, as before"]
        if not pre_state["log_bucket_existed"]:
            done.append(delete_bucket_if_empty(member, log_bucket))
        return "; ".join(done)
