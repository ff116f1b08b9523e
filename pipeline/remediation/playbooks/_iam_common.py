"""What the IAM user playbooks share: the user a finding names, the clock credential ages use."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Target
from pipeline.remediation.playbooks._client_errors import is_error

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def age_in_days(since: datetime, now: datetime) -> float:
    if since.tzinfo is None:  # IAM dates carry a zone; be safe with naive ones
        since = since.replace(tzinfo=UTC)
    return (now - since).total_seconds() / 86400


def user_name(target: Target) -> str:
    """Resources[0].Id is the user ARN (`arn:aws:iam::ACCOUNT:user/PATH/NAME`) or the bare name."""
    return target.resource_name


def read_user(member: Member, target: Target) -> dict[str, Any] | Plan:
    """GetUser's User (with PasswordLastUsed), or a CANNOT plan when the user no longer exists."""
    iam = member.client("iam")
    name = user_name(target)
    try:
        return iam.get_user(UserName=name)["User"]
    except iam.exceptions.ClientError as exc:
        if is_error(exc, "NoSuchEntity"):
            return Plan(Decision.CANNOT, f"IAM user {name} no longer exists in account {target.account}")
        raise


def access_keys(member: Member, name: str) -> list[dict]:
    """The user's access key metadata (AccessKeyId, Status, CreateDate)."""
    pages = member.client("iam").get_paginator("list_access_keys").paginate(UserName=name)
    return [key for page in pages for key in page["AccessKeyMetadata"]]


def set_key_status(member: Member, name: str, key_ids: list[str], status: str) -> None:
    iam = member.client("iam")
    for key_id in key_ids:
        iam.update_access_key(UserName=name, AccessKeyId=key_id, Status=status)
