"""Config.1: AWS Config records every supported resource type (and global ones) in this region.

What exists is kept and completed, never replaced: a stopped recorder is started, a recorder
that records only some types is widened (same name, same role), a missing delivery channel
gets a secpipe bucket. Only when there is no recorder at all does secpipe create one, with
Config's service-linked role. Control Tower's recorder (`aws-controltower-*`) is CANNOT.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookError, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.playbooks._s3_common import (
    BUCKET_SETUP_API_CALLS,
    BUCKET_SETUP_IAM_ACTIONS,
    bucket_exists,
    create_log_bucket,
    delete_bucket_if_empty,
)
from pipeline.remediation.registry import PLAYBOOKS

CONTROL_TOWER_PREFIX = "aws-controltower"
DEFAULT_NAME = "default"
RECORD_EVERYTHING = {"allSupported": True, "includeGlobalResourceTypes": True}
CONFIG_ROLE_NAME = "AWSServiceRoleForConfig"


def config_bucket(member: Member) -> str:
    return f"secpipe-config-{member.account}-{member.region}"


def config_bucket_statements(member: Member, bucket: str) -> list[dict[str, Any]]:
    bucket_arn = f"arn:{member.partition}:s3:::{bucket}"
    service = {"Service": "config.amazonaws.com"}
    this_account = {"aws:SourceAccount": member.account}
    return [
        {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow", "Principal": service,
         "Action": "s3:GetBucketAcl", "Resource": bucket_arn, "Condition": {"StringEquals": this_account}},
        {"Sid": "AWSConfigBucketExistenceCheck", "Effect": "Allow", "Principal": service,
         "Action": "s3:ListBucket", "Resource": bucket_arn, "Condition": {"StringEquals": this_account}},
        {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow", "Principal": service, "Action": "s3:PutObject",
         "Resource": f"{bucket_arn}/AWSLogs/{member.account}/Config/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **this_account}}},
    ]


def records_everything(recorder: Mapping[str, Any] | None) -> bool:
    group = (recorder or {}).get("recordingGroup") or {}
    return bool(group.get("allSupported")) and bool(group.get("includeGlobalResourceTypes"))


def puttable_recorder(recorder: Mapping[str, Any]) -> dict[str, Any]:
    """What PutConfigurationRecorder takes back from a described recorder (newer replies add
    read-only members such as `arn` that it refuses)."""
    return {key: recorder[key] for key in ("name", "roleARN", "recordingGroup", "recordingMode") if key in recorder}


def config_role_arn(member: Member) -> str:
    """Config's service-linked role, created when the account has none yet."""
    iam = member.client("iam")
    try:
        return str(iam.get_role(RoleName=CONFIG_ROLE_NAME)["Role"]["Arn"])
    except iam.exceptions.ClientError as exc:
        if not is_error(exc, "NoSuchEntity"):
            raise
    try:
        return str(iam.create_service_linked_role(AWSServiceName="config.amazonaws.com")["Role"]["Arn"])
    except iam.exceptions.ClientError as exc:
        raise PlaybookError(f"cannot create the AWS Config service-linked role in {member.account}: {exc}") from exc


@PLAYBOOKS.register
class ConfigRecorder(Playbook):
    meta = PlaybookMeta(
        control_id="Config.1",
        title="AWS Config should be enabled",
        cis={"1.2.0": ("2.5",), "1.4.0": ("3.5",), "3.0.0": ("3.3",)},
        api_calls=("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus",
                   "config:DescribeDeliveryChannels", "config:PutConfigurationRecorder", "config:PutDeliveryChannel",
                   "config:StartConfigurationRecorder", "config:StopConfigurationRecorder",
                   "config:DeleteDeliveryChannel", "config:DeleteConfigurationRecorder", "iam:GetRole",
                   "iam:CreateServiceLinkedRole", *BUCKET_SETUP_API_CALLS),
        iam_actions=("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus",
                     "config:DescribeDeliveryChannels", "config:PutConfigurationRecorder", "config:PutDeliveryChannel",
                     "config:StartConfigurationRecorder", "config:StopConfigurationRecorder",
                     "config:DeleteDeliveryChannel", "config:DeleteConfigurationRecorder", "iam:GetRole",
                     "iam:CreateServiceLinkedRole", "iam:PassRole", *BUCKET_SETUP_IAM_ACTIONS),
        destructive=False,
        resource_types=("AwsAccount",),
    )

    def plan(self, member: Member, target: Target) -> Plan:
        config = member.client("config")
        # A service-linked recorder (it names its servicePrincipal) belongs to that service; Config.1
        # is about the account's own recorder.
        recorders = [recorder for recorder in config.describe_configuration_recorders()["ConfigurationRecorders"]
                     if not recorder.get("servicePrincipal")]
        channels = config.describe_delivery_channels()["DeliveryChannels"]
        for named in (*recorders, *channels):
            if named["name"].startswith(CONTROL_TOWER_PREFIX):
                return Plan(Decision.CANNOT, f"AWS Config {named['name']} is managed by AWS Control Tower; "
                                             "not changed outside the landing zone")
        recorder = dict(recorders[0]) if recorders else None
        statuses = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
        recording = recorder is not None and any(s["name"] == recorder["name"] and s.get("recording")
                                                 for s in statuses)
        channel = dict(channels[0]) if channels else None
        if recorder is not None and recording and channel and records_everything(recorder):
            return Plan(Decision.COMPLIANT, f"AWS Config recorder {recorder['name']} records every resource type")
        steps = []
        if recorder is None:
            steps.append(f"create recorder {DEFAULT_NAME} (all resource types, global ones too)")
        elif not records_everything(recorder):
            steps.append(f"widen recorder {recorder['name']} to all resource types, global ones too")
        bucket = config_bucket(member)
        if channel is None:
            steps.append(f"deliver to S3 bucket {bucket}")
        if not recording:
            steps.append("start recording")
        state = {"recorder": recorder, "recording": recording, "channel": channel, "bucket": bucket,
                 "bucket_existed": bucket_exists(member, bucket)}
        return Plan(Decision.CHANGE, "AWS Config: " + "; ".join(steps), pre_state=state, change=state)

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        config = member.client("config")
        recorder = plan.change["recorder"]
        name = recorder["name"] if recorder else DEFAULT_NAME
        if not records_everything(recorder):
            # Only the recording group widens: name, role and recording mode stay as they are.
            kept = puttable_recorder(recorder) if recorder else {"name": name, "roleARN": config_role_arn(member)}
            config.put_configuration_recorder(ConfigurationRecorder={**kept, "recordingGroup": RECORD_EVERYTHING})
        if plan.change["channel"] is None:
            bucket = plan.change["bucket"]
            create_log_bucket(member, bucket, config_bucket_statements(member, bucket))
            config.put_delivery_channel(DeliveryChannel={"name": DEFAULT_NAME, "s3BucketName": bucket})
        config.start_configuration_recorder(ConfigurationRecorderName=name)
        return f"AWS Config recorder {name} records every resource type and is recording"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        config = member.client("config")
        recorder = pre_state["recorder"]
        name = recorder["name"] if recorder else DEFAULT_NAME
        done = []
        if not pre_state["recording"]:
            config.stop_configuration_recorder(ConfigurationRecorderName=name)
            done.append(f"recorder {name} stopped")
        if pre_state["channel"] is None:  # the recorder is stopped by now: a channel cannot go while it records
            config.delete_delivery_channel(DeliveryChannelName=DEFAULT_NAME)
            done.append(f"delivery channel {DEFAULT_NAME} deleted")
            if not pre_state["bucket_existed"]:
                done.append(delete_bucket_if_empty(member, pre_state["bucket"]))
        if recorder is None:
            config.delete_configuration_recorder(ConfigurationRecorderName=name)
            done.append(f"recorder {name} deleted")
        elif not records_everything(recorder):
            config.put_configuration_recorder(ConfigurationRecorder=puttable_recorder(recorder))
            done.append(f"recorder {name} recording group restored")
        return "AWS Config: " + "; ".join(done) + ", as before"
