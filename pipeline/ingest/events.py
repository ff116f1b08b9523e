"""The events the ingest Lambda accepts, each turned into the same ReportEvent.

Three shapes, one reader each, tried in order by `report_events`:

- explicit: what a CodeBuild stage sends after uploading its report,
  {"bucket", "key", "tool", "repo", "branch", "commit", "build_id", "complete"};
- EventBridge "Object Created" from S3 (source aws.s3);
- an S3 event notification ({"Records": [{"eventSource": "aws:s3", ...}]}).

Only the explicit shape can say a run was complete; the S3 shapes carry
nothing but the object, so completeness then comes from the object's metadata.
S3 notification keys are URL-encoded (a space is '+'); they are decoded here.
EventBridge does not document an encoding, so its key is kept as given and
the reader of the object tries the decoded form only when that is not found.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from pipeline.errors import SecpipeError


class UnsupportedEvent(SecpipeError):
    """An event of a shape this function does not read (permanent: retrying cannot help)."""


@dataclass(frozen=True)
class ReportEvent:
    """One report object to ingest, and whatever context the event itself carried."""

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    tool: str | None = None
    repo: str | None = None
    branch: str | None = None
    commit: str | None = None
    build_id: str | None = None
    complete: bool | None = None  # None: the event does not say
    key_may_be_encoded: bool = False  # EventBridge: try the URL-decoded key if this one is absent

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def _text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise UnsupportedEvent(f"event field {name!r} must be a string, got {type(value).__name__}")
    return value.strip() or None


def _required(value: Any, name: str) -> str:
    text = _text(value, name)
    if not text:
        raise UnsupportedEvent(f"event has no {name!r}")
    return text


def _complete(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise UnsupportedEvent(f"event field 'complete' must be true or false, got {value!r}")


def _is_explicit(event: dict[str, Any]) -> bool:
    return "bucket" in event and "key" in event


def _read_explicit(event: dict[str, Any]) -> list[ReportEvent]:
    return [ReportEvent(
        bucket=_required(event.get("bucket"), "bucket"),
        key=_required(event.get("key"), "key"),
        version_id=_text(event.get("version_id"), "version_id"),
        etag=_text(event.get("etag"), "etag"),
        tool=_text(event.get("tool"), "tool"),
        repo=_text(event.get("repo"), "repo"),
        branch=_text(event.get("branch"), "branch"),
        commit=_text(event.get("commit"), "commit"),
        build_id=_text(event.get("build_id"), "build_id"),
        complete=_complete(event.get("complete")),
    )]


def _is_eventbridge(event: dict[str, Any]) -> bool:
    return event.get("source") == "aws.s3" and isinstance(event.get("detail"), dict)


def _read_eventbridge(event: dict[str, Any]) -> list[ReportEvent]:
    if event.get("detail-type") != "Object Created":
        raise UnsupportedEvent(f"S3 event {event.get('detail-type')!r} is not an 'Object Created' event")
    detail = event["detail"]
    obj = detail.get("object") or {}
    return [ReportEvent(
        bucket=_required((detail.get("bucket") or {}).get("name"), "detail.bucket.name"),
        key=_required(obj.get("key"), "detail.object.key"),
        version_id=_text(obj.get("version-id"), "detail.object.version-id"),
        etag=_text(obj.get("etag"), "detail.object.etag"),
        key_may_be_encoded=True,
    )]


def _is_notification(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return isinstance(records, list) and bool(records) and all(
        isinstance(r, dict) and r.get("eventSource") == "aws:s3" for r in records)


def _read_notification(event: dict[str, Any]) -> list[ReportEvent]:
    found = []
    for record in event["Records"]:
        name = str(record.get("eventName") or "")
        if not name.startswith("ObjectCreated:"):
            raise UnsupportedEvent(f"S3 notification {name!r} is not an ObjectCreated event")
        s3 = record.get("s3") or {}
        obj = s3.get("object") or {}
        found.append(ReportEvent(
            bucket=_required((s3.get("bucket") or {}).get("name"), "s3.bucket.name"),
            key=unquote_plus(_required(obj.get("key"), "s3.object.key")),
            version_id=_text(obj.get("versionId"), "s3.object.versionId"),
            etag=_text(obj.get("eTag"), "s3.object.eTag"),
        ))
    return found


EventReader = Callable[[dict[str, Any]], list[ReportEvent]]
EventMatcher = Callable[[dict[str, Any]], bool]

#: Shape name -> (does the event have this shape, read it). First match wins.
EVENT_SHAPES: dict[str, tuple[EventMatcher, EventReader]] = {
    "explicit": (_is_explicit, _read_explicit),
    "eventbridge": (_is_eventbridge, _read_eventbridge),
    "s3-notification": (_is_notification, _read_notification),
}


def report_events(event: Any) -> list[ReportEvent]:
    """The report objects an event names; UnsupportedEvent for any other event."""
    if not isinstance(event, dict):
        raise UnsupportedEvent(f"event must be a JSON object, got {type(event).__name__}")
    for matches, read in EVENT_SHAPES.values():
        if matches(event):
            return read(event)
    raise UnsupportedEvent(f"unsupported event (keys: {', '.join(sorted(map(str, event))) or 'none'}); expected "
                           f"one of: {', '.join(EVENT_SHAPES)}")
