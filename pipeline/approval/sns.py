"""Approval email through an SNS topic (the pipeline's manual-approval topic).

SNS limits: Subject is ASCII without line breaks and under 100 characters; the
message is at most 256 KB (262,144 bytes) of UTF-8. Email subscribers receive the
text part, so that is what is published; it is cut with a marker if it is too big.
"""
from __future__ import annotations

import argparse
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.approval.base import DeliveryError, Notifier, register
from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from reports.email import ApprovalEmail

SUBJECT_MAX = 99
MESSAGE_MAX_BYTES = 262_144
_CUT_MARKER = "\n\n[message cut to the SNS size limit; see the full report]\n"
_TOPIC_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$")


def sns_subject(subject: str) -> str:
    """Printable ASCII, one line, under 100 characters."""
    text = subject.replace("…", "...")
    text = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in " ".join(text.split()))
    return text if len(text) <= SUBJECT_MAX else text[: SUBJECT_MAX - 3].rstrip() + "..."


def sns_message(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= MESSAGE_MAX_BYTES:
        return text
    room = MESSAGE_MAX_BYTES - len(_CUT_MARKER.encode("utf-8"))
    return data[:room].decode("utf-8", "ignore") + _CUT_MARKER


@register
@dataclass
class SnsNotifier(Notifier):
    name = "sns"
    topic_arn: str
    region: str
    endpoint_url: str | None = None

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("--via sns")
        group.add_argument("--topic-arn", help="ARN of the SNS topic (its region is used)")
        group.add_argument("--endpoint-url", help="SNS endpoint (only for a local emulator)")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SnsNotifier:
        if not args.topic_arn:
            raise ConfigError("--via sns needs --topic-arn")
        match = _TOPIC_ARN.match(args.topic_arn)
        if not match:
            raise ConfigError(f"--topic-arn is not an SNS topic ARN: {args.topic_arn!r}")
        return cls(topic_arn=args.topic_arn, region=match.group(2), endpoint_url=args.endpoint_url)

    def send(self, email: ApprovalEmail) -> str:
        import boto3  # imported on use: every `secpipe` command builds this parser
        from botocore.exceptions import BotoCoreError, ClientError

        client = boto3.client("sns", region_name=self.region, endpoint_url=self.endpoint_url)
        request = {"TopicArn": self.topic_arn, "Subject": sns_subject(email.subject), "Message": sns_message(email.text)}
        if self.topic_arn.endswith(".fifo"):
            # FIFO topics need a group; the content hash makes a retried send of the same summary a duplicate.
            request["MessageGroupId"] = "secpipe-approval"
            request["MessageDeduplicationId"] = hashlib.sha256(request["Message"].encode()).hexdigest()
        try:
            response = client.publish(**request)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise DeliveryError(f"SNS publish to {self.topic_arn} failed: {error.get('Code')}: {error.get('Message')}") from None
        except BotoCoreError as exc:
            raise DeliveryError(f"SNS publish to {self.topic_arn} failed: {exc}") from None
        return f"published to {self.topic_arn} (MessageId {response['MessageId']})"
