"""What travels through the remediation state machine (cloudformation/statemachines/
remediation.asl.json), in one place: the item the Normalise Lambda makes per finding,
its route, and the outcome the Record Lambda reads back from a task's state.

A task's state is `{"item": WorkItem, "correlation_id", "result"?: {"outcome": ...},
"error"?: {"Error", "Cause"}}`: Step Functions adds `result` after a task succeeded
and `error` when its Catch fired.
"""
from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from pipeline.errors import SecpipeError
from pipeline.remediation.archive_policy import ArchivePolicy
from pipeline.remediation.normalise import NormalisedFinding
from pipeline.remediation.outcome import Outcome, OutcomeKind


class Route(enum.Enum):
    ARCHIVE = "archive"
    REMEDIATE = "remediate"
    NO_PLAYBOOK = "no-playbook"
    NOT_ACTIONABLE = "not-actionable"


class WorkflowInputError(SecpipeError):
    """A task was given a state that is not the state machine's (names the field)."""


@dataclass(frozen=True)
class WorkItem:
    route: Route
    reason: str
    finding_id: str
    product_arn: str
    control_id: str
    account: str
    region: str
    partition: str
    resource: str
    custom_action: bool
    finding: Mapping[str, Any] = field(default_factory=dict)  # the ASFF finding, for the Remediation Lambda

    def to_json(self) -> dict[str, Any]:
        row = asdict(self)
        row["route"] = self.route.value
        row["finding"] = dict(self.finding)
        return row

    @classmethod
    def from_json(cls, row: Any) -> WorkItem:
        if not isinstance(row, Mapping):
            raise WorkflowInputError("item: must be an object")
        try:
            route = Route(row.get("route"))
        except ValueError:
            raise WorkflowInputError(f"item.route: {row.get('route')!r} is not one of "
                                     f"{', '.join(r.value for r in Route)}") from None
        texts: dict[str, Any] = {name: row.get(name) for name in ("reason", "finding_id", "product_arn", "control_id", "account",
                                                  "region", "partition", "resource")}
        for name, value in texts.items():
            if not isinstance(value, str):
                raise WorkflowInputError(f"item.{name}: must be a string")
        finding = row.get("finding", {})
        if not isinstance(finding, Mapping):
            raise WorkflowInputError("item.finding: must be an object")
        return cls(route=route, custom_action=bool(row.get("custom_action", False)), finding=finding, **texts)


def route_of(normalised: NormalisedFinding, policy: ArchivePolicy, has_playbook: Callable[[str], bool],
             today: date) -> tuple[Route, str]:
    """The one place that decides a finding's branch of the state machine, and why."""
    if not normalised.actionable:
        return Route.NOT_ACTIONABLE, normalised.reason
    target = normalised.target
    archived = policy.reason_to_archive(normalised.control_id, target.account, target.resource_id, today)
    if archived is not None:
        return Route.ARCHIVE, archived
    if not has_playbook(normalised.control_id):
        return Route.NO_PLAYBOOK, f"no playbook for control {normalised.control_id}: a person must fix it"
    return Route.REMEDIATE, f"playbook {normalised.control_id}"


def work_item(normalised: NormalisedFinding, finding: Mapping[str, Any], route: Route, reason: str,
              custom_action: bool) -> WorkItem:
    target = normalised.target
    return WorkItem(route=route, reason=reason, finding_id=normalised.finding_id,
                    product_arn=normalised.product_arn, control_id=normalised.control_id, account=target.account,
                    region=target.region, partition=target.partition, resource=target.resource_id,
                    custom_action=custom_action,
                    # Only findings that go to a playbook need their body downstream; keep the rest small.
                    finding=finding if route is Route.REMEDIATE else {})


def work_items(findings: list[dict[str, Any]], custom_action: bool, policy: ArchivePolicy,
               has_playbook: Callable[[str], bool], today: date,
               normalise: Callable[..., NormalisedFinding]) -> list[WorkItem]:
    """One routed item per finding of an event (the Normalise task's answer)."""
    items = []
    for finding in findings:
        normalised = normalise(finding, custom_action=custom_action)
        route, reason = route_of(normalised, policy, has_playbook, today)
        items.append(work_item(normalised, finding, route, reason, custom_action))
    return items


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """An outcome as a task returns it: the CLI row plus what the Record task needs to write it back."""
    return {**outcome.to_json(), "product_arn": outcome.product_arn, "write_back": outcome.write_back}


def readdressed(row: Mapping[str, Any], finding_id: str, product_arn: str) -> dict[str, Any]:
    """An outcome row for this finding: a run kept by idempotency for the same (account,
    region, control, resource) may have been started by another finding of that resource."""
    return {**row, "finding_id": finding_id, "product_arn": product_arn}


def outcome_from_json(row: Any) -> Outcome:
    if not isinstance(row, Mapping):
        raise WorkflowInputError("result.outcome: must be an object")
    try:
        kind = OutcomeKind(row.get("outcome"))
    except ValueError:
        raise WorkflowInputError(f"result.outcome.outcome: {row.get('outcome')!r} is not an outcome") from None
    texts = {}
    for name in ("finding_id", "control_id", "account", "region", "resource", "detail", "product_arn"):
        value = row.get(name, "")
        if not isinstance(value, str):
            raise WorkflowInputError(f"result.outcome.{name}: must be a string")
        texts[name] = value
    return Outcome(outcome=kind, write_back=row.get("write_back", True) is not False, **texts)


def outcome_of_state(state: Mapping[str, Any]) -> tuple[WorkItem, Outcome]:
    """The outcome a task state ends in: the task's own, the caught error, or the route's."""
    item = WorkItem.from_json(state.get("item"))
    result = state.get("result")
    if isinstance(result, Mapping) and "outcome" in result:
        return item, outcome_from_json(result["outcome"])
    error = state.get("error")
    if isinstance(error, Mapping):
        return item, _outcome(item, OutcomeKind.FAILED, _error_text(error))
    if item.route is Route.NO_PLAYBOOK:
        return item, _outcome(item, OutcomeKind.NO_PLAYBOOK, item.reason)
    raise WorkflowInputError(f"state for {item.finding_id} has neither a result, an error nor a route to record")


def _outcome(item: WorkItem, kind: OutcomeKind, detail: str) -> Outcome:
    return Outcome(finding_id=item.finding_id, control_id=item.control_id, account=item.account,
                   region=item.region, resource=item.resource, outcome=kind, detail=detail,
                   product_arn=item.product_arn)


def _error_text(error: Mapping[str, Any]) -> str:
    """`Error: message` from a Catch's {"Error", "Cause"}; a Lambda's Cause is its JSON error payload."""
    name = str(error.get("Error") or "Error")
    cause = error.get("Cause") or ""
    try:
        payload = json.loads(cause) if isinstance(cause, str) and cause.startswith("{") else None
    except ValueError:
        payload = None
    message = payload.get("errorMessage") if isinstance(payload, Mapping) else cause
    return f"{name}: {message}" if message else name


# Outcomes a person must hear of on the failure topic (the rest are visible in Security Hub).
NOTIFY_PEOPLE = frozenset({OutcomeKind.FAILED})


def needs_people(outcome: Outcome) -> bool:
    return outcome.outcome in NOTIFY_PEOPLE
