"""EC2.13 (SSH, 22) and EC2.14 (RDP, 3389): no ingress from 0.0.0.0/0 or ::/0 to the port.

A permission covers the port when it is all traffic (protocol -1) or TCP with a port range
that includes it. Only the world-open sources (0.0.0.0/0, ::/0) of those permissions are
revoked; other sources on the same permission, and every other rule, stay. The pre-state
is the revoked world-open sources, which rollback authorises again.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._ec2_security_groups import (
    SECURITY_GROUP_ACTIONS,
    Permission,
    authorize,
    clean,
    ingress,
    read_group,
    revoke,
)
from pipeline.remediation.registry import PLAYBOOKS

WORLD = {"IpRanges": ("CidrIp", "0.0.0.0/0"), "Ipv6Ranges": ("CidrIpv6", "::/0")}
_ALL_TRAFFIC = "-1"
_TCP = ("tcp", "6")
_CALLS = SECURITY_GROUP_ACTIONS + ("ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress")


def covers(permission: Mapping[str, Any], port: int) -> bool:
    protocol = str(permission.get("IpProtocol"))
    if protocol == _ALL_TRAFFIC:
        return True
    return protocol in _TCP and permission.get("FromPort", -1) <= port <= permission.get("ToPort", -1)


def world_open_part(permission: Mapping[str, Any], port: int) -> Permission | None:
    """The part of `permission` that opens `port` to the world (same protocol and ports), or None."""
    if not covers(permission, port):
        return None
    part = {name: value for name, value in permission.items() if name in ("IpProtocol", "FromPort", "ToPort")}
    for member_list, (key, cidr) in WORLD.items():
        part[member_list] = [source for source in permission.get(member_list, []) if source.get(key) == cidr]
    part = clean(part)
    return part if any(name in part for name in WORLD) else None


@dataclass(frozen=True)
class OpenAdminPort(Playbook):
    meta: PlaybookMeta  # type: ignore[misc]  # one instance per control, so meta is per instance
    port: int
    tag_reader = "ec2"

    def plan(self, member: Member, target: Target) -> Plan:
        group = read_group(member, target)
        if isinstance(group, Plan):
            return group
        group_id = group["GroupId"]
        open_parts = [part for permission in ingress(group) if (part := world_open_part(permission, self.port))]
        if not open_parts:
            return Plan(Decision.COMPLIANT, f"{group_id} allows no ingress from 0.0.0.0/0 or ::/0 to port {self.port}")
        return Plan(Decision.CHANGE,
                    f"revoke {len(open_parts)} ingress permission(s) of {group_id} that open port {self.port} "
                    "to 0.0.0.0/0 or ::/0 (other sources kept)",
                    pre_state={"group_id": group_id, "revoked_ingress": open_parts})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        revoke(member, plan.pre_state["group_id"], ingress=plan.pre_state["revoked_ingress"])
        return (f"revoked world-open ingress to port {self.port} of {plan.pre_state['group_id']}: "
                + "; ".join(_describe(part) for part in plan.pre_state["revoked_ingress"]))

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        authorize(member, pre_state["group_id"], ingress=pre_state["revoked_ingress"])
        return f"re-authorised {len(pre_state['revoked_ingress'])} ingress permission(s) of {pre_state['group_id']}"


def _describe(part: Mapping[str, Any]) -> str:
    if part["IpProtocol"] == _ALL_TRAFFIC:
        ports = "all traffic"
    else:
        ports = f"{part['IpProtocol']} {part.get('FromPort')}-{part.get('ToPort')}"
    sources = [source[key] for member_list, (key, _) in WORLD.items() for source in part.get(member_list, [])]
    return f"{ports} from {', '.join(sources)}"


def _meta(control_id: str, port: int, cis_number: str) -> PlaybookMeta:
    return PlaybookMeta(control_id=control_id,
                        title=f"Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port {port}",
                        cis={"1.2.0": (cis_number,)}, api_calls=_CALLS, iam_actions=_CALLS, destructive=True,
                        resource_types=("AwsEc2SecurityGroup",))


PLAYBOOKS.add(OpenAdminPort(_meta("EC2.13", 22, "4.1"), 22))
PLAYBOOKS.add(OpenAdminPort(_meta("EC2.14", 3389, "4.2"), 3389))
