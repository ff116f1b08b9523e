"""manifest.json of a package folder: each file's sha256, and the S3 prefix the
package is uploaded under (named after its contents, so an upload never replaces the
files a running pipeline execution reads)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

MANIFEST_FILE = "manifest.json"
PACKAGES_PREFIX = "packages"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to the package folder, forward slashes
    sha256: str


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    python: str  # the Lambda runtime the zip's dependencies were installed for
    wheel: Artifact
    lambda_zip: Artifact
    buildspecs: tuple[Artifact, ...]

    @property
    def artifacts(self) -> tuple[Artifact, ...]:
        return (self.wheel, self.lambda_zip, *self.buildspecs)

    @property
    def prefix(self) -> str:
        """packages/<version>-<first 16 hex digits of the digest of every file>."""
        listing = "".join(f"{a.sha256}  {a.path}\n" for a in sorted(self.artifacts, key=lambda a: a.path))
        return f"{PACKAGES_PREFIX}/{self.version}-{hashlib.sha256(listing.encode()).hexdigest()[:16]}"

    def to_json(self) -> str:
        document = {**asdict(self), "buildspecs": [asdict(a) for a in self.buildspecs]}
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST_FILE
        path.write_text(self.to_json(), encoding="utf-8")
        return path


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST_FILE
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(name=document["name"], version=document["version"], python=document["python"],
                            wheel=Artifact(**document["wheel"]), lambda_zip=Artifact(**document["lambda_zip"]),
                            buildspecs=tuple(Artifact(**a) for a in document["buildspecs"]))
    except OSError:
        raise ConfigError(f"{folder}: no {MANIFEST_FILE} (make one with secpipe package --out {folder})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a secpipe package manifest ({exc})") from None
    for artifact in manifest.artifacts:
        file = folder / artifact.path
        if not file.is_file() or sha256_of(file) != artifact.sha256:
            raise ConfigError(f"{file}: missing or changed since secpipe package wrote {MANIFEST_FILE}")
    return manifest
