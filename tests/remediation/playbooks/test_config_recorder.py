"""Config.1: AWS Config records everything (moto, through assume_role)."""
from __future__ import annotations

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.playbooks.config_recorder import puttable_recorder
from pipeline.remediation.registry import PLAYBOOKS
from tests.remediation.playbooks.lifecycle import fix_and_check

ROLE = "arn:aws:iam::111122223333:role/team-config-role"
CHANNEL_BUCKET = "team-config-snapshots"


@pytest.fixture
def playbook():
    return PLAYBOOKS.get("Config.1")


@pytest.fixture
def target(member, target_for):
    return target_for("Config.1", f"AWS::::Account:{member.account}", "AwsAccount")


def recorder_state(config):
    [recorder] = config.describe_configuration_recorders()["ConfigurationRecorders"]
    [status] = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    return recorder, status["recording"]


def team_recorder(member, recording_group, *, start):
    config = member.client("config")
    member.client("s3").create_bucket(Bucket=CHANNEL_BUCKET)
    config.put_configuration_recorder(ConfigurationRecorder={"name": "team-recorder", "roleARN": ROLE,
                                                             "recordingGroup": recording_group})
    config.put_delivery_channel(DeliveryChannel={"name": "team-channel", "s3BucketName": CHANNEL_BUCKET})
    if start:
        config.start_configuration_recorder(ConfigurationRecorderName="team-recorder")
    return config


def test_sets_up_config_from_nothing_and_rollback_removes_it(member, playbook, target):
    plan = fix_and_check(playbook, member, target)
    config = member.client("config")
    recorder, recording = recorder_state(config)
    assert recording and recorder["name"] == "default"
    assert recorder["recordingGroup"]["allSupported"] and recorder["recordingGroup"]["includeGlobalResourceTypes"]
    assert "config.amazonaws.com" in recorder["roleARN"]
    bucket = f"secpipe-config-{member.account}-us-east-1"
    [channel] = config.describe_delivery_channels()["DeliveryChannels"]
    assert channel["s3BucketName"] == bucket
    assert "AWSConfigBucketDelivery" in member.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]

    playbook.rollback(member, target, plan.pre_state)
    assert config.describe_configuration_recorders()["ConfigurationRecorders"] == []
    assert config.describe_delivery_channels()["DeliveryChannels"] == []
    assert bucket not in [b["Name"] for b in member.client("s3").list_buckets()["Buckets"]]


def test_a_stopped_recorder_is_started_not_replaced(member, playbook, target):
    config = team_recorder(member, {"allSupported": True, "includeGlobalResourceTypes": True}, start=False)
    before, _ = recorder_state(config)
    plan = fix_and_check(playbook, member, target)
    assert plan.summary == "AWS Config: start recording"
    after, recording = recorder_state(config)
    assert recording and after == before
    assert [c["name"] for c in config.describe_delivery_channels()["DeliveryChannels"]] == ["team-channel"]
    playbook.rollback(member, target, plan.pre_state)
    assert recorder_state(config) == (before, False)


def test_a_recorder_of_some_types_is_widened_and_rollback_narrows_it_again(member, playbook, target):
    config = team_recorder(member, {"allSupported": False, "includeGlobalResourceTypes": False,
                                    "resourceTypes": ["AWS::S3::Bucket"]}, start=True)
    before, _ = recorder_state(config)
    plan = fix_and_check(playbook, member, target)
    assert "widen recorder team-recorder" in plan.summary
    after, recording = recorder_state(config)
    assert recording and after["name"] == "team-recorder" and after["roleARN"] == ROLE
    playbook.rollback(member, target, plan.pre_state)
    restored, recording = recorder_state(config)
    assert recording and restored["recordingGroup"]["resourceTypes"] == ["AWS::S3::Bucket"]
    assert restored["recordingGroup"]["allSupported"] is False


def test_a_recorder_is_put_back_with_its_recording_mode_and_without_read_only_members():
    # moto drops recordingMode, so this is the rule itself: what AWS describes, minus what Put refuses.
    described = {"arn": "arn:aws:config:us-east-1:111122223333:configuration-recorder/team/abc", "name": "team",
                 "roleARN": ROLE, "recordingGroup": {"allSupported": True}, "recordingScope": "PAID",
                 "recordingMode": {"recordingFrequency": "DAILY"}}
    assert puttable_recorder(described) == {"name": "team", "roleARN": ROLE, "recordingGroup": {"allSupported": True},
                                            "recordingMode": {"recordingFrequency": "DAILY"}}


def test_control_tower_config_is_left_to_the_landing_zone(member, playbook, target):
    member.client("config").put_configuration_recorder(ConfigurationRecorder={
        "name": "aws-controltower-BaselineConfigRecorder", "roleARN": ROLE,
        "recordingGroup": {"allSupported": False, "includeGlobalResourceTypes": False,
                           "resourceTypes": ["AWS::S3::Bucket"]}})
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CANNOT and "Control Tower" in plan.summary
