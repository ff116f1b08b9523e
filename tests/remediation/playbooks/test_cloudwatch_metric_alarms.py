"""CloudWatch.1-14: CIS metric filter + alarm + subscribed SNS topic (moto, through assume_role)."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.playbooks.cloudwatch_metric_alarms import normalised_pattern
from pipeline.remediation.registry import PLAYBOOKS

CLOUDWATCH_CONTROLS = [f"CloudWatch.{n}" for n in range(1, 15)]
GROUP = "member-trail-events"
TOPIC = "secpipe-cis-alarms"


@pytest.fixture
def trail_to_logs(member):
    """A multi-region, logging trail delivering to GROUP in the member account."""
    member.client("s3").create_bucket(Bucket="member-trail-bucket")
    member.client("logs").create_log_group(logGroupName=GROUP)
    role = member.client("iam").create_role(RoleName="trail-to-logs", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "cloudtrail.amazonaws.com"}}]}))
    cloudtrail = member.client("cloudtrail")
    cloudtrail.create_trail(
        Name="member-trail", S3BucketName="member-trail-bucket", IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{member.account}:log-group:{GROUP}:*",
        CloudWatchLogsRoleArn=role["Role"]["Arn"])
    cloudtrail.start_logging(Name="member-trail")
    return GROUP


def subscribe_queue(member, topic_arn):
    sqs = member.client("sqs")
    url = sqs.create_queue(QueueName="security-team")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    member.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)


@pytest.fixture
def subscribed_topic(member):
    topic_arn = member.client("sns").create_topic(Name=TOPIC)["TopicArn"]
    subscribe_queue(member, topic_arn)
    return topic_arn


def account_target(target_for, member, control_id):
    return target_for(control_id, f"AWS::::Account:{member.account}", "AwsAccount")


@pytest.mark.parametrize("control_id", CLOUDWATCH_CONTROLS)
def test_adds_the_cis_filter_and_an_alarm_then_rolls_them_back(member, target_for, trail_to_logs,
                                                               subscribed_topic, control_id):
    playbook = PLAYBOOKS.get(control_id)
    target = account_target(target_for, member, control_id)
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE, plan.summary
    assert json.loads(json.dumps(plan.pre_state)) == plan.pre_state  # the engine's record is JSON
    assert playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert playbook.plan(member, target).decision is Decision.COMPLIANT

    logs, cloudwatch = member.client("logs"), member.client("cloudwatch")
    [metric_filter] = logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert metric_filter["filterPattern"] == playbook.control.pattern
    [transformation] = metric_filter["metricTransformations"]
    [alarm] = cloudwatch.describe_alarms_for_metric(MetricName=transformation["metricName"],
                                                    Namespace=transformation["metricNamespace"])["MetricAlarms"]
    assert alarm["AlarmActions"] == [subscribed_topic]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1.0, "GreaterThanOrEqualToThreshold")

    playbook.rollback(member, target, plan.pre_state)
    assert logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"] == []
    assert cloudwatch.describe_alarms()["MetricAlarms"] == []
    assert member.client("sns").get_topic_attributes(TopicArn=subscribed_topic)  # it was there before: kept


def test_the_fourteen_controls_each_have_their_own_pattern_and_metric():
    playbooks = [PLAYBOOKS.get(control_id) for control_id in CLOUDWATCH_CONTROLS]
    assert len({normalised_pattern(p.control.pattern) for p in playbooks}) == 14
    assert len({p.control.metric_name for p in playbooks}) == 14
    assert all(p.meta.control_id == p.control.control_id for p in playbooks)


def test_without_a_subscriber_the_alarm_is_made_but_not_verified(member, target_for, trail_to_logs):
    playbook = PLAYBOOKS.get("CloudWatch.4")
    target = account_target(target_for, member, "CloudWatch.4")
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE and "no confirmed subscriber" in plan.summary
    assert "subscribe one" in playbook.apply(member, target, plan)
    assert not playbook.verify(member, target)
    topic_arn = f"arn:aws:sns:us-east-1:{member.account}:{TOPIC}"
    subscribe_queue(member, topic_arn)
    assert playbook.verify(member, target)


def test_rollback_deletes_the_topic_it_created_once_nothing_uses_it(member, target_for, trail_to_logs):
    first, second = PLAYBOOKS.get("CloudWatch.1"), PLAYBOOKS.get("CloudWatch.2")
    target1, target2 = (account_target(target_for, member, c) for c in ("CloudWatch.1", "CloudWatch.2"))
    plan1 = first.plan(member, target1)
    first.apply(member, target1, plan1)
    plan2 = second.plan(member, target2)
    second.apply(member, target2, plan2)
    topic_arn = plan1.pre_state["topic_arn"]
    assert (plan1.pre_state["topic_existed"], plan2.pre_state["topic_existed"]) == (False, True)
    assert "topic" not in second.rollback(member, target2, plan2.pre_state)  # it was there before CloudWatch.2
    assert f"topic {topic_arn} deleted" in first.rollback(member, target1, plan1.pre_state)
    assert member.client("sns").list_topics()["Topics"] == []


def test_rollback_keeps_a_created_topic_another_alarm_still_uses(member, target_for, trail_to_logs):
    first, second = PLAYBOOKS.get("CloudWatch.1"), PLAYBOOKS.get("CloudWatch.2")
    target1, target2 = (account_target(target_for, member, c) for c in ("CloudWatch.1", "CloudWatch.2"))
    plan1 = first.plan(member, target1)
    first.apply(member, target1, plan1)
    second.apply(member, target2, second.plan(member, target2))
    assert "topic" not in first.rollback(member, target1, plan1.pre_state)
    assert member.client("sns").list_topics()["Topics"] == [{"TopicArn": plan1.pre_state["topic_arn"]}]


def test_an_existing_cis_filter_spaced_differently_counts(member, target_for, trail_to_logs, subscribed_topic):
    member.client("logs").put_metric_filter(
        logGroupName=GROUP, filterName="team-root-usage",
        filterPattern='{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
                      '&& $.eventType != "AwsServiceEvent" }',
        metricTransformations=[{"metricName": "RootUse", "metricNamespace": "Team", "metricValue": "1"}])
    member.client("cloudwatch").put_metric_alarm(
        AlarmName="team-root", MetricName="RootUse", Namespace="Team", Statistic="Sum", Period=300,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[subscribed_topic])
    plan = PLAYBOOKS.get("CloudWatch.1").plan(member, account_target(target_for, member, "CloudWatch.1"))
    assert plan.decision is Decision.COMPLIANT and "team-root-usage" in plan.summary


def test_a_filter_with_extra_terms_does_not_count(member, target_for, trail_to_logs, subscribed_topic):
    member.client("logs").put_metric_filter(
        logGroupName=GROUP, filterName="team-vpc",
        filterPattern="{($.eventName=CreateVpc) || ($.eventName=DeleteVpc)}",
        metricTransformations=[{"metricName": "Vpc", "metricNamespace": "Team", "metricValue": "1"}])
    member.client("cloudwatch").put_metric_alarm(
        AlarmName="team-vpc", MetricName="Vpc", Namespace="Team", Statistic="Sum", Period=300,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[subscribed_topic])
    plan = PLAYBOOKS.get("CloudWatch.14").plan(member, account_target(target_for, member, "CloudWatch.14"))
    assert plan.decision is Decision.CHANGE


@pytest.mark.parametrize("control_id", ["CloudWatch.1", "CloudWatch.14"])
def test_no_trail_delivering_to_cloudwatch_logs_means_cloudtrail_5_first(member, target_for, control_id):
    member.client("s3").create_bucket(Bucket="member-trail-bucket")
    member.client("cloudtrail").create_trail(Name="no-logs", S3BucketName="member-trail-bucket",
                                             IsMultiRegionTrail=True)
    member.client("cloudtrail").start_logging(Name="no-logs")
    plan = PLAYBOOKS.get(control_id).plan(member, account_target(target_for, member, control_id))
    assert plan.decision is Decision.CANNOT
    assert plan.summary == "no multi-region trail delivers to CloudWatch Logs; fix CloudTrail.5 first"


def test_a_stopped_trail_does_not_count(member, target_for, trail_to_logs):
    member.client("cloudtrail").stop_logging(Name="member-trail")
    plan = PLAYBOOKS.get("CloudWatch.5").plan(member, account_target(target_for, member, "CloudWatch.5"))
    assert plan.decision is Decision.CANNOT and "CloudTrail.5" in plan.summary


def test_rollback_restores_a_filter_and_alarm_of_the_same_name_exactly(member, target_for, trail_to_logs,
                                                                       subscribed_topic):
    logs, cloudwatch = member.client("logs"), member.client("cloudwatch")
    old_filter = {"filterPattern": "{($.eventName=CreateVpc)}",
                  "metricTransformations": [{"metricName": "OldVpc", "metricNamespace": "Team", "metricValue": "1"}]}
    logs.put_metric_filter(logGroupName=GROUP, filterName="secpipe-cis-VPCChanges", **old_filter)
    cloudwatch.put_metric_alarm(AlarmName="secpipe-cis-CloudWatch.14-VPCChanges", MetricName="OldVpc",
                                Namespace="Team", Statistic="Sum", Period=60, EvaluationPeriods=3, Threshold=5,
                                ComparisonOperator="GreaterThanThreshold")
    playbook = PLAYBOOKS.get("CloudWatch.14")
    target = account_target(target_for, member, "CloudWatch.14")
    plan = playbook.plan(member, target)
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    playbook.rollback(member, target, json.loads(json.dumps(plan.pre_state)))  # as the engine's record gives it
    [restored] = logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert {k: restored[k] for k in old_filter} == old_filter
    [alarm] = cloudwatch.describe_alarms(AlarmNames=["secpipe-cis-CloudWatch.14-VPCChanges"])["MetricAlarms"]
    assert (alarm["MetricName"], alarm["Period"], alarm["Threshold"], alarm["AlarmActions"]) == ("OldVpc", 60, 5.0, [])


def test_the_topic_other_cis_alarms_already_notify_is_reused(member, target_for, trail_to_logs):
    team_topic = member.client("sns").create_topic(Name="security-team-alerts")["TopicArn"]
    subscribe_queue(member, team_topic)
    member.client("logs").put_metric_filter(
        logGroupName=GROUP, filterName="team-cloudtrail-changes", filterPattern=PLAYBOOKS.get("CloudWatch.5").control.pattern,
        metricTransformations=[{"metricName": "TrailChanges", "metricNamespace": "Team", "metricValue": "1"}])
    member.client("cloudwatch").put_metric_alarm(
        AlarmName="team-trail", MetricName="TrailChanges", Namespace="Team", Statistic="Sum", Period=300,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[team_topic])
    playbook = PLAYBOOKS.get("CloudWatch.9")
    target = account_target(target_for, member, "CloudWatch.9")
    plan = playbook.plan(member, target)
    assert plan.summary.endswith("-> SNS security-team-alerts")
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    [alarm] = member.client("cloudwatch").describe_alarms(AlarmNames=[playbook.alarm_name])["MetricAlarms"]
    assert alarm["AlarmActions"] == [team_topic]
    assert [t["TopicArn"] for t in member.client("sns").list_topics()["Topics"]] == [team_topic]
    playbook.rollback(member, target, plan.pre_state)
    assert [t["TopicArn"] for t in member.client("sns").list_topics()["Topics"]] == [team_topic]


def test_an_alarm_with_its_actions_off_does_not_count(member, target_for, trail_to_logs, subscribed_topic):
    playbook = PLAYBOOKS.get("CloudWatch.6")
    target = account_target(target_for, member, "CloudWatch.6")
    playbook.apply(member, target, playbook.plan(member, target))
    assert playbook.verify(member, target)
    member.client("cloudwatch").disable_alarm_actions(AlarmNames=[playbook.alarm_name])
    assert playbook.plan(member, target).decision is Decision.CHANGE


def test_the_operators_topic_from_the_environment_receives_the_alarm(member, target_for, trail_to_logs,
                                                                      monkeypatch):
    topic_arn = member.client("sns").create_topic(Name="security-team-pager")["TopicArn"]
    subscribe_queue(member, topic_arn)
    monkeypatch.setenv("SECPIPE_CIS_ALARM_TOPIC", "security-team-pager")
    playbook = PLAYBOOKS.get("CloudWatch.1")
    target = account_target(target_for, member, "CloudWatch.1")
    playbook.apply(member, target, playbook.plan(member, target))
    assert playbook.verify(member, target)
    alarms = member.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert [alarm["AlarmActions"] for alarm in alarms] == [[topic_arn]]
    topics = [t["TopicArn"] for t in member.client("sns").list_topics()["Topics"]]
    assert topics == [topic_arn]  # no secpipe-cis-alarms topic was made
