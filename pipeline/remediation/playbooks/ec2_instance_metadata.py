"""EC2.8: instances require IMDSv2 (HttpTokens=required).

The metadata options are written whole (HttpTokens changed, the rest as read) both ways,
so neither apply nor rollback resets the endpoint, hop limit, IPv6 or tag settings.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.registry import PLAYBOOKS

# DescribeInstances MetadataOptions members that ModifyInstanceMetadataOptions takes back.
WRITABLE_OPTIONS = ("HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint", "HttpProtocolIpv6",
                    "InstanceMetadataTags")
_GONE_STATES = ("shutting-down", "terminated")
_CALLS = ("ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions")


def _instance(member: Member, instance_id: str) -> dict[str, Any] | None:
    ec2 = member.client("ec2")
    try:
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except ec2.exceptions.ClientError as exc:
        if is_error(exc, "InvalidInstanceID.NotFound"):
            return None
        raise
    instances = [instance for reservation in reservations for instance in reservation["Instances"]]
    return instances[0] if instances else None


def _write(member: Member, instance_id: str, options: Mapping[str, Any]) -> None:
    member.client("ec2").modify_instance_metadata_options(InstanceId=instance_id, **options)


@PLAYBOOKS.register
@dataclass(frozen=True)
class InstanceMetadataV2(Playbook):
    meta = PlaybookMeta(
        control_id="EC2.8",
        title="EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
        cis={"3.0.0": ("5.6",)},
        api_calls=_CALLS,
        iam_actions=_CALLS,
        destructive=False,
        resource_types=("AwsEc2Instance",),
    )
    tag_reader = "ec2"

    def plan(self, member: Member, target: Target) -> Plan:
        instance_id = target.resource_name  # ".../instance/i-0123" -> "i-0123"
        instance = _instance(member, instance_id)
        state = (instance or {}).get("State", {}).get("Name")
        if instance is None or state in _GONE_STATES:
            return Plan(Decision.CANNOT, f"instance {instance_id} no longer exists in {target.account}/{target.region}"
                        + (f" ({state})" if state else ""))
        options = {name: value for name, value in instance.get("MetadataOptions", {}).items()
                   if name in WRITABLE_OPTIONS and value is not None}
        if options.get("HttpTokens") == "required":
            return Plan(Decision.COMPLIANT, f"instance {instance_id} requires IMDSv2")
        return Plan(Decision.CHANGE, f"require IMDSv2 (HttpTokens=required) on instance {instance_id}",
                    pre_state={"instance_id": instance_id, "metadata_options": options},
                    change={"metadata_options": {**options, "HttpTokens": "required"}})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        _write(member, plan.pre_state["instance_id"], plan.change["metadata_options"])
        return f"instance {plan.pre_state['instance_id']} now requires IMDSv2 (HttpTokens=required)"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        _write(member, pre_state["instance_id"], pre_state["metadata_options"])
        return (f"restored metadata options of {pre_state['instance_id']} "
                f"(HttpTokens={pre_state['metadata_options'].get('HttpTokens', 'optional')})")
