"""IAM.3, IAM.8 and IAM.22 against moto, in the member account reached through assume_role."""
from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.remediation.playbook import Decision
from pipeline.remediation.registry import PLAYBOOKS


def recorded(pre_state):
    """The pre-state as a rollback record file gives it back: through JSON, unchanged."""
    assert json.loads(json.dumps(pre_state)) == pre_state
    return json.loads(json.dumps(pre_state))


USER = "alice"


def _later(days: int):
    """A clock `days` ahead, so credentials created now look that old."""
    moment = datetime.now(UTC) + timedelta(days=days)
    return lambda: moment


def _user(member, *, login: bool = False, keys: int = 1) -> list[str]:
    iam = member.client("iam")
    iam.create_user(UserName=USER)
    if login:
        iam.create_login_profile(UserName=USER, Password="Correct-Horse-9-battery", PasswordResetRequired=False)
    return [iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"] for _ in range(keys)]


def _key_status(member) -> dict[str, str]:
    return {key["AccessKeyId"]: key["Status"]
            for key in member.client("iam").list_access_keys(UserName=USER)["AccessKeyMetadata"]}


def _has_login(member) -> bool:
    iam = member.client("iam")
    try:
        iam.get_login_profile(UserName=USER)
    except iam.exceptions.NoSuchEntityException:
        return False
    return True


def _user_target(target_for):
    return target_for("IAM.3", f"arn:aws:iam::111122223333:user/{USER}", "AwsIamUser")


def test_access_key_older_than_90_days_is_deactivated_verified_and_rolled_back(member, target_for):
    key_id, = _user(member)
    playbook = dataclasses.replace(PLAYBOOKS.get("IAM.3"), clock=_later(91))
    target = _user_target(target_for)
    before = _key_status(member)

    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    assert key_id in plan.summary
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert _key_status(member) == {key_id: "Inactive"}
    assert playbook.plan(member, target).decision is Decision.COMPLIANT

    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _key_status(member) == before == {key_id: "Active"}


def test_access_key_younger_than_90_days_is_compliant(member, target_for):
    _user(member)
    playbook = dataclasses.replace(PLAYBOOKS.get("IAM.3"), clock=_later(89))
    assert playbook.plan(member, _user_target(target_for)).decision is Decision.COMPLIANT


def test_user_that_no_longer_exists_cannot_be_remediated(member, target_for):
    for control in ("IAM.3", "IAM.8", "IAM.22"):
        plan = PLAYBOOKS.get(control).plan(member, target_for(control, USER, "AwsIamUser"))
        assert plan.decision is Decision.CANNOT
        assert USER in plan.summary and "no longer exists" in plan.summary


@pytest.mark.parametrize("control, age, unused", [
    ("IAM.22", 46, True), ("IAM.22", 44, False), ("IAM.8", 91, True), ("IAM.8", 46, False),
])
def test_unused_threshold_per_control(member, target_for, control, age, unused):
    _user(member, login=True)
    playbook = dataclasses.replace(PLAYBOOKS.get(control), clock=_later(age))
    expected = Decision.CHANGE if unused else Decision.COMPLIANT
    assert playbook.plan(member, target_for(control, USER, "AwsIamUser")).decision is expected


@pytest.mark.parametrize("control, age", [("IAM.8", 91), ("IAM.22", 46)])
def test_unused_credentials_removed_verified_and_rolled_back(member, target_for, control, age):
    key_ids = _user(member, login=True, keys=2)
    iam = member.client("iam")
    iam.update_access_key(UserName=USER, AccessKeyId=key_ids[1], Status="Inactive")  # not ours to touch
    playbook = dataclasses.replace(PLAYBOOKS.get(control), clock=_later(age))
    target = target_for(control, f"arn:aws:iam::111122223333:user/{USER}", "AwsIamUser")
    before = _key_status(member)

    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE
    assert plan.pre_state == {"user": USER, "login_profile": {"password_reset_required": False},
                              "active_keys": [key_ids[0]]}
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert not _has_login(member)
    assert _key_status(member) == {key_ids[0]: "Inactive", key_ids[1]: "Inactive"}
    assert playbook.plan(member, target).decision is Decision.COMPLIANT

    message = playbook.rollback(member, target, recorded(plan.pre_state))
    assert _key_status(member) == before
    # The password itself cannot come back: console access does (moto ignores PasswordResetRequired
    # on CreateLoginProfile, so the forced reset is not observable here).
    assert _has_login(member)
    assert "cannot be restored" in message


def test_only_the_unused_login_is_removed_when_keys_are_inactive(member, target_for):
    key_id, = _user(member, login=True)
    member.client("iam").update_access_key(UserName=USER, AccessKeyId=key_id, Status="Inactive")
    playbook = dataclasses.replace(PLAYBOOKS.get("IAM.22"), clock=_later(46))
    target = target_for("IAM.22", USER, "AwsIamUser")
    plan = playbook.plan(member, target)
    assert plan.change == {"delete_login_profile": True, "deactivate": []}
    playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    assert _key_status(member) == {key_id: "Inactive"}
    playbook.rollback(member, target, recorded(plan.pre_state))
    assert _key_status(member) == {key_id: "Inactive"}
    assert _has_login(member)


@pytest.mark.parametrize("last_used_days_ago, created_days_ago, stale", [
    (None, 46, True),   # never used, old
    (None, 10, False),  # never used, new
    (50, 100, True),    # last used long ago
    (10, 100, False),   # used recently
    (100, 10, False),   # an old last use, but the credential was (re-)created since
])
def test_iam22_staleness_takes_the_later_of_last_use_and_creation(last_used_days_ago, created_days_ago, stale):
    now = datetime(2026, 6, 1, tzinfo=UTC)
    last_used = None if last_used_days_ago is None else now - timedelta(days=last_used_days_ago)
    playbook = PLAYBOOKS.get("IAM.22")
    assert playbook.is_stale(last_used, now - timedelta(days=created_days_ago), now) is stale
