"""What the S3 and CloudTrail-bucket playbooks share: bucket reads, Block Public Access,
buckets secpipe creates for logs, and the S3 API -> IAM action names that differ.

Block Public Access is one rule for S3.8 and CloudTrail.6 (and, at account level, S3.1):
compliant only when all four settings are on; the fix turns every setting on, so an
existing stricter setting can never be weakened (there is nothing stricter than on).
"""
from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookError, Target
from pipeline.remediation.playbooks._client_errors import error_code, is_error
from pipeline.remediation.tags import bucket_name

BLOCK_PUBLIC_ACCESS_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ALL_BLOCKED = {key: True for key in BLOCK_PUBLIC_ACCESS_KEYS}

# API calls whose IAM action is not `service:ApiName` (S3 names its actions after the
# sub-resource, and s3control shares the `s3:` prefix). Every other call is its own action.
IAM_ACTION_OF_API_CALL: dict[str, str] = {
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
    "s3control:PutPublicAccessBlock": "s3:PutAccountPublicAccessBlock",
    "s3control:DeletePublicAccessBlock": "s3:PutAccountPublicAccessBlock",
}


def iam_action_of(api_call: str) -> str:
    return IAM_ACTION_OF_API_CALL.get(api_call, api_call)


def bucket_missing(member: Member, bucket: str) -> str | None:
    """Why the bucket cannot be worked on in this account (gone, or another account's), else None."""
    s3 = member.client("s3")
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=member.account)
    except s3.exceptions.ClientError as exc:
        code = error_code(exc)
        if code in ("404", "NoSuchBucket", "NotFound"):
            return f"S3 bucket {bucket} no longer exists"
        if code in ("403", "AccessDenied"):
            return f"S3 bucket {bucket} is not owned by account {member.account} (a central log bucket is fixed in its own account)"
        raise
    return None


def missing_bucket_plan(member: Member, target: Target, bucket: str | None = None) -> Plan | None:
    """A CANNOT plan when the finding's bucket (or `bucket`) cannot be worked on, else None."""
    reason = bucket_missing(member, bucket or bucket_name(target))
    return Plan(Decision.CANNOT, reason) if reason else None


# --- Block Public Access ---------------------------------------------------------------

def public_access_block(member: Member, bucket: str) -> dict[str, bool] | None:
    """The bucket's Block Public Access settings, None when it has none."""
    s3 = member.client("s3")
    try:
        return dict(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"])
    except s3.exceptions.ClientError as exc:
        if is_error(exc, "NoSuchPublicAccessBlockConfiguration"):
            return None
        raise


def fully_blocked(settings: Mapping[str, bool] | None) -> bool:
    return settings is not None and all(settings.get(key) is True for key in BLOCK_PUBLIC_ACCESS_KEYS)


def plan_bucket_public_access_block(member: Member, bucket: str) -> Plan:
    current = public_access_block(member, bucket)
    if fully_blocked(current):
        return Plan(Decision.COMPLIANT, f"S3 bucket {bucket} blocks all public access")
    off = [key for key in BLOCK_PUBLIC_ACCESS_KEYS if not (current or {}).get(key)]
    return Plan(Decision.CHANGE, f"turn on Block Public Access {', '.join(off)} on S3 bucket {bucket}",
                pre_state={"bucket": bucket, "public_access_block": current},
                change={"bucket": bucket, "public_access_block": ALL_BLOCKED})


def block_bucket_public_access(member: Member, bucket: str) -> str:
    member.client("s3").put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_BLOCKED)
    return f"S3 bucket {bucket}: all four Block Public Access settings on"


def restore_bucket_public_access_block(member: Member, pre_state: Mapping[str, Any]) -> str:
    bucket = pre_state["bucket"]
    previous = pre_state.get("public_access_block")
    s3 = member.client("s3")
    if previous is None:
        s3.delete_public_access_block(Bucket=bucket)
        return f"S3 bucket {bucket}: Block Public Access configuration removed, as before"
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict(previous))
    return f"S3 bucket {bucket}: Block Public Access restored to {dict(previous)}"


# --- buckets secpipe creates (trail logs, access logs, Config snapshots) ----------------

BUCKET_SETUP_API_CALLS = ("s3:HeadBucket", "s3:CreateBucket", "s3:GetBucketEncryption", "s3:PutBucketEncryption",
                          "s3:PutPublicAccessBlock", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:ListObjectsV2",
                          "s3:DeleteBucket")
BUCKET_SETUP_IAM_ACTIONS = ("s3:ListBucket", "s3:CreateBucket", "s3:GetEncryptionConfiguration",
                            "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:GetBucketPolicy",
                            "s3:PutBucketPolicy", "s3:DeleteBucket")
SSE_S3 = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}


def bucket_exists(member: Member, bucket: str) -> bool:
    return bucket_missing(member, bucket) is None


def deny_insecure_transport_statement(bucket_arn: str, sid: str = "secpipe-DenyInsecureTransport") -> dict[str, Any]:
    """The S3.5 statement: every request that is not over TLS is denied."""
    return {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def default_encryption(member: Member, bucket: str) -> dict[str, Any] | None:
    """The bucket's default encryption configuration, None when it has none."""
    s3 = member.client("s3")
    try:
        return dict(s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"])
    except s3.exceptions.ClientError as exc:
        if is_error(exc, "ServerSideEncryptionConfigurationNotFoundError"):
            return None
        raise


def bucket_policy(member: Member, bucket: str) -> str | None:
    """The bucket policy text exactly as stored, None when there is none."""
    s3 = member.client("s3")
    try:
        return str(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except s3.exceptions.ClientError as exc:
        if is_error(exc, "NoSuchBucketPolicy"):
            return None
        raise


def as_list(value: Any) -> list[Any]:
    """IAM policy members are a value or a list of values."""
    return value if isinstance(value, list) else [value]


def merge_statements(previous: str | None, statements: list[dict[str, Any]]) -> str:
    """The previous policy with `statements` added; a statement with one of their Sids is replaced,
    every other statement and member of the policy stays as it was."""
    policy: dict[str, Any] = json.loads(previous) if previous else {"Version": "2012-10-17"}
    ours = {statement["Sid"] for statement in statements}
    kept = [statement for statement in as_list(policy.get("Statement", []))
            if not (isinstance(statement, Mapping) and statement.get("Sid") in ours)]
    policy["Statement"] = [*kept, *statements]
    return json.dumps(policy)


def create_log_bucket(member: Member, bucket: str, statements: list[dict[str, Any]]) -> bool:
    """Create an encrypted (SSE-S3), non-public, TLS-only bucket with `statements` in its policy.

    Returns False when it already existed in this account (a retry, or an earlier run): it is
    then completed, never weakened: an existing default encryption stays, Block Public Access
    only turns on, and the statements are merged into its policy by Sid.
    """
    s3 = member.client("s3")
    # Asked first: in us-east-1 CreateBucket on a bucket you own answers 200, not BucketAlreadyOwnedByYou.
    created = not bucket_exists(member, bucket)
    if created:
        params: dict[str, Any] = {"Bucket": bucket}
        if member.region != "us-east-1":  # us-east-1 refuses an explicit LocationConstraint
            params["CreateBucketConfiguration"] = {"LocationConstraint": member.region}
        try:
            s3.create_bucket(**params)
        except s3.exceptions.ClientError as exc:
            if not is_error(exc, "BucketAlreadyOwnedByYou"):
                raise PlaybookError(f"cannot create S3 bucket {bucket}: {exc}") from exc
            created = False  # made meanwhile by a concurrent run
    if created or default_encryption(member, bucket) is None:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=SSE_S3)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_BLOCKED)
    arn = f"arn:{member.partition}:s3:::{bucket}"
    previous = None if created else bucket_policy(member, bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=merge_statements(previous, [*statements,
                                                                             deny_insecure_transport_statement(arn)]))
    return created


def delete_bucket_if_empty(member: Member, bucket: str) -> str:
    """Remove a bucket secpipe created, unless it holds objects (audit logs are never deleted)."""
    s3 = member.client("s3")
    if not bucket_exists(member, bucket):
        return f"S3 bucket {bucket} already gone"
    if s3.list_objects_v2(Bucket=bucket, MaxKeys=1).get("KeyCount", 0):
        return f"S3 bucket {bucket} kept: it holds log files"
    s3.delete_bucket(Bucket=bucket)
    return f"S3 bucket {bucket} deleted"


class BucketPlaybook(Playbook):
    """A playbook whose target is one S3 bucket: a bucket that is gone (or another
    account's) is CANNOT here, once; subclasses decide on a bucket that is there."""

    tag_reader: ClassVar[str | None] = "s3-bucket"

    def plan(self, member: Member, target: Target) -> Plan:
        bucket = bucket_name(target)
        return missing_bucket_plan(member, target, bucket) or self.plan_bucket(member, bucket)

    @abstractmethod
    def plan_bucket(self, member: Member, bucket: str) -> Plan:
        """Decide for a bucket that exists in the member account."""
