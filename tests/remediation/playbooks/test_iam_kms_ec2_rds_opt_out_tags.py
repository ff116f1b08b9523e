"""The opt-out tag is read live from each kind of resource these playbooks change (the engine then skips)."""
from __future__ import annotations

import pytest

from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.tags import OPT_OUT_KEY, OPT_OUT_VALUE, TAG_READERS, opted_out

SKIP = [{"Key": OPT_OUT_KEY, "Value": OPT_OUT_VALUE}]
ARN = "arn:aws:{service}:us-east-1:111122223333:{resource}"


def _iam_user(member, tagged):
    member.client("iam").create_user(UserName="bob", Tags=SKIP if tagged else [])
    return "arn:aws:iam::111122223333:user/bob"


def _kms_key(member, tagged):
    tags = [{"TagKey": OPT_OUT_KEY, "TagValue": OPT_OUT_VALUE}] if tagged else []
    return member.client("kms").create_key(Tags=tags)["KeyMetadata"]["Arn"]


def _ec2_tagged(member, resource_id, kind, tagged):
    if tagged:
        member.client("ec2").create_tags(Resources=[resource_id], Tags=SKIP)
    return ARN.format(service="ec2", resource=f"{kind}/{resource_id}")


def _security_group(member, tagged):
    ec2 = member.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    return _ec2_tagged(member, group_id, "security-group", tagged)


def _vpc(member, tagged):
    vpc_id = member.client("ec2").create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    return _ec2_tagged(member, vpc_id, "vpc", tagged)


def _instance(member, tagged):
    ec2 = member.client("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance_id = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    return _ec2_tagged(member, instance_id, "instance", tagged)


def _db_instance(member, tagged):
    return member.client("rds").create_db_instance(
        DBInstanceIdentifier="ledger", DBInstanceClass="db.t3.micro", Engine="postgres", AllocatedStorage=20,
        MasterUsername="admin_user", MasterUserPassword="not-a-real-secret-1",
        Tags=SKIP if tagged else [])["DBInstance"]["DBInstanceArn"]


RESOURCES = {"IAM.3": _iam_user, "IAM.8": _iam_user, "IAM.22": _iam_user, "KMS.4": _kms_key,
             "EC2.2": _security_group, "EC2.13": _security_group, "EC2.14": _security_group,
             "EC2.6": _vpc, "EC2.8": _instance, "RDS.2": _db_instance, "RDS.13": _db_instance}


@pytest.mark.parametrize("tagged", [True, False])
@pytest.mark.parametrize("control", sorted(RESOURCES))
def test_opt_out_tag_read_from_the_resource(member, target_for, control, tagged):
    resource_id = RESOURCES[control](member, tagged)
    playbook = PLAYBOOKS.get(control)
    tags = TAG_READERS[playbook.tag_reader].read(member, target_for(control, resource_id))
    assert opted_out(tags) is tagged
