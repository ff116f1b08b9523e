"""Put the package (and the template CloudFormation reads) into the artifact bucket under
the package's content-named prefix, SSE-KMS with the pipeline's key (the bucket policy
refuses anything else). An object already there with the same sha256 is left alone."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from pipeline.deploy.errors import DeployError
from pipeline.packaging.manifest import MANIFEST_FILE, Manifest, sha256_of

SHA256_METADATA = "sha256"


@dataclass(frozen=True)
class Upload:
    key: str
    file: Path


def package_uploads(folder: Path, manifest: Manifest) -> list[Upload]:
    files = [artifact.path for artifact in manifest.artifacts] + [MANIFEST_FILE]
    return [Upload(key=f"{manifest.prefix}/{path}", file=folder / path) for path in files]


def template_upload(template: Path, manifest: Manifest) -> Upload:
    return Upload(key=f"{manifest.prefix}/cloudformation/{sha256_of(template)[:16]}-{template.name}", file=template)


def upload(s3: Any, bucket: str, key_arn: str, uploads: list[Upload]) -> list[str]:
    """The keys written (those already present unchanged are skipped)."""
    written = []
    for item in uploads:
        digest = sha256_of(item.file)
        if _stored_digest(s3, bucket, item.key) == digest:
            continue
        try:
            with item.file.open("rb") as body:
                s3.put_object(Bucket=bucket, Key=item.key, Body=body, ServerSideEncryption="aws:kms",
                              SSEKMSKeyId=key_arn, Metadata={SHA256_METADATA: digest})
        except ClientError as exc:
            raise DeployError(f"cannot upload {item.file.name} to s3://{bucket}/{item.key}: "
                              f"{exc.response.get('Error', {}).get('Message', exc)}") from None
        written.append(item.key)
    return written


def _stored_digest(s3: Any, bucket: str, key: str) -> str | None:
    try:
        return s3.head_object(Bucket=bucket, Key=key).get("Metadata", {}).get(SHA256_METADATA)
    except ClientError:
        return None
