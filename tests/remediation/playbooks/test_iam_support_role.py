"""IAM.18 against moto in the member account."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.playbooks.iam_support_role import SUPPORT_ROLE_NAME
from pipeline.remediation.registry import PLAYBOOKS


def recorded(pre_state):
    """The pre-state as a rollback record file gives it back: through JSON, unchanged."""
    assert json.loads(json.dumps(pre_state)) == pre_state
    return json.loads(json.dumps(pre_state))


ACCOUNT_ID = "AWS::::Account:111122223333"
POLICY = "arn:aws:iam::aws:policy/AWSSupportAccess"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}]})


@pytest.fixture(autouse=True)
def _aws_managed_policies(monkeypatch):
    """moto knows AWS managed policies such as AWSSupportAccess only when asked to load them."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def _roles(member) -> dict[str, list[str]]:
    iam = member.client("iam")
    return {role["RoleName"]: [p["PolicyArn"] for p in
                               iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]]
            for role in iam.list_roles()["Roles"]}


def test_support_role_created_verified_and_rolled_back(member, target_for):
    playbook = PLAYBOOKS.get("IAM.18")
    target = target_for("IAM.18", ACCOUNT_ID, "AwsAccount")
    before = _roles(member)
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert _roles(member)[SUPPORT_ROLE_NAME] == [POLICY]
    trust = member.client("iam").get_role(RoleName=SUPPORT_ROLE_NAME)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert playbook.plan(member, target).decision is Decision.COMPLIANT

    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _roles(member) == before


def test_policy_attached_to_any_entity_is_compliant(member, target_for):
    iam = member.client("iam")
    iam.create_group(GroupName="support-desk")
    iam.attach_group_policy(GroupName="support-desk", PolicyArn=POLICY)
    plan = PLAYBOOKS.get("IAM.18").plan(member, target_for("IAM.18", ACCOUNT_ID))
    assert plan.decision is Decision.COMPLIANT
    assert "Group/support-desk" in plan.summary


def test_existing_role_of_that_name_is_reused_and_kept_on_rollback(member, target_for):
    iam = member.client("iam")
    iam.create_role(RoleName=SUPPORT_ROLE_NAME, AssumeRolePolicyDocument=TRUST)
    playbook = PLAYBOOKS.get("IAM.18")
    target = target_for("IAM.18", ACCOUNT_ID)
    before = _roles(member)
    plan = playbook.plan(member, target)
    assert plan.pre_state == {"role_name": SUPPORT_ROLE_NAME, "role_existed": True}
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _roles(member) == before == {SUPPORT_ROLE_NAME: [], **{k: v for k, v in before.items()
                                                                  if k != SUPPORT_ROLE_NAME}}
