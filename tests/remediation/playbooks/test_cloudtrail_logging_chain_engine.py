"""The logging chain through the real engine, in the member account (moto, through assume_role):
CloudTrail.1 and Config.1 on a fresh account, then CloudTrail.5, then the CloudWatch alarms that
need it; findings in all three Security Hub shapes; a second run changes nothing; rollback from
the run record."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.engine import Engine, EngineOptions
from pipeline.remediation.guards import SQLiteStateStore
from pipeline.remediation.outcome import OutcomeKind
from pipeline.remediation.playbook import Decision, Target
from pipeline.remediation.records import rollback
from pipeline.remediation.registry import PLAYBOOKS
from tests.remediation.findings import cis_standard, cis_v12, consolidated


class TheMember:
    """The engine's session source: every finding here is in the one member account."""

    def __init__(self, member):
        self.member = member

    def get(self, account, region, partition):
        assert (account, region, partition) == (self.member.account, self.member.region, self.member.partition)
        return self.member


@pytest.fixture
def engine(member, tmp_path):
    options = EngineOptions(records_dir=tmp_path / "records", state=SQLiteStateStore(tmp_path / "state.sqlite3"),
                            sleep=lambda seconds: None, loop_threshold=100)
    return Engine(options, TheMember(member))


def outcomes(engine, findings):
    return [(o.control_id, o.outcome) for o in engine.run(findings)]


def test_the_logging_chain_is_fixed_in_order_verified_and_rolled_back(member, engine, tmp_path):
    account = f"AWS::::Account:{member.account}"
    alarms = [cis_standard("1.4.0", "4.3", account, "AwsAccount"), cis_v12("3.1", account, "AwsAccount")]

    skipped = engine.run(alarms[:1])
    assert [o.outcome for o in skipped] == [OutcomeKind.SKIPPED]
    assert "fix CloudTrail.5 first" in skipped[0].detail

    assert outcomes(engine, [cis_v12("2.1", account, "AwsAccount"), consolidated("Config.1", account, "AwsAccount")]) \
        == [("CloudTrail.1", OutcomeKind.REMEDIATED), ("Config.1", OutcomeKind.REMEDIATED)]

    [trail] = member.client("cloudtrail").describe_trails()["trailList"]
    trail_findings = [cis_v12("2.4", trail["TrailARN"], "AwsCloudTrailTrail"),
                      consolidated("CloudTrail.4", trail["TrailARN"], "AwsCloudTrailTrail")]
    assert outcomes(engine, trail_findings) == [("CloudTrail.5", OutcomeKind.REMEDIATED),
                                                ("CloudTrail.4", OutcomeKind.ALREADY_COMPLIANT)]

    # someone subscribes to the CIS topic secpipe uses (no subscriber: the alarms fail verification)
    topic = member.client("sns").create_topic(Name="secpipe-cis-alarms")["TopicArn"]
    queue = member.client("sqs").create_queue(QueueName="security-team")["QueueUrl"]
    queue_arn = member.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    member.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    assert outcomes(engine, alarms) == [("CloudWatch.1", OutcomeKind.REMEDIATED),
                                        ("CloudWatch.2", OutcomeKind.REMEDIATED)]

    everything = [cis_v12("2.1", account, "AwsAccount"), consolidated("Config.1", account, "AwsAccount"),
                  *trail_findings, *alarms]
    assert {kind for _, kind in outcomes(engine, everything)} == {OutcomeKind.ALREADY_COMPLIANT}

    records = [json.loads(path.read_text()) | {"path": path} for path in (tmp_path / "records").glob("*.json")]
    [cloudwatch_1] = [r for r in records if r["control_id"] == "CloudWatch.1"]
    assert "deleted" in rollback(cloudwatch_1["path"], TheMember(member))
    unfixed = Target(control_id="CloudWatch.1", account=member.account, region=member.region,
                     partition=member.partition, resource_id=account, resource_type="AwsAccount")
    assert PLAYBOOKS.get("CloudWatch.1").plan(member, unfixed).decision is Decision.CHANGE
    [again] = engine.run([cis_standard("1.4.0", "4.3", account, "AwsAccount")])
    assert again.outcome is OutcomeKind.REMEDIATED  # broken again by the rollback, fixed again
