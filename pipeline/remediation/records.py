"""Run records: one JSON file per remediation that changed (or, in a dry run, would change) something.

A record holds what `rollback` needs: the control, the target, the pre-state the
playbook captured before it changed anything, the plan, and the outcome. Records are
written before the outcome is reported, so a change is never made without one.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import SecpipeError
from pipeline.registry import Registry
from pipeline.remediation.member import DEFAULT_ROLE_NAME, MemberSession
from pipeline.remediation.playbook import Playbook, Target
from pipeline.remediation.registry import PLAYBOOKS

DEFAULT_RECORDS_DIR = Path("secpipe-out") / "remediation"
RECORD_VERSION = 1


class RecordError(SecpipeError):
    """A record file that cannot be read or rolled back (CLI exit 2)."""


class SessionSource(Protocol):
    def get(self, account: str, region: str, partition: str) -> MemberSession: ...


@dataclass(frozen=True)
class RunRecord:
    finding_id: str
    control_id: str
    target: Mapping[str, Any]  # Target fields
    pre_state: Mapping[str, Any]
    plan: Mapping[str, Any]  # decision, summary, change
    outcome: str  # OutcomeKind value
    detail: str
    dry_run: bool
    started: str  # ISO time the rate limiter let the run start
    time: str  # ISO time the record was written
    rolled_back: str = ""  # ISO time of a rollback, "" before
    role_name: str = DEFAULT_ROLE_NAME  # the member role the run assumed; rollback assumes the same
    version: int = RECORD_VERSION

    def target_object(self) -> Target:
        fields = dict(self.target)
        return Target(control_id=str(fields["control_id"]), account=str(fields["account"]),
                      region=str(fields["region"]), partition=str(fields["partition"]),
                      resource_id=str(fields["resource_id"]), resource_type=str(fields.get("resource_type", "")),
                      details=dict(fields.get("details") or {}))


def target_fields(target: Target) -> dict[str, Any]:
    return {"control_id": target.control_id, "account": target.account, "region": target.region,
            "partition": target.partition, "resource_id": target.resource_id,
            "resource_type": target.resource_type, "details": dict(target.details)}


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds")


def write_record(directory: Path, record: RunRecord) -> Path:
    """Written to a temporary name and renamed, so a reader never sees half a record."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(f"{record.finding_id}|{record.target['resource_id']}|{record.time}".encode()).hexdigest()[:10]
    stamp = record.time.replace(":", "").replace("-", "").replace("+0000", "Z")
    name = f"{stamp}-{record.target['account']}-{record.target['region']}-{record.control_id}-{digest}.json"
    path = directory / name
    _write_json(path, asdict(record))
    return path


def read_record(path: Path) -> RunRecord:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise RecordError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RecordError(f"{path}: not a remediation record (expected a JSON object)")
    known = set(RunRecord.__dataclass_fields__)
    missing = {"control_id", "target", "pre_state", "plan", "outcome", "dry_run"} - set(data)
    if missing:
        raise RecordError(f"{path}: not a remediation record (missing {', '.join(sorted(missing))})")
    try:
        record = RunRecord(**{k: v for k, v in data.items() if k in known})
        record.target_object()
    except (TypeError, KeyError) as exc:
        raise RecordError(f"{path}: not a remediation record ({exc})") from None
    return record


def rollback(record_path: Path | str, member_sessions: SessionSource,
             playbooks: Registry[Playbook] = PLAYBOOKS, now: float | None = None) -> str:
    """Restore the pre-state captured by one run; marks the record so it is not rolled back twice."""
    path = Path(record_path)
    record = read_record(path)
    if record.dry_run:
        raise RecordError(f"{path}: a dry-run record; the dry run changed nothing, so there is nothing to roll back")
    if record.rolled_back:
        raise RecordError(f"{path}: already rolled back at {record.rolled_back}")
    playbook = playbooks.find(record.control_id)
    if playbook is None:
        raise RecordError(f"{path}: no playbook for {record.control_id} in this version of secpipe")
    target = record.target_object()
    member = member_sessions.get(target.account, target.region, target.partition)
    done = playbook.rollback(member, target, record.pre_state)
    stamp = iso(now if now is not None else datetime.now(UTC).timestamp())
    _write_json(path, asdict(replace(record, rolled_back=stamp)))
    return f"{record.control_id} {target.account} {target.region} {target.resource_id}: {done}"


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    os.replace(temporary, path)
