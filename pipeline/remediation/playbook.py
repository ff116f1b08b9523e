"""The Playbook interface: one control's fix, with its metadata beside the code.

A playbook reads live state in the member account (`plan`), changes it (`apply`),
re-reads it (`verify`, by default the same rule as `plan`, so the rule lives in one
place) and can put back what it changed (`rollback`, from the pre-state `plan` captured).
Playbooks never talk to Security Hub and never assume roles: the engine hands them a
`Member` (clients in the member account) and a `Target` (which resource, where).
"""
from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

CIS_VERSIONS = ("1.2.0", "1.4.0", "3.0.0")


@dataclass(frozen=True)
class PlaybookMeta:
    control_id: str  # Security Hub consolidated control id, e.g. "CloudTrail.4"
    title: str
    cis: Mapping[str, tuple[str, ...]]  # CIS version -> requirement numbers, e.g. {"1.2.0": ("2.2",)}
    api_calls: tuple[str, ...]  # e.g. ("cloudtrail:DescribeTrails", "cloudtrail:UpdateTrail")
    iam_actions: tuple[str, ...]  # exact IAM actions plan/apply/verify/rollback need; no wildcards
    destructive: bool  # True when apply deletes or revokes something (rules, keys, logins)
    resource_types: tuple[str, ...] = ()  # ASFF Resources[].Type values it accepts; () = any

    def cis_numbers(self) -> dict[str, list[str]]:
        return {version: list(self.cis.get(version, ())) for version in CIS_VERSIONS}


@dataclass(frozen=True)
class Target:
    """The resource a finding names, in the account and region it lives in."""

    control_id: str
    account: str
    region: str
    partition: str
    resource_id: str  # Resources[0].Id: an ARN, or an id such as "AWS::::Account:123456789012"
    resource_type: str = ""  # Resources[0].Type, e.g. "AwsS3Bucket"
    details: Mapping[str, Any] = field(default_factory=dict)  # Resources[0].Details

    @property
    def resource_name(self) -> str:
        """The last segment of an ARN ("arn:aws:s3:::bucket" -> "bucket", ".../sg-1" -> "sg-1")."""
        tail = self.resource_id.rsplit(":", 1)[-1] if self.resource_id.startswith("arn:") else self.resource_id
        return tail.rsplit("/", 1)[-1]

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:"
                f"{self.account if account else ''}:{resource}")


class Member(Protocol):
    """boto3 clients acting in the member account and region (see `member.MemberSession`)."""

    account: str
    region: str
    partition: str

    def client(self, service: str) -> Any: ...


class Decision(enum.Enum):
    COMPLIANT = "compliant"  # nothing to do: the live state already meets the control
    CHANGE = "change"  # apply would make it compliant
    CANNOT = "cannot"  # no safe automatic fix here (landing zone owns it, resource gone, ...): say why


@dataclass(frozen=True)
class Plan:
    decision: Decision
    summary: str  # one line for a person: what will change, or why not
    pre_state: Mapping[str, Any] = field(default_factory=dict)  # JSON-able; what rollback restores
    change: Mapping[str, Any] = field(default_factory=dict)  # JSON-able parameters for apply


class Playbook(ABC):
    meta: ClassVar[PlaybookMeta]
    # The live tag reader for the opt-out tag (see `tags`); None for account-level settings.
    tag_reader: ClassVar[str | None] = None

    @property
    def name(self) -> str:  # the registry key
        return self.meta.control_id

    def iam_actions(self) -> tuple[str, ...]:
        """Everything the member role needs for this playbook: its own actions and its tag reader's."""
        from pipeline.remediation.tags import TAG_READERS

        extra = TAG_READERS[self.tag_reader].iam_actions if self.tag_reader else ()
        return tuple(sorted(set(self.meta.iam_actions) | set(extra)))

    @abstractmethod
    def plan(self, member: Member, target: Target) -> Plan:
        """Read the live state and decide. Never changes anything."""

    @abstractmethod
    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        """Make the change `plan` decided; returns one line saying what changed."""

    def verify(self, member: Member, target: Target) -> bool:
        """Re-read and re-evaluate: True only when the live state is now compliant."""
        return self.plan(member, target).decision is Decision.COMPLIANT

    @abstractmethod
    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        """Restore the captured pre-state; returns one line saying what was restored."""


class PlaybookError(Exception):
    """A playbook could not do what it planned; the message names what and why."""
