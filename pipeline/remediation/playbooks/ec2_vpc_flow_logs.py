"""EC2.6: the VPC has a flow log recording at least rejected traffic.

Apply delivers REJECT records to a CloudWatch Logs group through a delivery role, reusing
the group and the role when they exist (both are shared by every VPC of the account and
region). Rollback deletes only the flow log(s) this playbook created; the log group (it
holds the records) and the role (other VPCs' flow logs may use it) stay, and it says so.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookError, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.registry import PLAYBOOKS

LOG_GROUP = "/secpipe/vpc-flow-logs"
ROLE_NAME = "secpipe-vpc-flow-logs"
TRAFFIC_TYPE = "REJECT"
_RECORDING = ("REJECT", "ALL")  # either satisfies the control
_CALLS = ("ec2:DescribeVpcs", "ec2:DescribeFlowLogs", "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs",
          "logs:DescribeLogGroups", "logs:CreateLogGroup", "iam:GetRole", "iam:CreateRole", "iam:PutRolePolicy")
# CreateFlowLogs hands the delivery role to the service: the caller needs PassRole on it.
_ACTIONS = _CALLS + ("iam:PassRole",)


def _flow_logs(member: Member, vpc_id: str) -> list[dict[str, Any]]:
    reply = member.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])
    return reply.get("FlowLogs", [])


def _vpc_exists(member: Member, vpc_id: str) -> bool:
    ec2 = member.client("ec2")
    try:
        return bool(ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"])
    except ec2.exceptions.ClientError as exc:
        if is_error(exc, "InvalidVpcID.NotFound"):
            return False
        raise


def _log_group_exists(member: Member, name: str) -> bool:
    pages = member.client("logs").get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
    return any(group["logGroupName"] == name for page in pages for group in page.get("logGroups", []))


def _role_arn(member: Member, name: str) -> str | None:
    iam = member.client("iam")
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.ClientError as exc:
        if is_error(exc, "NoSuchEntity"):
            return None
        raise


def _create_delivery_role(member: Member, name: str, log_group: str) -> str:
    iam = member.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        # only flow logs of this account may use the role (confused deputy)
        "Condition": {"StringEquals": {"aws:SourceAccount": member.account}}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
                          Description="Delivers VPC flow logs to CloudWatch Logs (created by secpipe)")["Role"]["Arn"]
    group_arn = f"arn:{member.partition}:logs:{member.region}:{member.account}:log-group:{log_group}"
    delivery = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
        "Resource": [group_arn, f"{group_arn}:*"]}]}
    iam.put_role_policy(RoleName=name, PolicyName="deliver-vpc-flow-logs", PolicyDocument=json.dumps(delivery))
    return arn


@PLAYBOOKS.register
@dataclass(frozen=True)
class VpcFlowLogs(Playbook):
    meta = PlaybookMeta(
        control_id="EC2.6",
        title="VPC flow logging should be enabled in all VPCs",
        cis={"1.2.0": ("2.9",), "1.4.0": ("3.9",), "3.0.0": ("3.7",)},
        api_calls=_CALLS,
        iam_actions=_ACTIONS,
        destructive=False,
        resource_types=("AwsEc2Vpc",),
    )
    tag_reader = "ec2"
    log_group: str = LOG_GROUP
    role_name: str = ROLE_NAME

    def plan(self, member: Member, target: Target) -> Plan:
        vpc_id = target.resource_name  # ".../vpc/vpc-0123" -> "vpc-0123"
        if not _vpc_exists(member, vpc_id):
            return Plan(Decision.CANNOT, f"VPC {vpc_id} no longer exists in {target.account}/{target.region}")
        flow_logs = _flow_logs(member, vpc_id)
        recording = [log["FlowLogId"] for log in flow_logs
                     if log.get("TrafficType") in _RECORDING and log.get("FlowLogStatus", "ACTIVE") == "ACTIVE"]
        if recording:
            return Plan(Decision.COMPLIANT, f"VPC {vpc_id} has flow log(s) {', '.join(recording)}")
        return Plan(Decision.CHANGE,
                    f"create a {TRAFFIC_TYPE} flow log for VPC {vpc_id} into log group {self.log_group}",
                    pre_state={"vpc_id": vpc_id, "flow_log_ids": [log["FlowLogId"] for log in flow_logs],
                               "log_group": self.log_group, "role_name": self.role_name})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        state = plan.pre_state
        made = []
        if not _log_group_exists(member, state["log_group"]):
            member.client("logs").create_log_group(logGroupName=state["log_group"])
            made.append(f"log group {state['log_group']}")
        role_arn = _role_arn(member, state["role_name"])
        if role_arn is None:
            role_arn = _create_delivery_role(member, state["role_name"], state["log_group"])
            made.append(f"role {state['role_name']}")
        reply = member.client("ec2").create_flow_logs(
            ResourceIds=[state["vpc_id"]], ResourceType="VPC", TrafficType=TRAFFIC_TYPE,
            LogDestinationType="cloud-watch-logs", LogGroupName=state["log_group"], DeliverLogsPermissionArn=role_arn)
        if reply.get("Unsuccessful"):
            error = reply["Unsuccessful"][0].get("Error", {})
            raise PlaybookError(f"CreateFlowLogs for {state['vpc_id']} failed: "
                                f"{error.get('Code')} {error.get('Message')}")
        created = ", ".join(reply.get("FlowLogIds", []))
        return f"created flow log {created} ({TRAFFIC_TYPE}) for {state['vpc_id']}" + \
            (f"; created {' and '.join(made)}" if made else "")

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        ours = [log["FlowLogId"] for log in _flow_logs(member, pre_state["vpc_id"])
                if log["FlowLogId"] not in pre_state["flow_log_ids"]
                and log.get("LogGroupName") == pre_state["log_group"]]
        if ours:
            member.client("ec2").delete_flow_logs(FlowLogIds=ours)
        return (f"deleted flow log(s) {', '.join(ours) or '(none left)'} of {pre_state['vpc_id']}; log group "
                f"{pre_state['log_group']} (holds the records) and role {pre_state['role_name']} (shared) kept")
