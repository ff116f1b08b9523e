"""Live tag readers for the opt-out tag `secpipe-remediation` = `skip`.

Tags are read from the resource at run time, never from the finding (a copy in the
finding is stale). A reader that fails raises; the engine then skips (fails closed).
Each reader declares the IAM action it needs, so the member role's policy includes it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.remediation.playbook import Member, Target

OPT_OUT_KEY = "secpipe-remediation"
OPT_OUT_VALUE = "skip"


@dataclass(frozen=True)
class TagReader:
    iam_actions: tuple[str, ...]
    read: Callable[[Member, Target], Mapping[str, str]]


def _pairs(items: list[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {item[key]: item.get(value, "") for item in items or ()}


def _s3_bucket(member: Member, target: Target) -> Mapping[str, str]:
    s3 = member.client("s3")
    try:
        reply = s3.get_bucket_tagging(Bucket=bucket_name(target))
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchTagSet":
            return {}
        raise
    return _pairs(reply.get("TagSet"))


def bucket_name(target: Target) -> str:
    """An S3 bucket finding's Id is `arn:aws:s3:::NAME` (or the bare name)."""
    return target.resource_id.rsplit(":", 1)[-1]


def _ec2_resource(member: Member, target: Target) -> Mapping[str, str]:
    reply = member.client("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [target.resource_name]}])
    return _pairs(reply.get("Tags"))


def _iam_user(member: Member, target: Target) -> Mapping[str, str]:
    return _pairs(member.client("iam").list_user_tags(UserName=target.resource_name).get("Tags"))


def _kms_key(member: Member, target: Target) -> Mapping[str, str]:
    reply = member.client("kms").list_resource_tags(KeyId=target.resource_name)
    return _pairs(reply.get("Tags"), "TagKey", "TagValue")


def _rds_instance(member: Member, target: Target) -> Mapping[str, str]:
    rds = member.client("rds")
    arn = target.resource_id
    if not arn.startswith("arn:"):
        arn = rds.describe_db_instances(DBInstanceIdentifier=arn)["DBInstances"][0]["DBInstanceArn"]
    return _pairs(rds.list_tags_for_resource(ResourceName=arn).get("TagList"))


def _cloudtrail_trail(member: Member, target: Target) -> Mapping[str, str]:
    reply = member.client("cloudtrail").list_tags(ResourceIdList=[target.resource_id])
    tags: dict[str, str] = {}
    for entry in reply.get("ResourceTagList", []):
        tags.update(_pairs(entry.get("TagsList")))
    return tags


def names_bucket(target: Target) -> bool:
    return target.resource_type == "AwsS3Bucket" or target.resource_id.startswith(f"arn:{target.partition}:s3:::")


def _trail_or_its_bucket(member: Member, target: Target) -> Mapping[str, str]:
    """CloudTrail.6/.7 findings name the trail or the bucket it delivers to: the one named is read."""
    return _s3_bucket(member, target) if names_bucket(target) else _cloudtrail_trail(member, target)


TAG_READERS: dict[str, TagReader] = {
    "s3-bucket": TagReader(("s3:GetBucketTagging",), _s3_bucket),
    "ec2": TagReader(("ec2:DescribeTags",), _ec2_resource),
    "iam-user": TagReader(("iam:ListUserTags",), _iam_user),
    "kms-key": TagReader(("kms:ListResourceTags",), _kms_key),
    "rds-instance": TagReader(("rds:DescribeDBInstances", "rds:ListTagsForResource"), _rds_instance),
    "cloudtrail-trail": TagReader(("cloudtrail:ListTags",), _cloudtrail_trail),
    "cloudtrail-trail-or-bucket": TagReader(("cloudtrail:ListTags", "s3:GetBucketTagging"), _trail_or_its_bucket),
}


def opted_out(tags: Mapping[str, str]) -> bool:
    return tags.get(OPT_OUT_KEY, "").strip().lower() == OPT_OUT_VALUE
