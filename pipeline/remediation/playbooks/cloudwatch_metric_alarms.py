"""CloudWatch.1-CloudWatch.14: a CIS metric filter on the CloudTrail log group, and an alarm on
its metric that notifies an SNS topic somebody is subscribed to.

One playbook, one instance per control, parameterised by the table below (the filter
patterns are the exact ones the Security Hub user guide prescribes; Security Hub fails the
control when any other pattern is used). The log group is the one a multi-region, logging
trail of all management events delivers to; without one there is nothing to filter
(CloudTrail.5 comes first). Alarms notify `secpipe-cis-alarms` (created when missing, one
topic for all 14, as the guide recommends), unless the CIS alarms already on that log group
notify a subscribed topic: that one is reused, so every CIS alarm reaches the same people.
The control only passes once the topic has a confirmed subscriber, so `verify` says False
until someone subscribes to a new topic.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.playbooks._trail_common import is_logging, logs_all_management_events
from pipeline.remediation.registry import PLAYBOOKS

NAMESPACE = "LogMetrics"  # the namespace the user guide uses for every CIS metric
DEFAULT_TOPIC = "secpipe-cis-alarms"
# The operator's own alarm topic (a name in the member account), e.g. one the security team
# already subscribes to; read when a playbook runs, so the Lambda's environment sets it.
TOPIC_VARIABLE = "SECPIPE_CIS_ALARM_TOPIC"


@dataclass(frozen=True)
class MetricFilterControl:
    control_id: str
    title: str
    cis: Mapping[str, tuple[str, ...]]
    metric_name: str  # also names secpipe's filter and alarm
    pattern: str


def _cis(v12: tuple[str, ...], v14: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    return {"1.2.0": v12, "1.4.0": v14} if v14 else {"1.2.0": v12}


# CIS 1.4.0 numbers 4.1 and 4.2 are the benchmark's own; Security Hub's 1.4.0 standard leaves
# those two controls out, but a finding that names them still means CloudWatch.2 / .3.
CONTROLS: tuple[MetricFilterControl, ...] = (
    MetricFilterControl("CloudWatch.1", 'A log metric filter and alarm should exist for usage of the "root" user',
                        _cis(("1.1", "3.3"), ("1.7", "4.3")), "RootAccountUsage",
                        '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS '
                        '&& $.eventType !="AwsServiceEvent"}'),
    MetricFilterControl("CloudWatch.2", "Ensure a log metric filter and alarm exist for unauthorized API calls",
                        _cis(("3.1",), ("4.1",)), "UnauthorizedAPICalls",
                        '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}'),
    MetricFilterControl("CloudWatch.3",
                        "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA",
                        _cis(("3.2",), ("4.2",)), "ConsoleSigninWithoutMFA",
                        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") '
                        '&& ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'),
    MetricFilterControl("CloudWatch.4", "Ensure a log metric filter and alarm exist for IAM policy changes",
                        _cis(("3.4",), ("4.4",)), "IAMPolicyChanges",
                        "{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || "
                        "($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || "
                        "($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || "
                        "($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || "
                        "($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || "
                        "($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || "
                        "($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || "
                        "($.eventName=DetachGroupPolicy)}"),
    MetricFilterControl("CloudWatch.5",
                        "Ensure a log metric filter and alarm exist for CloudTrail AWS Configuration changes",
                        _cis(("3.5",), ("4.5",)), "CloudTrailChanges",
                        "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || "
                        "($.eventName=StartLogging) || ($.eventName=StopLogging)}"),
    MetricFilterControl("CloudWatch.6",
                        "Ensure a log metric filter and alarm exist for AWS Management Console authentication failures",
                        _cis(("3.6",), ("4.6",)), "ConsoleAuthenticationFailure",
                        '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}'),
    MetricFilterControl("CloudWatch.7", "Ensure a log metric filter and alarm exist for disabling or scheduled "
                                        "deletion of customer managed keys",
                        _cis(("3.7",), ("4.7",)), "DisableOrDeleteCMK",
                        "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || "
                        "($.eventName=ScheduleKeyDeletion))}"),
    MetricFilterControl("CloudWatch.8", "Ensure a log metric filter and alarm exist for S3 bucket policy changes",
                        _cis(("3.8",), ("4.8",)), "S3BucketPolicyChanges",
                        "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || "
                        "($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || "
                        "($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || "
                        "($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || "
                        "($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}"),
    MetricFilterControl("CloudWatch.9", "Ensure a log metric filter and alarm exist for AWS Config configuration changes",
                        _cis(("3.9",), ("4.9",)), "AWSConfigChanges",
                        "{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || "
                        "($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || "
                        "($.eventName=PutConfigurationRecorder))}"),
    MetricFilterControl("CloudWatch.10", "Ensure a log metric filter and alarm exist for security group changes",
                        _cis(("3.10",), ("4.10",)), "SecurityGroupChanges",
                        "{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || "
                        "($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || "
                        "($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}"),
    MetricFilterControl("CloudWatch.11",
                        "Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)",
                        _cis(("3.11",), ("4.11",)), "NetworkACLChanges",
                        "{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || "
                        "($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || "
                        "($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}"),
    MetricFilterControl("CloudWatch.12", "Ensure a log metric filter and alarm exist for changes to network gateways",
                        _cis(("3.12",), ("4.12",)), "NetworkGatewayChanges",
                        "{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || "
                        "($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || "
                        "($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}"),
    MetricFilterControl("CloudWatch.13", "Ensure a log metric filter and alarm exist for route table changes",
                        _cis(("3.13",), ("4.13",)), "RouteTableChanges",
                        "{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || "
                        "($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || "
                        "($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}"),
    MetricFilterControl("CloudWatch.14", "Ensure a log metric filter and alarm exist for VPC changes",
                        _cis(("3.14",), ("4.14",)), "VPCChanges",
                        "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || "
                        "($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || "
                        "($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || "
                        "($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || "
                        "($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}"),
)

API_CALLS = ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
             "logs:DescribeMetricFilters", "logs:PutMetricFilter", "logs:DeleteMetricFilter",
             "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm",
             "cloudwatch:DeleteAlarms", "sns:ListSubscriptionsByTopic", "sns:GetTopicAttributes", "sns:CreateTopic",
             "sns:DeleteTopic")

# What PutMetricAlarm takes back from a DescribeAlarms entry (rollback re-creates an alarm exactly).
_ALARM_FIELDS = ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
                 "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
                 "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
                 "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics",
                 "ThresholdMetricId")


def normalised_pattern(pattern: str) -> str:
    """The pattern without the spaces outside quoted strings (CIS versions space them differently)."""
    out, quoted = [], False
    for char in pattern:
        if char == '"':
            quoted = not quoted
        if quoted or not char.isspace():
            out.append(char)
    return "".join(out)


CIS_PATTERNS = {normalised_pattern(control.pattern) for control in CONTROLS}


@dataclass(frozen=True)
class LogGroup:
    name: str
    trail: str


def trail_log_group(member: Member) -> LogGroup | Plan:
    """The log group a multi-region logging trail (all management events) delivers to here,
    or a CANNOT plan saying why there is none."""
    trails = member.client("cloudtrail").describe_trails(includeShadowTrails=True)["trailList"]
    elsewhere = []
    for trail in trails:
        group_arn = trail.get("CloudWatchLogsLogGroupArn") or ""
        if not (trail.get("IsMultiRegionTrail") and group_arn):
            continue
        parts = group_arn.split(":")  # arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*
        if parts[3:5] != [member.region, member.account] or len(parts) < 7:
            elsewhere.append(f"{trail['Name']} -> {group_arn}")
        elif logs_all_management_events(member, trail) and is_logging(member, trail["TrailARN"]):
            return LogGroup(parts[6], trail["Name"])
    if elsewhere:
        return Plan(Decision.CANNOT, "the trail delivering to CloudWatch Logs writes to another account or region "
                                     f"({'; '.join(elsewhere)}): its metric filters belong there")
    return Plan(Decision.CANNOT, "no multi-region trail delivers to CloudWatch Logs; fix CloudTrail.5 first")


def _pages(client: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


def confirmed_subscribers(member: Member, topic_arn: str) -> int:
    sns = member.client("sns")
    try:
        subscriptions = list(_pages(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic_arn))
    except sns.exceptions.ClientError as exc:
        if is_error(exc, "NotFound", "AuthorizationError"):
            return 0  # a topic that is gone (or not readable from here) notifies no one we can see
        raise
    return sum(1 for s in subscriptions if s.get("SubscriptionArn", "").startswith("arn:"))


def topic_exists(member: Member, topic_arn: str) -> bool:
    sns = member.client("sns")
    try:
        sns.get_topic_attributes(TopicArn=topic_arn)
    except sns.exceptions.ClientError as exc:
        if is_error(exc, "NotFound"):
            return False
        raise
    return True


def subscribed_alarm_topics(member: Member, group: str, patterns: set[str]) -> Iterator[tuple[str, str]]:
    """(filter name, topic ARN) for each filter of the group with one of these (normalised) patterns
    whose metric has an alarm notifying an SNS topic with a confirmed subscriber."""
    logs, cloudwatch = member.client("logs"), member.client("cloudwatch")
    for metric_filter in _pages(logs, "describe_metric_filters", "metricFilters", logGroupName=group):
        if normalised_pattern(metric_filter.get("filterPattern", "")) not in patterns:
            continue
        for transformation in metric_filter.get("metricTransformations", []):
            alarms = cloudwatch.describe_alarms_for_metric(MetricName=transformation["metricName"],
                                                           Namespace=transformation["metricNamespace"])
            for alarm in alarms.get("MetricAlarms", []):
                if not alarm.get("ActionsEnabled", True):
                    continue  # an alarm with its actions off notifies no one
                for action in alarm.get("AlarmActions", []):
                    if action.split(":")[2:3] == ["sns"] and confirmed_subscribers(member, action):
                        yield str(metric_filter["filterName"]), action


def put_filter(member: Member, group: str, name: str, pattern: str, transformations: list[dict[str, Any]],
               *, replaces: bool) -> None:
    """Create or replace secpipe's named filter. AWS replaces a same-named filter in place, moto
    appends a second one; deleting our own filter first gives both the same end state."""
    logs = member.client("logs")
    if replaces:
        try:
            logs.delete_metric_filter(logGroupName=group, filterName=name)
        except logs.exceptions.ClientError as exc:
            if not is_error(exc, "ResourceNotFoundException"):
                raise
    logs.put_metric_filter(logGroupName=group, filterName=name, filterPattern=pattern,
                           metricTransformations=transformations)


def _puttable_alarm(alarm: Mapping[str, Any]) -> dict[str, Any]:
    return {key: alarm[key] for key in _ALARM_FIELDS if alarm.get(key) not in (None, [])}


class MetricFilterAlarm(Playbook):
    """One CloudWatch.N control; see the module docstring."""

    def __init__(self, control: MetricFilterControl, topic_name: str | None = None):
        self.control = control
        self._topic_name = topic_name
        # Per-instance metadata: the registry holds one instance per control id.
        self.meta = PlaybookMeta(  # type: ignore[misc]
            control_id=control.control_id, title=control.title, cis=control.cis, api_calls=API_CALLS,
            iam_actions=API_CALLS, destructive=False, resource_types=("AwsAccount",))

    @property
    def topic_name(self) -> str:
        return self._topic_name or os.environ.get(TOPIC_VARIABLE, "").strip() or DEFAULT_TOPIC

    @property
    def filter_name(self) -> str:
        return f"secpipe-cis-{self.control.metric_name}"

    @property
    def alarm_name(self) -> str:
        return f"secpipe-cis-{self.control.control_id}-{self.control.metric_name}"

    def _alarmed_filter(self, member: Member, group: str) -> str | None:
        """The name of a filter with this control's pattern whose metric alarms a subscribed topic."""
        wanted = {normalised_pattern(self.control.pattern)}
        return next((name for name, _ in subscribed_alarm_topics(member, group, wanted)), None)

    def _topic(self, member: Member, group: str) -> tuple[str, bool]:
        """(topic ARN, whether it exists): the subscribed topic the other CIS alarms of this log group
        already notify, so all of them reach the same people; else secpipe's topic."""
        for _, topic_arn in subscribed_alarm_topics(member, group, CIS_PATTERNS):
            return topic_arn, True
        topic_arn = f"arn:{member.partition}:sns:{member.region}:{member.account}:{self.topic_name}"
        return topic_arn, topic_exists(member, topic_arn)

    def plan(self, member: Member, target: Target) -> Plan:
        found = trail_log_group(member)
        if isinstance(found, Plan):
            return found
        name = self.control.metric_name
        compliant = self._alarmed_filter(member, found.name)
        if compliant:
            return Plan(Decision.COMPLIANT, f"log group {found.name} has the CIS {name} filter {compliant} "
                                            "with an alarm notifying a subscribed SNS topic")
        topic_arn, existed = self._topic(member, found.name)
        topic = topic_arn.rsplit(":", 1)[-1]
        previous_filter = next((f for f in _pages(member.client("logs"), "describe_metric_filters", "metricFilters",
                                                  logGroupName=found.name, filterNamePrefix=self.filter_name)
                                if f["filterName"] == self.filter_name), None)
        previous_alarm = next(iter(member.client("cloudwatch").describe_alarms(
            AlarmNames=[self.alarm_name]).get("MetricAlarms", [])), None)
        state = {"log_group": found.name, "filter_name": self.filter_name, "alarm_name": self.alarm_name,
                 "topic_arn": topic_arn, "topic_existed": existed,
                 "previous_filter": {k: previous_filter[k] for k in ("filterPattern", "metricTransformations")}
                 if previous_filter else None,
                 "previous_alarm": _puttable_alarm(previous_alarm) if previous_alarm else None}
        unheard = "" if existed and confirmed_subscribers(member, topic_arn) else \
            f"; topic {topic} has no confirmed subscriber yet, so the control passes only once one subscribes"
        return Plan(Decision.CHANGE, f"add CIS metric filter {self.filter_name} to log group {found.name} (trail "
                                     f"{found.trail}) and alarm {self.alarm_name} -> SNS {topic}{unheard}",
                    pre_state=state, change=state)

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        change = plan.change
        topic_arn = change["topic_arn"]
        if not change["topic_existed"]:
            topic_arn = member.client("sns").create_topic(Name=self.topic_name)["TopicArn"]  # idempotent by name
        metric = self.control.metric_name
        put_filter(member, change["log_group"], change["filter_name"], self.control.pattern,
                   [{"metricName": metric, "metricNamespace": NAMESPACE, "metricValue": "1"}],
                   replaces=change["previous_filter"] is not None)
        member.client("cloudwatch").put_metric_alarm(
            AlarmName=change["alarm_name"], AlarmDescription=f"secpipe: {self.control.title} ({self.control.control_id})",
            ActionsEnabled=True, AlarmActions=[topic_arn], MetricName=metric, Namespace=NAMESPACE, Statistic="Sum",
            Period=300, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching")
        unheard = "" if confirmed_subscribers(member, topic_arn) else " (no confirmed subscriber yet: subscribe one)"
        return (f"log group {change['log_group']}: CIS filter {change['filter_name']}, alarm {change['alarm_name']} "
                f"-> {topic_arn}{unheard}")

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        logs, cloudwatch, sns = member.client("logs"), member.client("cloudwatch"), member.client("sns")
        done = []
        if pre_state["previous_alarm"]:
            cloudwatch.put_metric_alarm(**pre_state["previous_alarm"])
            done.append(f"alarm {pre_state['alarm_name']} restored")
        else:
            cloudwatch.delete_alarms(AlarmNames=[pre_state["alarm_name"]])
            done.append(f"alarm {pre_state['alarm_name']} deleted")
        previous_filter = pre_state["previous_filter"]
        if previous_filter:
            put_filter(member, pre_state["log_group"], pre_state["filter_name"], previous_filter["filterPattern"],
                       previous_filter["metricTransformations"], replaces=True)
            done.append(f"filter {pre_state['filter_name']} restored")
        else:
            logs.delete_metric_filter(logGroupName=pre_state["log_group"], filterName=pre_state["filter_name"])
            done.append(f"filter {pre_state['filter_name']} deleted")
        topic = pre_state["topic_arn"]
        if not pre_state["topic_existed"] and topic_exists(member, topic):
            # The topic is shared by the 14 controls: it goes only when nothing uses or hears it any more.
            in_use = any(topic in alarm.get("AlarmActions", [])
                         for alarm in _pages(cloudwatch, "describe_alarms", "MetricAlarms"))
            if not in_use and not confirmed_subscribers(member, topic):
                sns.delete_topic(TopicArn=topic)
                done.append(f"topic {topic} deleted")
        return "; ".join(done)


for _control in CONTROLS:
    PLAYBOOKS.add(MetricFilterAlarm(_control))
