"""S3.1: the account-level S3 Block Public Access settings are all on (s3control)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.playbooks._s3_common import ALL_BLOCKED, BLOCK_PUBLIC_ACCESS_KEYS, fully_blocked
from pipeline.remediation.registry import PLAYBOOKS


def account_public_access_block(member: Member) -> dict[str, bool] | None:
    client = member.client("s3control")
    try:
        reply = client.get_public_access_block(AccountId=member.account)
    except client.exceptions.ClientError as exc:
        if is_error(exc, "NoSuchPublicAccessBlockConfiguration"):
            return None
        raise
    return dict(reply["PublicAccessBlockConfiguration"])


@PLAYBOOKS.register
class AccountPublicAccessBlock(Playbook):
    meta = PlaybookMeta(
        control_id="S3.1",
        title="S3 Block Public Access setting should be enabled (account level)",
        cis={"1.4.0": ("2.1.5", "2.1.5.1"), "3.0.0": ("2.1.4",)},  # Security Hub says 2.1.5, CIS 2.1.5.1
        api_calls=("s3control:GetPublicAccessBlock", "s3control:PutPublicAccessBlock",
                   "s3control:DeletePublicAccessBlock"),
        iam_actions=("s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock"),
        destructive=False,
        resource_types=("AwsAccount",),
    )

    def plan(self, member: Member, target: Target) -> Plan:
        current = account_public_access_block(member)
        if fully_blocked(current):
            return Plan(Decision.COMPLIANT, f"account {member.account} blocks all S3 public access")
        off = [key for key in BLOCK_PUBLIC_ACCESS_KEYS if not (current or {}).get(key)]
        return Plan(Decision.CHANGE, f"turn on account-level S3 Block Public Access {', '.join(off)}",
                    pre_state={"public_access_block": current}, change={"public_access_block": ALL_BLOCKED})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        member.client("s3control").put_public_access_block(AccountId=member.account, PublicAccessBlockConfiguration=ALL_BLOCKED)
        return f"account {member.account}: all four S3 Block Public Access settings on"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        previous = pre_state.get("public_access_block")
        client = member.client("s3control")
        if previous is None:
            client.delete_public_access_block(AccountId=member.account)
            return f"account {member.account}: S3 Block Public Access configuration removed, as before"
        client.put_public_access_block(AccountId=member.account, PublicAccessBlockConfiguration=dict(previous))
        return f"account {member.account}: S3 Block Public Access restored to {dict(previous)}"
