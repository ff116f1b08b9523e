"""IAM.8 (90 days, CIS 1.2.0) and IAM.22 (45 days, CIS 1.4.0/3.0.0): credentials unused too long.

A credential is unused when both its last use (if any) and its creation are older than the
limit. An unused console password is removed (DeleteLoginProfile: IAM has no "inactive"
password); unused active access keys are deactivated, not deleted, so rollback can reactivate.

Rollback and the password: IAM never reveals a password, so the old one cannot come back.
When `plan` saw a login profile, rollback re-creates console access with a fresh random
password that nobody is told and PasswordResetRequired=True: console access exists again,
and an administrator must set a password (UpdateLoginProfile) and hand it over. The
rollback message says so.
"""
from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.playbooks._iam_common import Clock, access_keys, age_in_days, read_user, set_key_status, utc_now
from pipeline.remediation.registry import PLAYBOOKS

_PLAN_CALLS = ("iam:GetUser", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed")
_APPLY_CALLS = ("iam:DeleteLoginProfile", "iam:UpdateAccessKey")
_ROLLBACK_CALLS = ("iam:CreateLoginProfile",)
_CALLS = _PLAN_CALLS + _APPLY_CALLS + _ROLLBACK_CALLS


@dataclass(frozen=True)
class UnusedCredentials(Playbook):
    tag_reader = "iam-user"
    meta: PlaybookMeta  # type: ignore[misc]  # one instance per control, so meta is per instance
    max_unused_days: int
    clock: Clock = utc_now  # replaceable so tests can age credentials without waiting

    def plan(self, member: Member, target: Target) -> Plan:
        user = read_user(member, target)
        if isinstance(user, Plan):
            return user
        name = user["UserName"]
        now = self.clock()
        profile = self._unused_login_profile(member, name, user.get("PasswordLastUsed"), now)
        keys = self._unused_active_keys(member, name, now)
        if profile is None and not keys:
            return Plan(Decision.COMPLIANT,
                        f"{name} has no credential unused for more than {self.max_unused_days} days")
        parts = (["delete the unused console password"] if profile is not None else []) + \
                ([f"deactivate unused access key(s) {', '.join(keys)}"] if keys else [])
        return Plan(Decision.CHANGE,
                    f"{name}: {' and '.join(parts)} (unused for more than {self.max_unused_days} days)",
                    pre_state={"user": name, "login_profile": profile, "active_keys": keys},
                    change={"delete_login_profile": profile is not None, "deactivate": keys})

    def is_stale(self, last_used: datetime | None, created: datetime, now: datetime) -> bool:
        # The later of the two: PasswordLastUsed may predate a login profile re-created since.
        latest = age_in_days(created, now) if last_used is None else min(age_in_days(created, now),
                                                                          age_in_days(last_used, now))
        return latest > self.max_unused_days

    def _unused_login_profile(self, member: Member, name: str, last_used: datetime | None,
                              now: datetime) -> dict[str, Any] | None:
        """The login profile's restorable facts when it is unused, else None (absent or in use)."""
        iam = member.client("iam")
        try:
            profile = iam.get_login_profile(UserName=name)["LoginProfile"]
        except iam.exceptions.ClientError as exc:
            if is_error(exc, "NoSuchEntity"):
                return None
            raise
        if not self.is_stale(last_used, profile["CreateDate"], now):
            return None
        return {"password_reset_required": bool(profile.get("PasswordResetRequired", False))}

    def _unused_active_keys(self, member: Member, name: str, now: datetime) -> list[str]:
        iam = member.client("iam")
        unused = []
        for key in access_keys(member, name):
            if key["Status"] != "Active":
                continue
            last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
            if self.is_stale(last.get("LastUsedDate"), key["CreateDate"], now):
                unused.append(key["AccessKeyId"])
        return unused

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        name = plan.pre_state["user"]
        done = []
        if plan.change["delete_login_profile"]:
            member.client("iam").delete_login_profile(UserName=name)
            done.append("deleted the console password")
        if plan.change["deactivate"]:
            set_key_status(member, name, list(plan.change["deactivate"]), "Inactive")
            done.append(f"deactivated access key(s) {', '.join(plan.change['deactivate'])}")
        return f"{name}: {' and '.join(done)}"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        name = pre_state["user"]
        done = []
        if pre_state["active_keys"]:
            set_key_status(member, name, list(pre_state["active_keys"]), "Active")
            done.append(f"reactivated access key(s) {', '.join(pre_state['active_keys'])}")
        if pre_state["login_profile"] is not None:
            member.client("iam").create_login_profile(UserName=name, Password=_unknowable_password(),
                                                      PasswordResetRequired=True)
            done.append("re-created console access with a new random password and PasswordResetRequired "
                        "(the previous password cannot be restored: an administrator must set one with "
                        "UpdateLoginProfile and give it to the user)")
        return f"{name}: {' and '.join(done)}"


def _unknowable_password(length: int = 64) -> str:
    """A random password meeting any account policy (every class, long): never logged or returned."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%^&*()_+-=[]{}|'")
    chars = [secrets.choice(group) for group in classes]
    alphabet = "".join(classes)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _meta(control_id: str, title: str, cis: Mapping[str, tuple[str, ...]]) -> PlaybookMeta:
    return PlaybookMeta(control_id=control_id, title=title, cis=cis, api_calls=_CALLS, iam_actions=_CALLS,
                        destructive=True,  # deletes the console password, deactivates keys
                        resource_types=("AwsIamUser",))


for _playbook in (
    UnusedCredentials(_meta("IAM.8", "Unused IAM user credentials should be removed", {"1.2.0": ("1.3",)}), 90),
    UnusedCredentials(_meta("IAM.22", "IAM user credentials unused for 45 days should be removed",
                            {"1.4.0": ("1.12",), "3.0.0": ("1.12",)}), 45),
):
    PLAYBOOKS.add(_playbook)
