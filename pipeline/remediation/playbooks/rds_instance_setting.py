"""RDS.2 (PubliclyAccessible=False) and RDS.13 (AutoMinorVersionUpgrade=True): one DB instance flag each.

Both are one boolean of ModifyDBInstance, applied immediately; rollback writes the value read
before. AWS applies a modification asynchronously (PendingModifiedValues first), so apply
polls for a bounded time until the flag reads the new value; verify re-reads the instance
and is True only once the flag itself reads compliant.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.registry import PLAYBOOKS

_CALLS = ("rds:DescribeDBInstances", "rds:ModifyDBInstance")


def _db_instance(member: Member, identifier: str) -> dict[str, Any] | None:
    rds = member.client("rds")
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except rds.exceptions.ClientError as exc:
        if is_error(exc, "DBInstanceNotFound", "DBInstanceNotFoundFault"):
            return None
        raise


def _modify(member: Member, identifier: str, setting: str, value: bool) -> None:
    member.client("rds").modify_db_instance(DBInstanceIdentifier=identifier, ApplyImmediately=True,
                                            **{setting: value})


@dataclass(frozen=True)
class DbInstanceSetting(Playbook):
    meta: PlaybookMeta  # type: ignore[misc]  # one instance per control, so meta is per instance
    setting: str  # the DescribeDBInstances member, also the ModifyDBInstance parameter
    required: bool
    wait_seconds: float = 300.0  # how long apply waits for the modification to show
    poll_seconds: float = 10.0
    tag_reader = "rds-instance"

    def plan(self, member: Member, target: Target) -> Plan:
        identifier = target.resource_name  # "arn:aws:rds:REGION:ACCOUNT:db:NAME" -> "NAME"
        instance = _db_instance(member, identifier)
        if instance is None:
            return Plan(Decision.CANNOT,
                        f"DB instance {identifier} no longer exists in {target.account}/{target.region}")
        current = bool(instance.get(self.setting))
        if current is self.required:
            return Plan(Decision.COMPLIANT, f"DB instance {identifier} has {self.setting}={current}")
        return Plan(Decision.CHANGE, f"set {self.setting}={self.required} on DB instance {identifier} (immediately)",
                    pre_state={"db_instance": identifier, self.setting: current})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        identifier = plan.pre_state["db_instance"]
        _modify(member, identifier, self.setting, self.required)
        if not self._shows_required(member, identifier):
            return (f"requested {self.setting}={self.required} on DB instance {identifier}; "
                    f"still pending after {self.wait_seconds:.0f}s")
        return f"set {self.setting}={self.required} on DB instance {identifier}"

    def _shows_required(self, member: Member, identifier: str) -> bool:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            instance = _db_instance(member, identifier) or {}
            if bool(instance.get(self.setting)) is self.required:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.poll_seconds)

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        _modify(member, pre_state["db_instance"], self.setting, bool(pre_state[self.setting]))
        return f"restored {self.setting}={pre_state[self.setting]} on DB instance {pre_state['db_instance']}"


def _playbook(control_id: str, title: str, cis_number: str, setting: str, required: bool) -> DbInstanceSetting:
    meta = PlaybookMeta(control_id=control_id, title=title, cis={"3.0.0": (cis_number,)}, api_calls=_CALLS,
                        iam_actions=_CALLS, destructive=False, resource_types=("AwsRdsDbInstance",))
    return DbInstanceSetting(meta, setting, required)


PLAYBOOKS.add(_playbook("RDS.2", "RDS DB Instances should prohibit public access, as determined by the "
                        "PubliclyAccessible configuration", "2.3.3", "PubliclyAccessible", False))
PLAYBOOKS.add(_playbook("RDS.13", "RDS automatic minor version upgrades should be enabled", "2.3.2",
                        "AutoMinorVersionUpgrade", True))
