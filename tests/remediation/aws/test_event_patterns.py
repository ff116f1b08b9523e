"""The Security account's EventBridge rules, as the template writes them, against sample
events of every finding shape: the matcher (event_pattern.py) agrees with moto's
EventBridge wherever moto can judge, then judges the real, array-shaped events.

moto's TestEventPattern answers nothing (not implemented), so "moto's judgement" here is
its rule matching: a rule with the pattern, an SQS target, PutEvents, and whether the
event arrived."""
from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import boto3
import pytest

from tests.aws_files import load_template
from tests.remediation.aws.conftest import MEMBER_ACCOUNT, SECURITY_ACCOUNT, properties
from tests.remediation.aws.event_pattern import matches
from tests.remediation.aws.samples import REGION, cis_1_2, consolidated, event, standard_specific

BUCKET = "arn:aws:s3:::member-bucket"
ACTION_ARN = f"arn:aws:securityhub:{REGION}:{SECURITY_ACCOUNT}:action/custom/Remediate"
SCOPE = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": SECURITY_ACCOUNT,
         "RemediateAction.ActionTargetArn": ACTION_ARN}


def _pattern(logical: str) -> dict[str, Any]:
    return properties(load_template("remediation-security-account.yaml"), logical, SCOPE, "EventPattern")["EventPattern"]


SHAPES = {
    "consolidated CIS 1.4.0": consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket"),
    "consolidated CIS 3.0.0": consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket",
                                           standard="standards/cis-aws-foundations-benchmark/v/3.0.0"),
    "consolidated CIS 1.2.0": consolidated(MEMBER_ACCOUNT, "CloudTrail.4", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                                           "AwsCloudTrailTrail", standard="ruleset/cis-aws-foundations-benchmark/v/1.2.0"),
    "standard-specific CIS 1.4.0": standard_specific(MEMBER_ACCOUNT, "1.4.0", "2.1.5.2", BUCKET, "AwsS3Bucket"),
    "standard-specific CIS 3.0.0": standard_specific(MEMBER_ACCOUNT, "3.0.0", "2.1.4", BUCKET, "AwsS3Bucket"),
    "CIS 1.2.0 ruleset": cis_1_2(MEMBER_ACCOUNT, "2.2", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                                 "AwsCloudTrailTrail"),
    "CIS 1.2.0 GeneratorId only": {**cis_1_2(MEMBER_ACCOUNT, "2.2", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                                             "AwsCloudTrailTrail"), "ProductFields": {}},
    "WARNING": consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket",
                            Compliance={"Status": "WARNING", "SecurityControlId": "S3.8",
                                        "AssociatedStandards": [{"StandardsId": "standards/cis-aws-foundations-benchmark/v/1.4.0"}]}),
}
NOT_ACTED_ON = {
    "PASSED": consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket",
                           Compliance={"Status": "PASSED", "SecurityControlId": "S3.8",
                                       "AssociatedStandards": [{"StandardsId": "standards/cis-aws-foundations-benchmark/v/1.4.0"}]}),
    "ARCHIVED": consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket", RecordState="ARCHIVED"),
    "already NOTIFIED": consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket", Workflow={"Status": "NOTIFIED"}),
    "RESOLVED": standard_specific(MEMBER_ACCOUNT, "1.4.0", "2.1.5.2", BUCKET, "AwsS3Bucket", Workflow={"Status": "RESOLVED"}),
    "best practice only": consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket",
                                       standard="standards/aws-foundational-security-best-practices/v/1.0.0"),
    "best-practice standard finding": {
        **standard_specific(MEMBER_ACCOUNT, "1.4.0", "2.1.5.2", BUCKET, "AwsS3Bucket"),
        "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/S3.8",
        "ProductFields": {"StandardsControlArn": f"arn:aws:securityhub:{REGION}:{MEMBER_ACCOUNT}:control/"
                                                 "aws-foundational-security-best-practices/v/1.0.0/S3.8"}},
}


def _imported(finding: dict[str, Any]) -> dict[str, Any]:
    return event([finding], SECURITY_ACCOUNT)


def _moto_readable(sample: dict[str, Any]) -> dict[str, Any]:
    """The same event with `detail.findings` one object and every array of one object an
    object: the form in which moto's matcher reads nested fields (the pattern does not change)."""
    def unwrap(node: Any) -> Any:
        if isinstance(node, list) and len(node) == 1 and isinstance(node[0], dict):
            return unwrap(node[0])
        if isinstance(node, dict):
            return {key: unwrap(value) for key, value in node.items()}
        return node
    readable = copy.deepcopy(sample)
    readable["detail"] = unwrap(readable["detail"])
    return readable


@pytest.fixture
def moto_events(moto_aws):
    return boto3.client("events", region_name=REGION)


def _moto_delivers(pattern: dict[str, Any], sample: dict[str, Any]) -> bool:
    events, sqs = boto3.client("events", region_name=REGION), boto3.client("sqs", region_name=REGION)
    name = f"under-test-{uuid.uuid4().hex[:12]}"  # a rule and queue of its own: no earlier event is seen
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": arn}])
    reply = events.put_events(Entries=[{"Source": sample["source"], "DetailType": sample["detail-type"],
                                        "Resources": sample["resources"], "Detail": json.dumps(sample["detail"])}])
    assert reply["FailedEntryCount"] == 0
    return bool(sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"))


@pytest.mark.parametrize("name", [*SHAPES, *NOT_ACTED_ON])
def test_the_matcher_agrees_with_moto_where_moto_can_read_the_event(moto_events, name: str) -> None:
    pattern = _pattern("ImportedFindingsRule")
    sample = _moto_readable(_imported({**SHAPES, **NOT_ACTED_ON}[name]))
    moto_says = _moto_delivers(pattern, sample)
    assert matches(pattern, sample) is moto_says
    assert moto_says is (name in SHAPES)


def test_the_matcher_agrees_with_moto_on_the_custom_action_rule(moto_events) -> None:
    pattern = _pattern("RemediateActionRule")
    for resources, expected in (([ACTION_ARN], True), ([ACTION_ARN.replace("/Remediate", "/Ticket")], False)):
        sample = event([SHAPES["consolidated CIS 1.4.0"]], SECURITY_ACCOUNT, "Security Hub Findings - Custom Action",
                       resources=resources)
        assert _moto_delivers(pattern, sample) is expected
        assert matches(pattern, sample) is expected


def test_moto_accepts_both_rules(moto_events) -> None:
    for logical in ("ImportedFindingsRule", "RemediateActionRule"):
        moto_events.put_rule(Name=logical, EventPattern=json.dumps(_pattern(logical)))
    assert {rule["Name"] for rule in moto_events.list_rules()["Rules"]} == {"ImportedFindingsRule", "RemediateActionRule"}


@pytest.mark.parametrize("name", SHAPES)
def test_imported_cis_findings_of_every_shape_start_the_state_machine(name: str) -> None:
    assert matches(_pattern("ImportedFindingsRule"), _imported(SHAPES[name]))


@pytest.mark.parametrize("name", NOT_ACTED_ON)
def test_findings_that_are_not_active_failed_new_cis_do_not(name: str) -> None:
    assert not matches(_pattern("ImportedFindingsRule"), _imported(NOT_ACTED_ON[name]))


def test_the_custom_action_rule_takes_only_the_remediate_action() -> None:
    pattern = _pattern("RemediateActionRule")
    chosen = [SHAPES["consolidated CIS 1.4.0"], NOT_ACTED_ON["already NOTIFIED"]]
    assert matches(pattern, event(chosen, SECURITY_ACCOUNT, "Security Hub Findings - Custom Action",
                                  resources=[ACTION_ARN], actionName="Remediate", actionDescription="x"))
    other = ACTION_ARN.replace("/Remediate", "/Ticket")
    assert not matches(pattern, event(chosen, SECURITY_ACCOUNT, "Security Hub Findings - Custom Action",
                                      resources=[other]))
    assert not matches(pattern, _imported(SHAPES["consolidated CIS 1.4.0"]))


def test_the_matcher_reads_arrays_of_objects_as_eventbridge_does() -> None:
    pattern = {"detail": {"findings": {"Compliance": {"Status": ["FAILED"]}}}}
    two = event([NOT_ACTED_ON["PASSED"], SHAPES["consolidated CIS 1.4.0"]], SECURITY_ACCOUNT)
    assert matches(pattern, two)  # any element's value counts
    assert not matches(pattern, event([NOT_ACTED_ON["PASSED"]], SECURITY_ACCOUNT))
    assert matches({"detail": {"findings": {"Note": [{"exists": False}]}}}, two)
    assert matches({"detail": {"findings": {"Id": [{"prefix": "arn:aws:securityhub:"}]}}}, two)
    assert not matches({"detail": {"findings": {"Id": [{"wildcard": "arn:*:nothing/*"}]}}}, two)
