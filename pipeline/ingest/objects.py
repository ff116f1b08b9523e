"""The report object in S3: which version it is, its metadata, and its bytes (size-capped).

HeadObject comes first: it pins the version (or ETag) that the idempotency
record names, and refuses an oversized object before a byte of it is read.
GetObject then asks for exactly that version (VersionId, or IfMatch on the
ETag), so what is parsed is what was recorded.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from botocore.exceptions import BotoCoreError, ClientError

from pipeline.ingest.errors import RejectedReport
from pipeline.ingest.events import ReportEvent
from pipeline.sinks.retrying import HubError

_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}
CHECKSUM_METADATA = "sha256"  # what pipeline.archive.S3Archive stores


class S3ReadError(HubError):
    """S3 did not answer as it should (throttling, permissions, network): retry."""


@dataclass(frozen=True)
class ReportObject:
    bucket: str
    key: str
    etag: str
    size: int
    version_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None  # when it was uploaded (S3 LastModified, to the second)

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def identity(self) -> str:
        """What makes this content unique: the version when the bucket keeps versions, else the ETag."""
        revision = f"version={self.version_id}" if self.version_id else f"etag={self.etag}"
        return f"{self.location}?{revision}"

    @property
    def filename(self) -> str:
        return self.key.rsplit("/", 1)[-1]


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3ReportReader:
    def __init__(self, client: Any, max_bytes: int):
        self.client = client
        self.max_bytes = max_bytes

    def locate(self, event: ReportEvent) -> ReportObject:
        """HeadObject of the event's object; RejectedReport when it is absent or too large."""
        keys = [event.key]
        decoded = unquote_plus(event.key)
        if event.key_may_be_encoded and decoded != event.key:
            keys.append(decoded)
        for key in keys:
            found = self._head(event.bucket, key, event.version_id)
            if found is not None:
                return self._checked_size(found)
        version = f" version {event.version_id}" if event.version_id else ""
        raise RejectedReport(event.location, f"no such object{version}")

    def _head(self, bucket: str, key: str, version_id: str | None) -> ReportObject | None:
        request: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version_id:
            request["VersionId"] = version_id
        try:
            reply = self.client.head_object(**request)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise S3ReadError(f"s3://{bucket}/{key}: HeadObject failed: {exc}") from None
        except BotoCoreError as exc:
            raise S3ReadError(f"s3://{bucket}/{key}: HeadObject failed: {exc}") from None
        return ReportObject(bucket=bucket, key=key, etag=str(reply.get("ETag", "")).strip('"'),
                            size=int(reply.get("ContentLength", 0)),
                            version_id=reply.get("VersionId") if reply.get("VersionId") not in (None, "null") else None,
                            metadata={k.lower(): v for k, v in (reply.get("Metadata") or {}).items()},
                            last_modified=reply.get("LastModified"))

    def _checked_size(self, obj: ReportObject) -> ReportObject:
        if obj.size > self.max_bytes:
            raise RejectedReport(obj.location, f"report is {obj.size} bytes, over the {self.max_bytes}-byte limit "
                                               f"(SECPIPE_INGEST_MAX_BYTES)")
        return obj

    def read(self, obj: ReportObject) -> bytes:
        """The object's bytes, exactly the located version; never more than the limit."""
        request: dict[str, Any] = {"Bucket": obj.bucket, "Key": obj.key}
        if obj.version_id:
            request["VersionId"] = obj.version_id
        else:
            request["IfMatch"] = f'"{obj.etag}"'
        try:
            body = self.client.get_object(**request)["Body"]
            try:
                data = body.read(self.max_bytes + 1)
            finally:
                body.close()
        except ClientError as exc:
            # 412: replaced since HeadObject; the retry locates the new content.
            raise S3ReadError(f"{obj.location}: GetObject failed: {exc}") from None
        except BotoCoreError as exc:
            raise S3ReadError(f"{obj.location}: GetObject failed: {exc}") from None
        if len(data) > self.max_bytes:
            raise RejectedReport(obj.location,
                                 f"report is over the {self.max_bytes}-byte limit (SECPIPE_INGEST_MAX_BYTES)")
        self._check_digest(obj, data)
        return data

    @staticmethod
    def _check_digest(obj: ReportObject, data: bytes) -> None:
        """The archive stores the report's SHA-256; a mismatch means these are not the bytes the build saw."""
        expected = obj.metadata.get(CHECKSUM_METADATA)
        if expected and hashlib.sha256(data).hexdigest() != expected.lower():
            raise RejectedReport(obj.location, "content does not match its sha256 metadata (corrupted or replaced)")
