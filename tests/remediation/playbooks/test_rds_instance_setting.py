"""RDS.2 and RDS.13 against moto in the member account."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.registry import PLAYBOOKS


def recorded(pre_state):
    """The pre-state as a rollback record file gives it back: through JSON, unchanged."""
    assert json.loads(json.dumps(pre_state)) == pre_state
    return json.loads(json.dumps(pre_state))


DB = "orders"
# control -> (setting, the non-compliant value a test starts from)
CASES = {"RDS.2": ("PubliclyAccessible", True), "RDS.13": ("AutoMinorVersionUpgrade", False)}


def _db(member, **settings) -> str:
    reply = member.client("rds").create_db_instance(
        DBInstanceIdentifier=DB, DBInstanceClass="db.t3.micro", Engine="postgres", AllocatedStorage=20,
        MasterUsername="admin_user", MasterUserPassword="not-a-real-secret-1", **settings)
    return reply["DBInstance"]["DBInstanceArn"]


def _setting(member, setting):
    return member.client("rds").describe_db_instances(DBInstanceIdentifier=DB)["DBInstances"][0][setting]


@pytest.mark.parametrize("control", sorted(CASES))
def test_setting_fixed_verified_and_rolled_back(member, target_for, control):
    setting, bad = CASES[control]
    arn = _db(member, **{setting: bad})
    assert arn.startswith("arn:aws:rds:us-east-1:111122223333:db:")
    playbook = PLAYBOOKS.get(control)
    target = target_for(control, arn, "AwsRdsDbInstance")
    assert _setting(member, setting) is bad

    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert _setting(member, setting) is (not bad)
    assert playbook.plan(member, target).decision is Decision.COMPLIANT

    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _setting(member, setting) is bad


@pytest.mark.parametrize("control", sorted(CASES))
def test_compliant_instance_is_left_alone(member, target_for, control):
    setting, bad = CASES[control]
    arn = _db(member, **{setting: not bad})
    assert PLAYBOOKS.get(control).plan(member, target_for(control, arn)).decision is Decision.COMPLIANT


@pytest.mark.parametrize("control", sorted(CASES))
def test_missing_instance_cannot_be_remediated(member, target_for, control):
    plan = PLAYBOOKS.get(control).plan(member, target_for(control, "arn:aws:rds:us-east-1:111122223333:db:gone"))
    assert plan.decision is Decision.CANNOT and "gone" in plan.summary and "no longer exists" in plan.summary
