"""Security group rules as the EC2 playbooks read, revoke and re-authorise them.

Permissions are kept in the IpPermission shape DescribeSecurityGroups returns and
Authorize/Revoke accept, minus empty lists, so a captured pre-state can be written back
as it was read.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Target
from pipeline.remediation.playbooks._client_errors import is_error

Permission = dict[str, Any]
SECURITY_GROUP_ACTIONS = ("ec2:DescribeSecurityGroups",)


def clean(permission: Mapping[str, Any]) -> Permission:
    """The permission without empty members (AWS returns empty lists; they mean nothing)."""
    return {name: value for name, value in permission.items() if value not in ([], None, "")}


def read_group(member: Member, target: Target) -> dict[str, Any] | Plan:
    """The group the finding names, or a CANNOT plan when it no longer exists."""
    ec2 = member.client("ec2")
    group_id = target.resource_name  # ".../security-group/sg-0123" -> "sg-0123"
    try:
        groups = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    except ec2.exceptions.ClientError as exc:
        if is_error(exc, "InvalidGroup.NotFound", "InvalidGroupId.NotFound"):
            groups = []
        else:
            raise
    if not groups:
        return Plan(Decision.CANNOT, f"security group {group_id} no longer exists in {target.account}/{target.region}")
    return groups[0]


def ingress(group: Mapping[str, Any]) -> list[Permission]:
    return [clean(permission) for permission in group.get("IpPermissions", [])]


def egress(group: Mapping[str, Any]) -> list[Permission]:
    return [clean(permission) for permission in group.get("IpPermissionsEgress", [])]


def revoke(member: Member, group_id: str, *, ingress: Iterable[Permission] = (),
           egress: Iterable[Permission] = ()) -> None:
    ec2 = member.client("ec2")
    if ingress := list(ingress):
        ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=ingress)
    if egress := list(egress):
        ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=egress)


def authorize(member: Member, group_id: str, *, ingress: Iterable[Permission] = (),
              egress: Iterable[Permission] = ()) -> None:
    ec2 = member.client("ec2")
    if ingress := list(ingress):
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=ingress)
    if egress := list(egress):
        ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=egress)


def canonical(permissions: Iterable[Mapping[str, Any]]) -> list[tuple]:
    """An order-free form of a rule set: one (protocol, from, to, source) per source, sorted.

    AWS may merge or split permissions differently on the way back in, so rule sets are
    compared source by source, not permission by permission.
    """
    rules = set()
    for permission in permissions:
        ports = (permission.get("IpProtocol"), permission.get("FromPort"), permission.get("ToPort"))
        for member_list, key in (("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6"),
                                 ("PrefixListIds", "PrefixListId"), ("UserIdGroupPairs", "GroupId")):
            for source in permission.get(member_list, []):
                rules.add((*ports, key, source.get(key), source.get("Description", "")))
    return sorted(rules, key=repr)
