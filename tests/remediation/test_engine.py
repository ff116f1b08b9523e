"""Engine rules with a fake playbook: idempotency, dry run, opt-out, loop guard, rate limit, verify, errors."""
from __future__ import annotations

import dataclasses
import json
import threading

import pytest

from pipeline.remediation import tags
from pipeline.remediation.engine import Engine, EngineOptions
from pipeline.remediation.guards import RateLimiter, SQLiteStateStore, state_key
from pipeline.remediation.normalise import FindingError, normalise_finding
from pipeline.remediation.outcome import OutcomeKind
from pipeline.remediation.records import RecordError, read_record, rollback
from tests.remediation.fake_playbook import FAKE_CONTROL, FAKE_TAG_READER, FAKE_TAGS, FakeSessions, World, fake_registry
from tests.remediation.findings import ACCOUNT, REGION, consolidated, with_changes

OTHER_ACCOUNT = "444455556666"
DAY = 24 * 3600.0


class FakeClock:
    """Epoch seconds that move only when told to, or when the engine sleeps."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture(autouse=True)
def fake_tag_reader(monkeypatch):
    monkeypatch.setitem(tags.TAG_READERS, FAKE_TAG_READER, FAKE_TAGS)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_engine(tmp_path, world, clock):
    def make(**options) -> Engine:
        defaults = dict(records_dir=tmp_path / "records", clock=clock, sleep=clock.sleep,
                        state=SQLiteStateStore(tmp_path / "state.sqlite3"))
        return Engine(EngineOptions(**{**defaults, **options}), FakeSessions(world), playbooks=fake_registry())
    return make


def finding(resource_id: str, account: str = ACCOUNT, control: str = FAKE_CONTROL, **changes):
    return with_changes(consolidated(control, resource_id, "Other", account=account), **changes)


def records(tmp_path):
    return sorted((tmp_path / "records").glob("*.json"))


def test_remediates_verifies_records_and_a_second_run_is_already_compliant(make_engine, world, tmp_path):
    resource = world.add(ACCOUNT, REGION, "res-1")
    engine = make_engine()
    [first] = engine.run([finding("res-1")])
    assert first.outcome is OutcomeKind.REMEDIATED, first.detail
    assert "turned res-1 on" in first.detail and "verified" in first.detail
    assert (first.account, first.region, first.resource, first.control_id) == (ACCOUNT, REGION, "res-1", FAKE_CONTROL)
    assert resource.setting == "on"
    [path] = records(tmp_path)
    record = read_record(path)
    assert (record.control_id, record.outcome, record.pre_state, record.dry_run) == (
        FAKE_CONTROL, "remediated", {"setting": "off"}, False)
    assert record.target["account"] == ACCOUNT and record.plan["decision"] == "change"

    [second] = engine.run([finding("res-1")])
    assert second.outcome is OutcomeKind.ALREADY_COMPLIANT
    assert world.applies == ["res-1"]
    assert len(records(tmp_path)) == 1  # nothing changed, nothing recorded


def test_two_findings_for_one_resource_in_one_run_change_it_once(make_engine, world):
    world.add(ACCOUNT, REGION, "res-1")
    outcomes = make_engine().run([finding("res-1"), finding("res-1")])  # e.g. a CIS and a best-practice finding
    assert [o.outcome for o in outcomes] == [OutcomeKind.REMEDIATED, OutcomeKind.ALREADY_COMPLIANT]
    assert world.applies == ["res-1"]


def test_a_resource_claimed_by_another_run_is_skipped(make_engine, world, clock, tmp_path):
    world.add(ACCOUNT, REGION, "res-1")
    engine = make_engine()
    normalised = normalise_finding(finding("res-1"), table=engine.table)
    assert engine.state.claim(state_key(normalised.target), clock())  # another Lambda holds it
    outcome = engine.remediate(normalised)
    assert outcome.outcome is OutcomeKind.SKIPPED and "in progress" in outcome.detail
    assert not outcome.write_back  # the run holding the claim reports; no NOTIFIED racing its RESOLVED
    assert world.applies == []


def test_dry_run_records_the_plan_and_changes_nothing(make_engine, world, tmp_path):
    resource = world.add(ACCOUNT, REGION, "res-1")
    [outcome] = make_engine(dry_run=True).run([finding("res-1")])
    assert outcome.outcome is OutcomeKind.PLANNED and "would: turn res-1 on" in outcome.detail
    assert resource.setting == "off" and world.applies == []
    [path] = records(tmp_path)
    assert read_record(path).dry_run and read_record(path).plan["summary"] == "turn res-1 on"
    with pytest.raises(RecordError, match="dry run changed nothing"):
        rollback(path, FakeSessions(world), playbooks=fake_registry())


def test_rollback_restores_the_pre_state_once(make_engine, world, tmp_path):
    resource = world.add(ACCOUNT, REGION, "res-1")
    make_engine().run([finding("res-1")])
    [path] = records(tmp_path)
    line = rollback(path, FakeSessions(world), playbooks=fake_registry())
    assert resource.setting == "off"
    assert "turned res-1 off again" in line and ACCOUNT in line
    assert json.loads(path.read_text())["rolled_back"]
    with pytest.raises(RecordError, match="already rolled back"):
        rollback(path, FakeSessions(world), playbooks=fake_registry())


def test_opted_out_resources_are_never_changed(make_engine, world):
    resource = world.add(ACCOUNT, REGION, "res-1", tags={"secpipe-remediation": "Skip"})
    [outcome] = make_engine().run([finding("res-1")])
    assert outcome.outcome is OutcomeKind.SKIPPED and "opted out" in outcome.detail
    assert resource.setting == "off" and world.applies == []


def test_tags_that_cannot_be_read_mean_skip(make_engine, world):
    resource = world.add(ACCOUNT, REGION, "res-1", tags_unreadable=True)
    [outcome] = make_engine().run([finding("res-1")])
    assert outcome.outcome is OutcomeKind.SKIPPED
    assert "fail closed" in outcome.detail and "AccessDenied" in outcome.detail
    assert resource.setting == "off" and world.applies == []


def test_stale_tags_copied_into_the_finding_are_ignored(make_engine, world):
    world.add(ACCOUNT, REGION, "res-1")  # live tags: none
    stale = finding("res-1")
    stale["Resources"][0]["Tags"] = {"secpipe-remediation": "skip"}
    [outcome] = make_engine().run([stale])
    assert outcome.outcome is OutcomeKind.REMEDIATED


def test_the_loop_guard_escalates_after_three_rebreaks_in_a_day(make_engine, world, clock):
    resource = world.add(ACCOUNT, REGION, "res-1")
    engine = make_engine()
    for _ in range(3):
        [outcome] = engine.run([finding("res-1")])
        assert outcome.outcome is OutcomeKind.REMEDIATED
        resource.setting = "off"  # someone breaks it again; Security Hub resets the workflow to NEW
        clock.advance(3600)
    [escalated] = engine.run([finding("res-1")])
    assert escalated.outcome is OutcomeKind.SKIPPED
    assert escalated.detail.startswith("escalated: re-broke 3 times in 24h")
    assert resource.setting == "off" and len(world.applies) == 3
    clock.advance(DAY)  # the fixes leave the window
    [again] = engine.run([finding("res-1")])
    assert again.outcome is OutcomeKind.REMEDIATED


def test_the_loop_guard_is_per_resource(make_engine, world, clock):
    first = world.add(ACCOUNT, REGION, "res-1")
    world.add(ACCOUNT, REGION, "res-2")
    engine = make_engine(loop_threshold=1)
    engine.run([finding("res-1")])
    first.setting = "off"
    assert engine.run([finding("res-1")])[0].outcome is OutcomeKind.SKIPPED
    assert engine.run([finding("res-2")])[0].outcome is OutcomeKind.REMEDIATED


def test_starts_per_account_and_region_stay_within_the_rate_limit(make_engine, world, clock, tmp_path):
    for n in range(12):
        world.add(ACCOUNT, REGION, f"res-{n}")
        world.add(OTHER_ACCOUNT, REGION, f"res-{n}")
    findings = [finding(f"res-{n}", account) for n in range(12) for account in (ACCOUNT, OTHER_ACCOUNT)]
    outcomes = make_engine(dry_run=True, rate_limit=5, rate_window=1.0, max_workers=4).run(findings)
    assert [o.outcome for o in outcomes] == [OutcomeKind.PLANNED] * 24
    starts: dict[str, list[float]] = {}
    for path in records(tmp_path):
        record = json.loads(path.read_text())
        starts.setdefault(record["target"]["account"], []).append(_epoch(record["started"]))
    assert sorted(starts) == sorted([ACCOUNT, OTHER_ACCOUNT])
    for account, times in starts.items():
        times.sort()
        # in any window of one second, at most five starts per account
        assert all(times[i + 5] - times[i] >= 1.0 - 1e-6 for i in range(len(times) - 5)), (account, times)
    assert clock.sleeps, "the limiter had to wait"


def test_the_rate_limiter_does_not_hold_back_other_accounts():
    clock = FakeClock()
    limiter = RateLimiter(limit=2, window=1.0, clock=clock, sleep=clock.sleep)
    limiter.acquire(ACCOUNT, REGION)
    limiter.acquire(ACCOUNT, REGION)
    limiter.acquire(OTHER_ACCOUNT, REGION)
    limiter.acquire(ACCOUNT, "eu-west-1")
    assert clock.sleeps == []
    third = limiter.acquire(ACCOUNT, REGION)
    assert third - 1_800_000_000.0 == pytest.approx(1.0) and clock.sleeps


def test_a_change_that_verify_does_not_confirm_is_failed_and_recorded(make_engine, world, tmp_path):
    world.add(ACCOUNT, REGION, "res-1", apply_is_a_no_op=True)
    [outcome] = make_engine().run([finding("res-1")])
    assert outcome.outcome is OutcomeKind.FAILED
    assert "still not compliant" in outcome.detail
    assert read_record(records(tmp_path)[0]).outcome == "failed"  # rollback stays possible


@pytest.mark.parametrize(("state", "step"), [({"apply_error": "boom in apply"}, "apply"),
                                              ({"plan_error": "boom in plan"}, "")])
def test_exceptions_fail_the_finding_naming_where(make_engine, world, state, step):
    world.add(ACCOUNT, REGION, "res-1", **state)
    [outcome] = make_engine().run([finding("res-1")])
    assert outcome.outcome is OutcomeKind.FAILED
    for part in (FAKE_CONTROL, "res-1", ACCOUNT, REGION, "RuntimeError: boom"):
        assert part in outcome.detail
    assert (f"during {step}" in outcome.detail) if step else ("during" not in outcome.detail)


def test_a_member_role_that_cannot_be_assumed_fails_naming_account_region_and_role(make_engine, world):
    world.add(OTHER_ACCOUNT, REGION, "res-1")
    world.unreachable_accounts.add(OTHER_ACCOUNT)
    [outcome] = make_engine().run([finding("res-1", OTHER_ACCOUNT)])
    assert outcome.outcome is OutcomeKind.FAILED
    assert f"arn:aws:iam::{OTHER_ACCOUNT}:role/secpipe-remediation" in outcome.detail and REGION in outcome.detail


def test_a_plan_that_cannot_fix_is_skipped_with_its_reason(make_engine, world):
    world.add(ACCOUNT, REGION, "res-1", cannot="an organization trail owns it")
    [outcome] = make_engine().run([finding("res-1")])
    assert outcome.outcome is OutcomeKind.SKIPPED and "an organization trail owns it" in outcome.detail
    assert world.applies == []


def test_controls_without_a_playbook_end_as_no_playbook(make_engine):
    [outcome] = make_engine().run([finding(f"AWS::::Account:{ACCOUNT}", control="IAM.4")])
    assert outcome.outcome is OutcomeKind.NO_PLAYBOOK and outcome.write_back
    assert "IAM.4" in outcome.detail


def test_findings_that_are_not_ours_are_skipped_and_not_written_back(make_engine, world):
    world.add(ACCOUNT, REGION, "res-1")
    outcomes = make_engine().run([finding("res-1", RecordState="ARCHIVED"),
                                  finding("res-1", Workflow={"Status": "RESOLVED"})])
    assert [(o.outcome, o.write_back) for o in outcomes] == [(OutcomeKind.SKIPPED, False)] * 2
    assert world.applies == []


def test_a_custom_action_acts_on_a_notified_finding(make_engine, world):
    world.add(ACCOUNT, REGION, "res-1")
    [outcome] = make_engine().run([finding("res-1", Workflow={"Status": "NOTIFIED"})], custom_action=True)
    assert outcome.outcome is OutcomeKind.REMEDIATED


def test_one_bad_finding_stops_the_run_before_anything_changes(make_engine, world):
    world.add(ACCOUNT, REGION, "res-1")
    with pytest.raises(FindingError):
        make_engine().run([finding("res-1"), {"Id": "broken"}])
    assert world.applies == []


def test_outcomes_keep_the_input_order_across_accounts(make_engine, world):
    ids = []
    findings = []
    for n in range(10):
        account = ACCOUNT if n % 2 else OTHER_ACCOUNT
        world.add(account, REGION, f"res-{n}")
        findings.append(finding(f"res-{n}", account))
        ids.append(findings[-1]["Id"])
    outcomes = make_engine(max_workers=4).run(findings)
    assert [o.finding_id for o in outcomes] == ids
    assert {o.outcome for o in outcomes} == {OutcomeKind.REMEDIATED}


def test_outcome_json_is_the_cli_contract(make_engine, world):
    world.add(ACCOUNT, REGION, "res-1")
    [outcome] = make_engine().run([finding("res-1")])
    row = outcome.to_json()
    assert set(row) == {"finding_id", "control_id", "account", "region", "resource", "outcome", "detail"}
    assert row["outcome"] == "remediated"
    assert dataclasses.replace(outcome, outcome=OutcomeKind.PLANNED).to_json()["outcome"] == "planned"


def _epoch(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp()


def test_findings_arriving_account_by_account_are_worked_across_accounts(make_engine, world):
    findings = []
    for account, prefix in ((ACCOUNT, "a"), (OTHER_ACCOUNT, "b")):
        for n in range(3):
            world.add(account, REGION, f"{prefix}-{n}")
            findings.append(finding(f"{prefix}-{n}", account))
    outcomes = make_engine(max_workers=1).run(findings)
    assert world.applies == ["a-0", "b-0", "a-1", "b-1", "a-2", "b-2"]  # no account waits behind another
    assert [o.resource for o in outcomes] == ["a-0", "a-1", "a-2", "b-0", "b-1", "b-2"]  # reported in input order


def test_records_can_go_to_a_writer_of_the_callers_choice(make_engine, world, tmp_path):
    world.add(ACCOUNT, REGION, "res-1")
    kept = []
    [outcome] = make_engine(record_writer=kept.append).run([finding("res-1")])
    assert outcome.outcome is OutcomeKind.REMEDIATED
    assert [(r.control_id, r.pre_state) for r in kept] == [(FAKE_CONTROL, {"setting": "off"})]
    assert records(tmp_path) == []


def test_a_control_that_keeps_failing_is_stopped_for_the_rest_of_the_run(make_engine, world):
    for n in range(8):
        world.add(ACCOUNT, REGION, f"res-{n}", apply_error="AccessDenied")
    outcomes = make_engine(max_workers=1, breaker_failures=3).run([finding(f"res-{n}") for n in range(8)])
    assert [o.outcome for o in outcomes] == [OutcomeKind.FAILED] * 3 + [OutcomeKind.SKIPPED] * 5
    assert outcomes[3].detail.startswith(f"stopped: {FAKE_CONTROL} failed 3 of 3 remediations in this run")
    assert len(world.applies) == 3


def test_each_outcome_is_handed_over_as_soon_as_it_ends(make_engine, world):
    for n in range(5):
        world.add(ACCOUNT, REGION, f"res-{n}")
    seen = []
    outcomes = make_engine(max_workers=3).run([finding(f"res-{n}") for n in range(5)], on_outcome=seen.append)
    assert sorted(o.finding_id for o in seen) == sorted(o.finding_id for o in outcomes)
