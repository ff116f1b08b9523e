"""CloudTrail.5: the trail also delivers to CloudWatch Logs (what the CloudWatch.1-14 alarms read).

Creates, when missing, a log group per trail (`secpipe/cloudtrail/NAME`, kept a year) and one
delivery role per account (`secpipe-cloudtrail-cloudwatch-logs`) with one inline policy per
trail, allowed to write to that trail's group only.
"""
from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, PlaybookError, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.playbooks._trail_common import TrailPlaybook
from pipeline.remediation.registry import PLAYBOOKS

ROLE_NAME = "secpipe-cloudtrail-cloudwatch-logs"
RETENTION_DAYS = 365  # CloudWatch.16 asks for at least a year
# A new role takes seconds to be usable by CloudTrail (IAM is eventually consistent).
ROLE_PROPAGATION_DELAYS = (2.0, 4.0, 8.0, 16.0)
_NOT_YET_USABLE = ("InvalidCloudWatchLogsRoleArnException", "InvalidCloudWatchLogsLogGroupArnException")


def log_group_name(trail_name: str) -> str:
    return f"secpipe/cloudtrail/{trail_name}"


def log_group_arn(member: Member, name: str) -> str:
    return f"arn:{member.partition}:logs:{member.region}:{member.account}:log-group:{name}:*"


def log_group_exists(member: Member, name: str) -> bool:
    groups = member.client("logs").describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
    return any(group["logGroupName"] == name for group in groups)


def role_arn_if_exists(member: Member, name: str) -> str | None:
    iam = member.client("iam")
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.ClientError as exc:
        if is_error(exc, "NoSuchEntity"):
            return None
        raise


def delivery_trust_policy(member: Member) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": member.account}}}]}


def delivery_policy(member: Member, group: str) -> dict[str, Any]:
    streams = f"arn:{member.partition}:logs:{member.region}:{member.account}:log-group:{group}:log-stream:*"
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": streams}]}


def policy_name(trail_name: str) -> str:
    return f"deliver-{trail_name}"[:128]


@PLAYBOOKS.register
class TrailCloudWatchLogs(TrailPlaybook):
    meta = PlaybookMeta(
        control_id="CloudTrail.5",
        title="CloudTrail trails should be integrated with Amazon CloudWatch Logs",
        cis={"1.2.0": ("2.4",), "1.4.0": ("3.4",)},
        api_calls=("cloudtrail:GetTrail", "cloudtrail:UpdateTrail", "logs:DescribeLogGroups", "logs:CreateLogGroup",
                   "logs:PutRetentionPolicy", "logs:DescribeLogStreams", "logs:DeleteLogGroup", "iam:GetRole",
                   "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
                   "iam:DeleteRole"),
        iam_actions=("cloudtrail:GetTrail", "cloudtrail:UpdateTrail", "logs:DescribeLogGroups", "logs:CreateLogGroup",
                     "logs:PutRetentionPolicy", "logs:DescribeLogStreams", "logs:DeleteLogGroup", "iam:GetRole",
                     "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
                     "iam:DeleteRole", "iam:PassRole"),  # PassRole: UpdateTrail hands the role to CloudTrail
        destructive=False,
        resource_types=("AwsCloudTrailTrail",),
    )

    def plan_trail(self, member: Member, trail: Mapping[str, Any]) -> Plan:
        name = trail["Name"]
        if trail.get("CloudWatchLogsLogGroupArn"):
            return Plan(Decision.COMPLIANT, f"trail {name} delivers to {trail['CloudWatchLogsLogGroupArn']}")
        group = log_group_name(name)
        state = {"trail_arn": trail["TrailARN"], "log_group": group,
                 "log_group_existed": log_group_exists(member, group),
                 "role": ROLE_NAME, "role_existed": role_arn_if_exists(member, ROLE_NAME) is not None,
                 "role_policy": policy_name(name)}
        return Plan(Decision.CHANGE, f"deliver trail {name} to CloudWatch Logs group {group} through role {ROLE_NAME}",
                    pre_state=state, change=state)

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        group, trail_arn = plan.change["log_group"], plan.change["trail_arn"]
        logs, iam = member.client("logs"), member.client("iam")
        try:
            logs.create_log_group(logGroupName=group)
        except logs.exceptions.ClientError as exc:
            if not is_error(exc, "ResourceAlreadyExistsException"):
                raise
        if not plan.change["log_group_existed"]:  # an existing group keeps its own retention (maybe longer)
            logs.put_retention_policy(logGroupName=group, retentionInDays=RETENTION_DAYS)
        role = role_arn_if_exists(member, ROLE_NAME) or str(iam.create_role(
            RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(delivery_trust_policy(member)),
            Description="secpipe: CloudTrail delivers to CloudWatch Logs (CIS CloudTrail.5)")["Role"]["Arn"])
        iam.put_role_policy(RoleName=ROLE_NAME, PolicyName=plan.change["role_policy"],
                            PolicyDocument=json.dumps(delivery_policy(member, group)))
        self._update_trail(member, trail_arn, log_group_arn(member, group), role)
        return f"trail {trail_arn}: delivers to CloudWatch Logs group {group} (role {ROLE_NAME})"

    @staticmethod
    def _update_trail(member: Member, trail_arn: str, group_arn: str, role_arn: str) -> None:
        cloudtrail = member.client("cloudtrail")
        for delay in (*ROLE_PROPAGATION_DELAYS, None):
            try:
                cloudtrail.update_trail(Name=trail_arn, CloudWatchLogsLogGroupArn=group_arn,
                                        CloudWatchLogsRoleArn=role_arn)
                return
            except cloudtrail.exceptions.ClientError as exc:
                if delay is None or not is_error(exc, *_NOT_YET_USABLE):
                    raise PlaybookError(f"trail {trail_arn} refused log group {group_arn} / role {role_arn}: {exc}") from exc
                time.sleep(delay)

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        trail_arn, group, role = pre_state["trail_arn"], pre_state["log_group"], pre_state["role"]
        member.client("cloudtrail").update_trail(Name=trail_arn, CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn="")
        done = [f"trail {trail_arn}: CloudWatch Logs delivery off, as before"]
        iam = member.client("iam")
        try:
            iam.delete_role_policy(RoleName=role, PolicyName=pre_state["role_policy"])
        except iam.exceptions.ClientError as exc:
            if not is_error(exc, "NoSuchEntity"):
                raise
        if not pre_state["role_existed"] and role_arn_if_exists(member, role) \
                and not iam.list_role_policies(RoleName=role)["PolicyNames"]:
            iam.delete_role(RoleName=role)
            done.append(f"role {role} deleted")
        if not pre_state["log_group_existed"] and log_group_exists(member, group):
            streams = member.client("logs").describe_log_streams(logGroupName=group, limit=1)["logStreams"]
            if streams:  # events already delivered are audit records: kept
                done.append(f"log group {group} kept: it holds delivered events")
            else:
                member.client("logs").delete_log_group(logGroupName=group)
                done.append(f"log group {group} deleted")
        return "; ".join(done)
