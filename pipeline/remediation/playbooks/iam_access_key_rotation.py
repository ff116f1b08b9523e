"""IAM.3: access keys older than 90 days are deactivated (not deleted, so rollback can reactivate)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._iam_common import Clock, access_keys, age_in_days, read_user, set_key_status, utc_now
from pipeline.remediation.registry import PLAYBOOKS

MAX_KEY_AGE_DAYS = 90
_CALLS = ("iam:GetUser", "iam:ListAccessKeys", "iam:UpdateAccessKey")


@PLAYBOOKS.register
@dataclass(frozen=True)
class AccessKeyRotation(Playbook):
    meta = PlaybookMeta(
        control_id="IAM.3",
        title="IAM users' access keys should be rotated every 90 days or less",
        cis={"1.2.0": ("1.4",), "1.4.0": ("1.14",), "3.0.0": ("1.14",)},
        api_calls=_CALLS,
        iam_actions=_CALLS,
        destructive=True,  # a deactivated key stops working at once
        resource_types=("AwsIamUser",),
    )
    tag_reader = "iam-user"
    clock: Clock = utc_now  # replaceable so tests can age keys without waiting 90 days

    def plan(self, member: Member, target: Target) -> Plan:
        user = read_user(member, target)
        if isinstance(user, Plan):
            return user
        name = user["UserName"]
        now = self.clock()
        stale = [key["AccessKeyId"] for key in access_keys(member, name)
                 if key["Status"] == "Active" and age_in_days(key["CreateDate"], now) > MAX_KEY_AGE_DAYS]
        if not stale:
            return Plan(Decision.COMPLIANT, f"{name} has no active access key older than {MAX_KEY_AGE_DAYS} days")
        return Plan(Decision.CHANGE,
                    f"deactivate {len(stale)} access key(s) of {name} older than {MAX_KEY_AGE_DAYS} days: "
                    + ", ".join(stale),
                    pre_state={"user": name, "active_keys": stale}, change={"deactivate": stale})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        name = plan.pre_state["user"]
        set_key_status(member, name, list(plan.change["deactivate"]), "Inactive")
        return f"deactivated access key(s) {', '.join(plan.change['deactivate'])} of {name}"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        name = pre_state["user"]
        set_key_status(member, name, list(pre_state["active_keys"]), "Active")
        return f"reactivated access key(s) {', '.join(pre_state['active_keys'])} of {name}"
