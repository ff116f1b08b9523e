"""The account password policy family: IAM.7 (all requirements) and IAM.11-IAM.17 (one each).

Each control's plan checks only its own requirement(s). Apply re-reads the live policy and
writes it back with those requirements strengthened and nothing else touched: a stricter
setting stays (a longer minimum length, a shorter maximum age, more reuse prevention) and
every other field keeps its value, because UpdateAccountPasswordPolicy resets any field
it is not given. No policy at all (NoSuchEntity) fails every requirement. Rollback writes
the exact previous policy back, or deletes the policy when there was none.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.registry import PLAYBOOKS

# The fields UpdateAccountPasswordPolicy takes (GetAccountPasswordPolicy adds read-only ExpirePasswords).
WRITABLE_FIELDS = ("MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
                   "RequireLowercaseCharacters", "AllowUsersToChangePassword", "MaxPasswordAge",
                   "PasswordReusePrevention", "HardExpiry")
# 0 means "not set" for these; the API rejects 0 (its ranges start at 1), so a 0 is left out.
_ZERO_MEANS_UNSET = ("MaxPasswordAge", "PasswordReusePrevention")

Policy = Mapping[str, Any]


class Requirement(ABC):
    """One field of the password policy and the value CIS requires of it."""

    field: str

    @abstractmethod
    def satisfied(self, policy: Policy) -> bool: ...

    @abstractmethod
    def strengthened(self, policy: Policy) -> Any:
        """The value that meets the requirement while keeping a stricter current value."""

    @abstractmethod
    def describe(self) -> str: ...


@dataclass(frozen=True)
class Required(Requirement):
    field: str
    what: str  # "an uppercase letter"

    def satisfied(self, policy: Policy) -> bool:
        return policy.get(self.field) is True

    def strengthened(self, policy: Policy) -> Any:
        return True

    def describe(self) -> str:
        return f"require {self.what}"


@dataclass(frozen=True)
class AtLeast(Requirement):
    field: str
    minimum: int
    what: str

    def satisfied(self, policy: Policy) -> bool:
        return int(policy.get(self.field) or 0) >= self.minimum

    def strengthened(self, policy: Policy) -> Any:
        return max(int(policy.get(self.field) or 0), self.minimum)

    def describe(self) -> str:
        return f"{self.what} at least {self.minimum}"


@dataclass(frozen=True)
class AtMost(Requirement):
    """An upper bound where 0 or absent means unlimited (never expires), which fails."""

    field: str
    maximum: int
    what: str

    def satisfied(self, policy: Policy) -> bool:
        return 0 < int(policy.get(self.field) or 0) <= self.maximum

    def strengthened(self, policy: Policy) -> Any:
        current = int(policy.get(self.field) or 0)
        return min(current, self.maximum) if current > 0 else self.maximum

    def describe(self) -> str:
        return f"{self.what} at most {self.maximum}"


UPPERCASE = Required("RequireUppercaseCharacters", "an uppercase letter")
LOWERCASE = Required("RequireLowercaseCharacters", "a lowercase letter")
SYMBOLS = Required("RequireSymbols", "a symbol")
NUMBERS = Required("RequireNumbers", "a number")
MIN_LENGTH = AtLeast("MinimumPasswordLength", 14, "minimum length")
REUSE = AtLeast("PasswordReusePrevention", 24, "passwords remembered")
MAX_AGE = AtMost("MaxPasswordAge", 90, "maximum age in days")

_CALLS = ("iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy")


def read_policy(member: Member) -> dict[str, Any] | None:
    """The live policy's writable fields, or None when the account has no password policy."""
    iam = member.client("iam")
    try:
        policy = iam.get_account_password_policy()["PasswordPolicy"]
    except iam.exceptions.ClientError as exc:
        if is_error(exc, "NoSuchEntity"):
            return None
        raise
    return {name: policy[name] for name in WRITABLE_FIELDS
            if name in policy and not (name in _ZERO_MEANS_UNSET and not policy[name])}


def write_policy(member: Member, policy: Policy) -> None:
    member.client("iam").update_account_password_policy(**policy)


@dataclass(frozen=True)
class PasswordPolicyPlaybook(Playbook):
    meta: PlaybookMeta  # type: ignore[misc]  # one instance per control, so meta is per instance
    requirements: tuple[Requirement, ...]

    def _failing(self, policy: Policy) -> list[Requirement]:
        return [req for req in self.requirements if not req.satisfied(policy)]

    def merged(self, policy: Policy) -> dict[str, Any]:
        """The policy with this control's requirements met; every other field as it is."""
        result = dict(policy)
        for req in self._failing(policy):
            result[req.field] = req.strengthened(policy)
        return result

    def plan(self, member: Member, target: Target) -> Plan:
        current = read_policy(member)
        failing = self._failing(current or {})
        if not failing:
            return Plan(Decision.COMPLIANT, "the password policy meets: "
                        + "; ".join(req.describe() for req in self.requirements))
        missing = "no password policy; " if current is None else ""
        return Plan(Decision.CHANGE, f"{missing}set the password policy to "
                    + "; ".join(req.describe() for req in failing) + " (stricter settings kept)",
                    pre_state={"policy": current}, change={"policy": self.merged(current or {})})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        # Merge onto the policy as it is now, not as planned: a setting made stricter
        # since the plan must not be weakened by writing the planned values.
        live = read_policy(member) or {}
        policy = self.merged(live)
        write_policy(member, policy)
        changed = {name: value for name, value in policy.items() if live.get(name) != value}
        return "password policy updated: " + ", ".join(f"{name}={value}" for name, value in sorted(changed.items()))

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        previous = pre_state["policy"]
        if previous is None:
            member.client("iam").delete_account_password_policy()
            return "deleted the password policy (the account had none before)"
        write_policy(member, previous)
        return "restored the previous password policy"


def _playbook(control_id: str, title: str, cis: Mapping[str, tuple[str, ...]],
              *requirements: Requirement) -> PasswordPolicyPlaybook:
    meta = PlaybookMeta(control_id=control_id, title=title, cis=cis, api_calls=_CALLS, iam_actions=_CALLS,
                        destructive=False, resource_types=("AwsAccount",))
    return PasswordPolicyPlaybook(meta, requirements)


_CIS_12 = "1.2.0"
for _instance in (
    # IAM.7 is a Foundational Best Practices control with no CIS number; here it asks for every CIS requirement.
    _playbook("IAM.7", "Password policies for IAM users should have strong configurations", {},
              UPPERCASE, LOWERCASE, SYMBOLS, NUMBERS, MIN_LENGTH, REUSE, MAX_AGE),
    _playbook("IAM.11", "Ensure IAM password policy requires at least one uppercase letter",
              {_CIS_12: ("1.5",)}, UPPERCASE),
    _playbook("IAM.12", "Ensure IAM password policy requires at least one lowercase letter",
              {_CIS_12: ("1.6",)}, LOWERCASE),
    _playbook("IAM.13", "Ensure IAM password policy requires at least one symbol", {_CIS_12: ("1.7",)}, SYMBOLS),
    _playbook("IAM.14", "Ensure IAM password policy requires at least one number", {_CIS_12: ("1.8",)}, NUMBERS),
    _playbook("IAM.15", "Ensure IAM password policy requires minimum password length of 14 or greater",
              {_CIS_12: ("1.9",), "1.4.0": ("1.8",), "3.0.0": ("1.8",)}, MIN_LENGTH),
    _playbook("IAM.16", "Ensure IAM password policy prevents password reuse",
              {_CIS_12: ("1.10",), "1.4.0": ("1.9",), "3.0.0": ("1.9",)}, REUSE),
    _playbook("IAM.17", "Ensure IAM password policy expires passwords within 90 days or less",
              {_CIS_12: ("1.11",)}, MAX_AGE),
):
    PLAYBOOKS.add(_instance)
