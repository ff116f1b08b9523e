"""`approval send --via sns` against moto's SNS, with an SQS subscriber to read what was published."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pipeline.approval.sns import MESSAGE_MAX_BYTES, SUBJECT_MAX, sns_message, sns_subject
from pipeline.cli import main


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def _topic_with_queue(region: str) -> tuple[str, str]:
    sns = boto3.client("sns", region_name=region)
    sqs = boto3.client("sqs", region_name=region)
    topic_arn = sns.create_topic(Name="secpipe-approval")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="approval-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


def test_publishes_subject_and_text_to_the_topic(aws, summary_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    topic_arn, queue_url = _topic_with_queue("eu-west-1")
    assert ":eu-west-1:" in topic_arn
    code = main(["approval", "send", "--via", "sns", "--topic-arn", topic_arn, "--summary", str(summary_path)])
    assert code == 0
    assert f"published to {topic_arn} (MessageId " in capsys.readouterr().out
    messages = boto3.client("sqs", region_name="eu-west-1").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    notification = json.loads(messages[0]["Body"])
    assert notification["TopicArn"] == topic_arn
    assert notification["Subject"] == "[secpipe] FAILED: demo-repo@main abc123de (2 critical, 1 high)"
    assert notification["Message"].startswith("secpipe security scan: FAILED\n")
    assert "WARNING: 2 tool run(s) did not complete" in notification["Message"]
    assert "securityhub/home?region=eu-west-1#/findings" in notification["Message"]


def test_unknown_topic_is_a_one_line_delivery_error(aws, summary_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["approval", "send", "--via", "sns", "--topic-arn", "arn:aws:sns:us-east-1:123456789012:missing",
                 "--summary", str(summary_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("secpipe: error: SNS publish to arn:aws:sns:us-east-1:123456789012:missing failed: NotFound")
    assert err.count("\n") == 1


@pytest.mark.parametrize("argv, message", [
    (["--via", "sns"], "--via sns needs --topic-arn"),
    (["--via", "sns", "--topic-arn", "arn:aws:sqs:us-east-1:123456789012:q"], "is not an SNS topic ARN"),
])
def test_bad_options_exit_2(summary_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(["approval", "send", *argv, "--summary", str(summary_path)]) == 2
    assert message in capsys.readouterr().err


def test_missing_summary_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["approval", "send", "--via", "sns", "--topic-arn", "arn:aws:sns:us-east-1:123456789012:t",
                 "--summary", str(tmp_path / "nope.json")])
    assert code == 2 and "nope.json: cannot read" in capsys.readouterr().err


def test_subject_is_ascii_and_under_100_characters() -> None:
    subject = sns_subject("[secpipe] FAILED: répo@feature/ünïcode\nline " + "x" * 200 + "…")
    assert len(subject) == SUBJECT_MAX and subject.isascii() and "\n" not in subject
    assert subject.startswith("[secpipe] FAILED: r?po@feature/?n?code line xx") and subject.endswith("...")


def test_message_is_cut_to_256_kb_on_a_character_boundary() -> None:
    text = "é" * 200_000  # 400,000 bytes
    message = sns_message(text)
    assert len(message.encode("utf-8")) <= MESSAGE_MAX_BYTES
    assert message.endswith("[message cut to the SNS size limit; see the full report]\n")
    assert sns_message("short") == "short"


def test_dry_run_prints_without_sending(summary_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["approval", "send", "--via", "sns", "--topic-arn", "arn:aws:sns:us-east-1:123456789012:t",
                 "--summary", str(summary_path), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("Subject: [secpipe] FAILED: demo-repo@main") and "Top findings:" in out


def test_fifo_topic_gets_a_group_and_deduplication_id(aws, summary_path: Path) -> None:
    sns = boto3.client("sns", region_name="us-east-1")
    topic_arn = sns.create_topic(Name="approval.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName="inbox.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    assert main(["approval", "send", "--via", "sns", "--topic-arn", topic_arn, "--summary", str(summary_path)]) == 0
    [message] = sqs.receive_message(QueueUrl=queue_url, AttributeNames=["MessageGroupId"])["Messages"]
    assert message["Attributes"]["MessageGroupId"] == "secpipe-approval"
    assert json.loads(message["Body"])["Message"].startswith("secpipe security scan: FAILED")
