"""Who made a report: tool, repo, branch, commit, build, and whether the run was complete.

Three sources, later ones winning field by field:
1. the key layout reports/{repo}/{branch}/{build_id}/{tool}/{filename};
2. the object's user metadata, x-amz-meta-secpipe-{tool,repo,branch,commit,build-id,complete};
3. the fields of an explicit event.
A run is complete only when the event or the metadata says so: an S3 event
alone never archives anything.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.ingest.errors import RejectedReport
from pipeline.ingest.events import ReportEvent
from pipeline.ingest.location import ref_from_key
from pipeline.ingest.objects import ReportObject

METADATA_PREFIX = "secpipe-"
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class ReportOrigin:
    tool: str
    repo: str
    branch: str
    commit: str | None
    build_id: str | None
    complete: bool


def _from_key(key: str) -> dict[str, str]:
    ref = ref_from_key(key)
    if ref is None:
        return {}
    return {"tool": ref.tool, "repo": ref.repo, "branch": ref.branch, "build_id": ref.build_id}


def _from_metadata(obj: ReportObject) -> dict[str, str]:
    found = {}
    for name in ("tool", "repo", "branch", "commit", "build_id", "complete"):
        value = obj.metadata.get(METADATA_PREFIX + name.replace("_", "-"), "").strip()
        if value:
            found[name] = value
    return found


def _from_event(event: ReportEvent) -> dict[str, str]:
    values = {"tool": event.tool, "repo": event.repo, "branch": event.branch, "commit": event.commit,
              "build_id": event.build_id}
    return {name: value for name, value in values.items() if value}


def _complete(event: ReportEvent, metadata: dict[str, str], location: str) -> bool:
    if event.complete is not None:
        return event.complete
    text = metadata.get("complete", "false").lower()
    if text not in _BOOLEANS:
        raise RejectedReport(location, f"metadata {METADATA_PREFIX}complete must be true or false, got {text!r}")
    return _BOOLEANS[text]


def report_origin(event: ReportEvent, obj: ReportObject) -> ReportOrigin:
    metadata = _from_metadata(obj)
    values = {**_from_key(obj.key), **metadata, **_from_event(event)}
    missing = [name for name in ("tool", "repo", "branch") if not values.get(name)]
    if missing:
        raise RejectedReport(obj.location, f"cannot tell the {', '.join(missing)}: the key does not follow "
                                           f"reports/{{repo}}/{{branch}}/{{build_id}}/{{tool}}/{{filename}} and "
                                           f"neither the event nor metadata {METADATA_PREFIX}* names it")
    return ReportOrigin(tool=values["tool"], repo=values["repo"], branch=values["branch"],
                        commit=values.get("commit"), build_id=values.get("build_id"),
                        complete=_complete(event, metadata, obj.location))
