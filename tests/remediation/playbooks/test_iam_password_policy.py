"""The password policy family (IAM.7, IAM.11-IAM.17) against moto in the member account."""
from __future__ import annotations

import json

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.playbooks.iam_password_policy import read_policy
from pipeline.remediation.registry import PLAYBOOKS


def recorded(pre_state):
    """The pre-state as a rollback record file gives it back: through JSON, unchanged."""
    assert json.loads(json.dumps(pre_state)) == pre_state
    return json.loads(json.dumps(pre_state))


ACCOUNT_ID = "AWS::::Account:111122223333"
FAMILY = ("IAM.7", "IAM.11", "IAM.12", "IAM.13", "IAM.14", "IAM.15", "IAM.16", "IAM.17")

WEAK = {"MinimumPasswordLength": 8, "RequireSymbols": False, "RequireNumbers": False,
        "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": True, "HardExpiry": False}
# What each control needs of a policy (IAM.7: all of them).
NEEDS = {
    "IAM.11": {"RequireUppercaseCharacters": True},
    "IAM.12": {"RequireLowercaseCharacters": True},
    "IAM.13": {"RequireSymbols": True},
    "IAM.14": {"RequireNumbers": True},
    "IAM.15": {"MinimumPasswordLength": 14},
    "IAM.16": {"PasswordReusePrevention": 24},
    "IAM.17": {"MaxPasswordAge": 90},
}
NEEDS["IAM.7"] = {name: value for needs in NEEDS.values() for name, value in needs.items()}


def _set(member, policy):
    member.client("iam").update_account_password_policy(**policy)


def _cycle(member, target_for, control):
    """plan CHANGE -> apply -> verify -> plan COMPLIANT; returns the plan."""
    playbook = PLAYBOOKS.get(control)
    target = target_for(control, ACCOUNT_ID, "AwsAccount")
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert playbook.plan(member, target).decision is Decision.COMPLIANT
    return plan


@pytest.mark.parametrize("control", FAMILY)
def test_weak_policy_is_strengthened_only_where_the_control_asks_and_rolled_back(member, target_for, control):
    _set(member, WEAK)
    before = read_policy(member)
    plan = _cycle(member, target_for, control)
    assert plan.pre_state == {"policy": before}

    after = read_policy(member)
    assert {name: after[name] for name in NEEDS[control]} == NEEDS[control]
    untouched = {name: value for name, value in before.items() if name not in NEEDS[control]}
    assert {name: after[name] for name in untouched} == untouched

    PLAYBOOKS.get(control).rollback(member, target_for(control, ACCOUNT_ID), recorded(plan.pre_state))
    assert read_policy(member) == before


@pytest.mark.parametrize("control", FAMILY)
def test_no_policy_is_non_compliant_and_rollback_deletes_the_created_one(member, target_for, control):
    assert read_policy(member) is None
    plan = _cycle(member, target_for, control)
    assert plan.pre_state == {"policy": None}
    assert "no password policy" in plan.summary
    PLAYBOOKS.get(control).rollback(member, target_for(control, ACCOUNT_ID), recorded(plan.pre_state))
    assert read_policy(member) is None


STRICT = {"MinimumPasswordLength": 32, "MaxPasswordAge": 30, "RequireSymbols": True, "PasswordReusePrevention": 24,
          "AllowUsersToChangePassword": True, "HardExpiry": True}


@pytest.mark.parametrize("control", FAMILY)
def test_stricter_settings_are_never_weakened(member, target_for, control):
    _set(member, STRICT)
    playbook = PLAYBOOKS.get(control)
    target = target_for(control, ACCOUNT_ID, "AwsAccount")
    plan = playbook.plan(member, target)
    if plan.decision is Decision.CHANGE:
        playbook.apply(member, target, plan)
    after = read_policy(member)
    assert after["MinimumPasswordLength"] == 32
    assert after["MaxPasswordAge"] == 30
    assert after["RequireSymbols"] is True
    assert after["HardExpiry"] is True and after["AllowUsersToChangePassword"] is True
    assert playbook.verify(member, target)


@pytest.mark.parametrize("control, compliant", [
    ("IAM.13", True), ("IAM.15", True), ("IAM.16", True), ("IAM.17", True),
    ("IAM.11", False), ("IAM.12", False), ("IAM.14", False), ("IAM.7", False),
])
def test_each_control_checks_only_its_own_requirement(member, target_for, control, compliant):
    _set(member, STRICT)
    plan = PLAYBOOKS.get(control).plan(member, target_for(control, ACCOUNT_ID, "AwsAccount"))
    assert plan.decision is (Decision.COMPLIANT if compliant else Decision.CHANGE)


def test_apply_merges_onto_the_live_policy_made_stricter_since_the_plan(member, target_for):
    _set(member, WEAK)
    playbook = PLAYBOOKS.get("IAM.7")
    target = target_for("IAM.7", ACCOUNT_ID, "AwsAccount")
    plan = playbook.plan(member, target)
    _set(member, {**WEAK, "MinimumPasswordLength": 40, "MaxPasswordAge": 7})  # someone tightened it meanwhile
    playbook.apply(member, target, plan)
    after = read_policy(member)
    assert (after["MinimumPasswordLength"], after["MaxPasswordAge"]) == (40, 7)
    assert playbook.verify(member, target)


def test_unlimited_max_age_fails_iam17_and_gets_90(member, target_for):
    _set(member, {**WEAK})  # no MaxPasswordAge: passwords never expire
    assert "MaxPasswordAge" not in read_policy(member)
    _cycle(member, target_for, "IAM.17")
    assert read_policy(member)["MaxPasswordAge"] == 90
