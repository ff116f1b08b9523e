"""The engine: one normalised finding -> playbook -> plan / apply / verify -> an Outcome and a record.

Rules, in the order they are applied to one finding:
1. not actionable (archived, passed, already handled, unknown control): skipped, nothing written back;
2. no playbook for the control: no-playbook (left for a person);
3. another run holds the (account, region, control, resource) claim: skipped, not written back;
4. the rate limit of (account, region) is waited for, then the member role is assumed;
5. opt-out tag read live; opted out, or the tags cannot be read (fail closed): skipped;
6. plan: COMPLIANT -> already-compliant; CANNOT -> skipped with the playbook's reason;
7. CHANGE, but re-broken `threshold` times in the loop window: skipped (escalated), no fix;
8. CHANGE in a dry run: planned (a record of the plan, nothing changed);
9. CHANGE: apply, then verify by re-reading: remediated only when verify() is True, else failed.
Any exception on the way: failed, naming control, account, region and resource. A control
that keeps failing in one run is stopped (skipped, left for a person) for the rest of it.
The engine never writes to Security Hub: `writeback.record_outcomes` does, for the caller.
"""
from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.registry import Registry
from pipeline.remediation.controls import RemapTable, remap_table, table_for
from pipeline.remediation.guards import (
    DEFAULT_BREAKER_FAILURES,
    DEFAULT_LOOP_THRESHOLD,
    DEFAULT_LOOP_WINDOW,
    DEFAULT_RATE_LIMIT,
    DEFAULT_RATE_WINDOW,
    ControlBreaker,
    LoopGuard,
    RateLimiter,
    SQLiteStateStore,
    StateStore,
    state_key,
)
from pipeline.remediation.member import DEFAULT_ROLE_NAME, MemberAccessError
from pipeline.remediation.normalise import NormalisedFinding, normalise_finding
from pipeline.remediation.outcome import Outcome, OutcomeKind
from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, Target
from pipeline.remediation.records import DEFAULT_RECORDS_DIR, RunRecord, SessionSource, iso, target_fields, write_record
from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.tags import OPT_OUT_KEY, OPT_OUT_VALUE, TAG_READERS, opted_out

log = logging.getLogger(__name__)

STATE_FILE = "state.sqlite3"  # in records_dir, for the CLI


@dataclass(frozen=True)
class EngineOptions:
    dry_run: bool = False
    role_name: str = DEFAULT_ROLE_NAME
    records_dir: Path = DEFAULT_RECORDS_DIR
    rate_limit: int = DEFAULT_RATE_LIMIT  # remediations started per (account, region) ...
    rate_window: float = DEFAULT_RATE_WINDOW  # ... in any window of this many seconds
    loop_threshold: int = DEFAULT_LOOP_THRESHOLD  # re-breaks that escalate ...
    loop_window: float = DEFAULT_LOOP_WINDOW  # ... within this many seconds
    max_workers: int = 16  # findings of different resources remediated at once
    breaker_failures: int = DEFAULT_BREAKER_FAILURES  # failures that stop a control for the rest of the run
    clock: Callable[[], float] = time.time  # epoch seconds: records, claims, the loop guard
    sleep: Callable[[float], None] = time.sleep
    state: StateStore | None = None  # default: DynamoDB when state_table is set, else SQLite in records_dir
    state_table: str = ""  # DynamoDB table for the Lambdas (see guards.DynamoDBStateStore)
    # Where run records go; default: a JSON file in records_dir. A Lambda, whose disk does not
    # outlive it, passes a writer that keeps them (S3, DynamoDB).
    record_writer: Callable[[RunRecord], object] | None = None


def state_store_for(options: EngineOptions) -> StateStore:
    if options.state is not None:
        return options.state
    if options.state_table:
        import boto3

        from pipeline.remediation.guards import DynamoDBStateStore

        return DynamoDBStateStore(options.state_table, boto3.client("dynamodb"), history_seconds=options.loop_window)
    return SQLiteStateStore(Path(options.records_dir) / STATE_FILE)


@dataclass(frozen=True)
class _Context:
    """What one remediation knows once it reaches the member account."""

    finding: NormalisedFinding
    playbook: Playbook
    key: str
    started: float  # epoch seconds the rate limiter let it start

    @property
    def target(self) -> Target:
        return self.finding.target


class Engine:
    def __init__(self, options: EngineOptions, member_sessions: SessionSource,
                 playbooks: Registry[Playbook] = PLAYBOOKS):
        self.options = options
        self.sessions = member_sessions
        self.playbooks = playbooks
        self.table: RemapTable = remap_table() if playbooks is PLAYBOOKS else table_for(playbooks)
        self.state = state_store_for(options)
        self.limiter = RateLimiter(options.rate_limit, options.rate_window, clock=options.clock, sleep=options.sleep)
        self.loop_guard = LoopGuard(options.loop_threshold, options.loop_window)
        self.breaker = ControlBreaker(options.breaker_failures)

    # -- one run --------------------------------------------------------------------------

    def run(self, findings: Iterable[Any], *, custom_action: bool = False,
            on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        """Normalise all (bad input raises before anything changes), then remediate.

        `on_outcome` is called (from worker threads) as each finding ends, e.g. to write it back
        while the others are still being worked on; the list returned keeps the input order.

        Findings for one (account, region, control, resource) run one after another in one
        worker, so the second sees the first's fix (already-compliant) instead of racing it.
        """
        normalised = [normalise_finding(f, custom_action=custom_action, table=self.table) for f in findings]
        groups: dict[str, list[int]] = {}
        for index, item in enumerate(normalised):
            groups.setdefault(state_key(item.target), []).append(index)
        outcomes: list[Outcome | None] = [None] * len(normalised)

        def work(indexes: list[int]) -> None:
            for index in indexes:
                outcome = outcomes[index] = self.remediate(normalised[index])
                if on_outcome is not None:
                    on_outcome(outcome)

        workers = max(1, min(self.options.max_workers, len(groups)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="secpipe-remediate") as pool:
            ordered = _across_accounts(list(groups.values()), normalised)
            for future in [pool.submit(work, indexes) for indexes in ordered]:
                future.result()
        return [outcome for outcome in outcomes if outcome is not None]

    # -- one finding ----------------------------------------------------------------------

    def remediate(self, finding: NormalisedFinding) -> Outcome:
        if not finding.actionable:
            return self._outcome(finding, OutcomeKind.SKIPPED, f"not acted on: {finding.reason}", write_back=False)
        playbook = self.playbooks.find(finding.control_id)
        if playbook is None:
            return self._outcome(finding, OutcomeKind.NO_PLAYBOOK,
                                 f"{finding.control_id} has no safe automatic fix; left for a person")
        stopped = self.breaker.stopped(finding.control_id)
        if stopped:
            return self._outcome(finding, OutcomeKind.SKIPPED, f"{stopped}; left for a person")
        key = state_key(finding.target)
        if not self.state.claim(key, self.options.clock()):
            # Not written back: the same finding delivered twice would otherwise race the other
            # run's RESOLVED with this NOTIFIED; the run holding the claim reports the result.
            return self._outcome(finding, OutcomeKind.SKIPPED,
                                 "another remediation of this resource is in progress; it reports the result",
                                 write_back=False)
        try:
            started = self.limiter.acquire(finding.target.account, finding.target.region)
            outcome = self._remediate_claimed(_Context(finding, playbook, key, started))
        except Exception as exc:  # a bug or an AWS error anywhere: reported, never raised past one finding
            log.debug("remediation of %s failed", finding.finding_id, exc_info=True)
            outcome = self._failed(finding, exc)
        finally:
            self.state.release(key)
        self.breaker.record(finding.control_id, outcome.outcome is OutcomeKind.FAILED)
        return outcome

    def _remediate_claimed(self, context: _Context) -> Outcome:
        finding, target, playbook = context.finding, context.target, context.playbook
        try:
            member = self.sessions.get(target.account, target.region, target.partition)
        except MemberAccessError as exc:
            return self._outcome(finding, OutcomeKind.FAILED, str(exc))
        skip = self._opt_out(playbook, member, target)
        if skip:
            return self._outcome(finding, OutcomeKind.SKIPPED, skip)
        plan = playbook.plan(member, target)
        if plan.decision is Decision.COMPLIANT:
            return self._outcome(finding, OutcomeKind.ALREADY_COMPLIANT, f"already compliant: {plan.summary}")
        if plan.decision is Decision.CANNOT:
            return self._outcome(finding, OutcomeKind.SKIPPED, f"no automatic fix here: {plan.summary}")
        rebreaks = self.loop_guard.rebreaks(self.state, context.key, self.options.clock())
        if self.loop_guard.escalates(rebreaks):
            return self._outcome(finding, OutcomeKind.SKIPPED,
                                 f"escalated: re-broke {rebreaks} times in {self.loop_guard.window_text}; "
                                 f"not fixed again (would: {plan.summary})")
        if self.options.dry_run:
            outcome = self._outcome(finding, OutcomeKind.PLANNED, f"dry run, would: {plan.summary}")
            self._record(context, plan, outcome)
            return outcome
        return self._apply_and_verify(context, member, plan)

    def _apply_and_verify(self, context: _Context, member: Member, plan: Plan) -> Outcome:
        finding, target, playbook = context.finding, context.target, context.playbook
        try:
            changed = playbook.apply(member, target, plan)
        except Exception as exc:
            # A half-made change may still need rolling back: keep the pre-state.
            outcome = self._failed(finding, exc, "apply")
            self._record(context, plan, outcome)
            return outcome
        try:
            verified = playbook.verify(member, target)
        except Exception as exc:
            outcome = self._failed(finding, exc, "verify")
            self._record(context, plan, outcome)
            return outcome
        if verified:
            self.state.record_fix(context.key, self.options.clock())
            outcome = self._outcome(finding, OutcomeKind.REMEDIATED, f"{changed}; verified by re-reading")
        else:
            outcome = self._outcome(finding, OutcomeKind.FAILED,
                                    f"applied ({changed}) but re-reading shows it is still not compliant")
        self._record(context, plan, outcome)
        return outcome

    def _opt_out(self, playbook: Playbook, member: Member, target: Target) -> str:
        """Why to skip ("" to go on): the opt-out tag, read live; a failed read skips (fail closed)."""
        if not playbook.tag_reader:
            return ""
        try:
            tags = TAG_READERS[playbook.tag_reader].read(member, target)
        except Exception as exc:
            return f"cannot read the tags of {target.resource_id}, so not changing it (fail closed): {_error_text(exc)}"
        if opted_out(tags):
            return f"opted out: tagged {OPT_OUT_KEY}={OPT_OUT_VALUE}"
        return ""

    # -- results --------------------------------------------------------------------------

    def _record(self, context: _Context, plan: Plan, outcome: Outcome) -> None:
        record = RunRecord(
            finding_id=context.finding.finding_id, control_id=context.target.control_id,
            target=target_fields(context.target), pre_state=dict(plan.pre_state),
            plan={"decision": plan.decision.value, "summary": plan.summary, "change": dict(plan.change)},
            outcome=outcome.outcome.value, detail=outcome.detail, dry_run=self.options.dry_run,
            started=iso(context.started), time=iso(self.options.clock()), role_name=self.options.role_name)
        if self.options.record_writer is not None:
            self.options.record_writer(record)
        else:
            write_record(Path(self.options.records_dir), record)

    def _failed(self, finding: NormalisedFinding, exc: Exception, step: str = "") -> Outcome:
        target = finding.target
        during = f" during {step}" if step else ""
        return self._outcome(finding, OutcomeKind.FAILED,
                             f"{target.control_id} on {target.resource_id} in account {target.account} "
                             f"{target.region} failed{during}: {_error_text(exc)}")

    @staticmethod
    def _outcome(finding: NormalisedFinding, kind: OutcomeKind, detail: str, write_back: bool = True) -> Outcome:
        target = finding.target
        return Outcome(finding_id=finding.finding_id, control_id=finding.control_id, account=target.account,
                       region=target.region, resource=target.resource_id, outcome=kind, detail=detail,
                       product_arn=finding.product_arn, write_back=write_back)


def _across_accounts(groups: list[list[int]], normalised: list[NormalisedFinding]) -> list[list[int]]:
    """Round-robin over (account, region): findings usually arrive account by account, and
    workers all waiting on one account's rate limit would leave the other accounts idle."""
    lanes: dict[tuple[str, str], list[list[int]]] = {}
    for group in groups:
        target = normalised[group[0]].target
        lanes.setdefault((target.account, target.region), []).append(group)
    return [group for round_ in itertools.zip_longest(*lanes.values()) for group in round_ if group is not None]


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"

