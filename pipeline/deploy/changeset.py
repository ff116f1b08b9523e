"""One CloudFormation change set: create it, wait until it is ready, show it, then run it
(or, in a dry run, delete it). A change set with nothing to change is an answer, not an error."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from pipeline.deploy.errors import DeployError

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass(frozen=True)
class Change:
    action: str
    logical_id: str
    resource_type: str
    replacement: str

    def line(self) -> str:
        replaced = f" (replacement: {self.replacement})" if self.action == "Modify" and self.replacement else ""
        return f"  {self.action:<8} {self.logical_id:<36} {self.resource_type}{replaced}"


@dataclass(frozen=True)
class ChangeSet:
    stack: str
    name: str
    kind: str  # CREATE | UPDATE
    changes: tuple[Change, ...]

    def describe(self) -> list[str]:
        header = f"change set {self.name} ({self.kind.lower()} of stack {self.stack}): {len(self.changes)} change(s)"
        return [header, *(change.line() for change in self.changes)]


@dataclass(frozen=True)
class WaitSettings:
    delay_s: int = 5
    max_attempts: int = 360  # 30 minutes: the pipeline stack makes many resources


def change_set_name(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"secpipe-{moment}"


def create(cloudformation: Any, stack: str, kind: str, template: dict[str, str], parameters: list[dict[str, Any]],
           wait: WaitSettings) -> ChangeSet | None:
    """The ready change set, or None when it would change nothing (then it is deleted)."""
    name = change_set_name()
    try:
        cloudformation.create_change_set(StackName=stack, ChangeSetName=name, ChangeSetType=kind, Parameters=parameters,
                                         Capabilities=CAPABILITIES, **template)
    except ClientError as exc:
        raise DeployError(f"CloudFormation refused the change set for {stack}: {_message(exc)}") from None
    try:
        cloudformation.get_waiter("change_set_create_complete").wait(
            StackName=stack, ChangeSetName=name, WaiterConfig={"Delay": wait.delay_s, "MaxAttempts": wait.max_attempts})
    except WaiterError:
        described = cloudformation.describe_change_set(StackName=stack, ChangeSetName=name)
        reason = described.get("StatusReason") or described.get("Status", "")
        if any(text in reason for text in _NO_CHANGES):
            cloudformation.delete_change_set(StackName=stack, ChangeSetName=name)
            return None
        raise DeployError(f"change set {name} for {stack} failed: {reason}") from None
    return ChangeSet(stack=stack, name=name, kind=kind, changes=tuple(_changes(cloudformation, stack, name)))


def execute(cloudformation: Any, change_set: ChangeSet, wait: WaitSettings, say: Callable[[str], None]) -> None:
    cloudformation.execute_change_set(StackName=change_set.stack, ChangeSetName=change_set.name)
    waiter = "stack_create_complete" if change_set.kind == "CREATE" else "stack_update_complete"
    say(f"executing {change_set.name}; waiting for {change_set.stack}")
    try:
        cloudformation.get_waiter(waiter).wait(StackName=change_set.stack,
                                               WaiterConfig={"Delay": wait.delay_s, "MaxAttempts": wait.max_attempts})
    except WaiterError:
        raise DeployError(f"stack {change_set.stack} did not reach {waiter.removeprefix('stack_').upper()}: "
                          f"{'; '.join(_failures(cloudformation, change_set.stack)) or 'see its events'}") from None


def discard(cloudformation: Any, change_set: ChangeSet) -> None:
    cloudformation.delete_change_set(StackName=change_set.stack, ChangeSetName=change_set.name)
    if change_set.kind == "CREATE":
        # A CREATE change set leaves an empty stack in REVIEW_IN_PROGRESS behind.
        cloudformation.delete_stack(StackName=change_set.stack)


def _changes(cloudformation: Any, stack: str, name: str) -> list[Change]:
    changes, token = [], None
    while True:
        page = cloudformation.describe_change_set(StackName=stack, ChangeSetName=name,
                                                  **({"NextToken": token} if token else {}))
        for entry in page.get("Changes") or []:
            resource = entry.get("ResourceChange") or {}
            changes.append(Change(action=resource.get("Action", "?"), logical_id=resource.get("LogicalResourceId", "?"),
                                  resource_type=resource.get("ResourceType", "?"),
                                  replacement=str(resource.get("Replacement") or "")))
        token = page.get("NextToken")
        if not token:
            return changes


def _failures(cloudformation: Any, stack: str) -> list[str]:
    events = cloudformation.describe_stack_events(StackName=stack).get("StackEvents") or []
    return [f"{e.get('LogicalResourceId')}: {e.get('ResourceStatusReason')}" for e in events
            if str(e.get("ResourceStatus", "")).endswith("FAILED") and e.get("ResourceStatusReason")][:5]


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message") or exc)
