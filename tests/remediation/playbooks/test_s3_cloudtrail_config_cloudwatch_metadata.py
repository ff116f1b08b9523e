"""Metadata of the CloudTrail, Config, CloudWatch and S3 playbooks: exact IAM actions that cover
every declared API call, API calls that exist in botocore, CIS numbers per known version."""
from __future__ import annotations

import botocore.session
import pytest

from pipeline.remediation.playbook import CIS_VERSIONS
from pipeline.remediation.playbooks._s3_common import iam_action_of
from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.tags import TAG_READERS

FAMILIES = ("CloudTrail.", "Config.", "CloudWatch.", "S3.")
EXPECTED = {"CloudTrail.1", "CloudTrail.2", "CloudTrail.4", "CloudTrail.5", "CloudTrail.6", "CloudTrail.7",
            "Config.1", "S3.1", "S3.4", "S3.5", "S3.8", *(f"CloudWatch.{n}" for n in range(1, 15))}
OURS = sorted(name for name in PLAYBOOKS.names() if name.startswith(FAMILIES))


def test_every_control_of_these_families_is_registered():
    assert set(OURS) == EXPECTED


@pytest.mark.parametrize("control_id", OURS)
def test_iam_actions_are_exact_and_cover_every_api_call(control_id):
    playbook = PLAYBOOKS.get(control_id)
    actions = playbook.iam_actions()
    assert actions and not [a for a in actions if "*" in a]
    assert all(a.count(":") == 1 for a in actions)
    missing = {call for call in playbook.meta.api_calls if iam_action_of(call) not in actions}
    assert not missing, f"{control_id} calls {sorted(missing)} without the IAM action"


@pytest.mark.parametrize("control_id", OURS)
def test_api_calls_are_real_botocore_operations(control_id):
    session = botocore.session.get_session()
    for call in PLAYBOOKS.get(control_id).meta.api_calls:
        service, operation = call.split(":")
        assert operation in session.get_service_model(service).operation_names, call


@pytest.mark.parametrize("control_id", OURS)
def test_cis_numbers_resource_types_and_tag_reader(control_id):
    playbook = PLAYBOOKS.get(control_id)
    meta = playbook.meta
    assert meta.control_id == control_id and meta.title
    assert set(meta.cis) <= set(CIS_VERSIONS) and any(meta.cis.values())
    assert meta.resource_types
    assert playbook.tag_reader is None or playbook.tag_reader in TAG_READERS
    # A tag reader reads the resource the finding names: buckets and trails have one, the account has none.
    expected_reader = {("AwsS3Bucket",): "s3-bucket", ("AwsCloudTrailTrail",): "cloudtrail-trail",
                       ("AwsCloudTrailTrail", "AwsS3Bucket"): "cloudtrail-trail-or-bucket", ("AwsAccount",): None}
    assert playbook.tag_reader == expected_reader[tuple(sorted(meta.resource_types))]
    assert meta.cis_numbers() == {version: list(meta.cis.get(version, ())) for version in CIS_VERSIONS}
