"""S3.5: the bucket policy denies every request not made over TLS (aws:SecureTransport false).

The Deny statement is merged into the existing policy: every other statement, and the
policy's other members, stay exactly as they were. Rollback puts back the exact previous
policy text, or deletes the policy when there was none.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, PlaybookError, PlaybookMeta, Target
from pipeline.remediation.playbooks._s3_common import (
    BucketPlaybook,
    as_list,
    bucket_policy,
    deny_insecure_transport_statement,
    merge_statements,
)
from pipeline.remediation.registry import PLAYBOOKS

STATEMENT_ID = "secpipe-DenyInsecureTransport"
POLICY_SIZE_LIMIT = 20 * 1024  # S3's bucket policy limit, in bytes


def _everyone(principal: Any) -> bool:
    return principal == "*" or (isinstance(principal, Mapping) and "*" in as_list(principal.get("AWS")))


def _insecure_transport_condition(condition: Any) -> bool:
    if not isinstance(condition, Mapping):
        return False
    values = (condition.get("Bool") or {}).get("aws:SecureTransport", [])
    return any(str(value).lower() == "false" for value in as_list(values))


def denies_insecure_transport(statement: Mapping[str, Any], bucket_arn: str) -> bool:
    """The s3-bucket-ssl-requests-only rule: Deny, anyone, all S3 actions, bucket and objects, no TLS."""
    resources = set(as_list(statement.get("Resource", [])))
    return (statement.get("Effect") == "Deny"
            and _everyone(statement.get("Principal"))
            and bool({"s3:*", "*"} & set(as_list(statement.get("Action", []))))
            and ("*" in resources or {bucket_arn, f"{bucket_arn}/*"} <= resources)
            and _insecure_transport_condition(statement.get("Condition")))


@PLAYBOOKS.register
class BucketSecureTransport(BucketPlaybook):
    meta = PlaybookMeta(
        control_id="S3.5",
        title="S3 buckets should require requests to use Secure Socket Layer",
        cis={"1.4.0": ("2.1.2",), "3.0.0": ("2.1.1",)},
        api_calls=("s3:HeadBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"),
        iam_actions=("s3:ListBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"),
        destructive=False,
        resource_types=("AwsS3Bucket",),
    )

    def plan_bucket(self, member: Member, bucket: str) -> Plan:
        arn = f"arn:{member.partition}:s3:::{bucket}"
        previous = bucket_policy(member, bucket)
        try:
            statements = as_list(json.loads(previous).get("Statement", [])) if previous else []
        except ValueError:
            return Plan(Decision.CANNOT, f"S3 bucket {bucket} has a policy that is not JSON; not touching it")
        if any(isinstance(s, Mapping) and denies_insecure_transport(s, arn) for s in statements):
            return Plan(Decision.COMPLIANT, f"S3 bucket {bucket} policy denies requests without TLS")
        policy = merge_statements(previous, [deny_insecure_transport_statement(arn, STATEMENT_ID)])
        if len(policy.encode()) > POLICY_SIZE_LIMIT:
            return Plan(Decision.CANNOT, f"S3 bucket {bucket}: adding the TLS-only statement would exceed "
                                         f"the {POLICY_SIZE_LIMIT}-byte policy limit")
        kept = f", keeping its {len(statements)} statement(s)" if statements else ""
        return Plan(Decision.CHANGE, f"add a Deny aws:SecureTransport=false statement to S3 bucket {bucket} policy{kept}",
                    pre_state={"bucket": bucket, "policy": previous},
                    change={"bucket": bucket, "policy": policy})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        bucket = plan.change["bucket"]
        s3 = member.client("s3")
        try:
            s3.put_bucket_policy(Bucket=bucket, Policy=plan.change["policy"])
        except s3.exceptions.ClientError as exc:
            raise PlaybookError(f"cannot put the TLS-only policy on S3 bucket {bucket}: {exc}") from exc
        return f"S3 bucket {bucket}: policy now denies requests without TLS ({STATEMENT_ID})"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        bucket = pre_state["bucket"]
        previous = pre_state.get("policy")
        s3 = member.client("s3")
        if previous is None:
            s3.delete_bucket_policy(Bucket=bucket)
            return f"S3 bucket {bucket}: policy deleted, as before"
        s3.put_bucket_policy(Bucket=bucket, Policy=previous)
        return f"S3 bucket {bucket}: previous policy restored"
