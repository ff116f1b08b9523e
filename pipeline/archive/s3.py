"""Reports archived in S3, encrypted with a KMS key when one is given (SSE-KMS).

The seed pipeline's bucket policy denies puts without aws:kms; without a key id
the bucket's default encryption applies. The SHA-256 of the report is stored as
object metadata so a later reader can tell the report is the one the build saw.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from pipeline.archive.base import ArchiveRef, ReportArchive, StoredReport, digest
from pipeline.sinks.retrying import HubError


class ArchiveError(HubError):
    """The archive could not store or return a report (exit 1: not the user's input)."""


class S3Archive(ReportArchive):
    def __init__(self, client: Any, bucket: str, kms_key_id: str | None = None):
        self.client = client
        self.bucket = bucket
        self.kms_key_id = kms_key_id

    def store(self, ref: ArchiveRef, data: bytes) -> StoredReport:
        key = ref.key
        checksum = digest(data)
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Body": data,
                                   "ContentType": _content_type(ref.filename), "Metadata": {"sha256": checksum}}
        if self.kms_key_id:
            request.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=self.kms_key_id)
        try:
            self.client.put_object(**request)
        except (BotoCoreError, ClientError) as exc:
            raise ArchiveError(f"cannot archive {ref.filename} to s3://{self.bucket}/{key}: {exc}") from None
        return StoredReport(location=f"s3://{self.bucket}/{key}", key=key, size=len(data), sha256=checksum)

    def fetch(self, ref: ArchiveRef) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=ref.key)["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise ArchiveError(f"cannot read s3://{self.bucket}/{ref.key}: {exc}") from None


def _content_type(filename: str) -> str:
    lowered = filename.lower()
    if lowered.endswith((".json", ".sarif")):
        return "application/json"
    if lowered.endswith(".xml"):
        return "application/xml"
    if lowered.endswith((".html", ".htm")):
        return "text/html"
    return "application/octet-stream"
