"""The opt-out tag is read live from the bucket or trail the S3 and CloudTrail playbooks change
(the engine then skips); account-level controls have no resource to tag."""
from __future__ import annotations

import pytest

from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.tags import OPT_OUT_KEY, OPT_OUT_VALUE, TAG_READERS, opted_out

SKIP = [{"Key": OPT_OUT_KEY, "Value": OPT_OUT_VALUE}]
BUCKET = "member-tagged-bucket"


def _bucket(member, tagged):
    s3 = member.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    if tagged:
        s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": SKIP})
    return f"arn:aws:s3:::{BUCKET}", "AwsS3Bucket"


def _trail(member, tagged):
    member.client("s3").create_bucket(Bucket=BUCKET)
    arn = member.client("cloudtrail").create_trail(Name="member-trail", S3BucketName=BUCKET,
                                                   TagsList=SKIP if tagged else [])["TrailARN"]
    return arn, "AwsCloudTrailTrail"


RESOURCES = {"S3.4": _bucket, "S3.5": _bucket, "S3.8": _bucket, "CloudTrail.2": _trail, "CloudTrail.4": _trail,
             "CloudTrail.5": _trail, "CloudTrail.6": _trail, "CloudTrail.7": _trail}
BUCKET_SHAPED = {"CloudTrail.6-bucket": ("CloudTrail.6", _bucket), "CloudTrail.7-bucket": ("CloudTrail.7", _bucket)}
CASES = {**{control: (control, make) for control, make in RESOURCES.items()}, **BUCKET_SHAPED}


@pytest.mark.parametrize("tagged", [True, False])
@pytest.mark.parametrize("case", sorted(CASES))
def test_opt_out_tag_read_from_the_resource(member, target_for, case, tagged):
    control, make = CASES[case]
    resource_id, resource_type = make(member, tagged)
    playbook = PLAYBOOKS.get(control)
    tags = TAG_READERS[playbook.tag_reader].read(member, target_for(control, resource_id, resource_type))
    assert opted_out(tags) is tagged


@pytest.mark.parametrize("control", ["CloudTrail.1", "Config.1", "S3.1", "CloudWatch.1"])
def test_account_level_controls_have_no_tag_reader(control):
    assert PLAYBOOKS.get(control).tag_reader is None
