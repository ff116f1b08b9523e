"""The ReportArchive interface and the one key layout both archives share.

Key: reports/{repo}/{branch}/{build_id}/{tool}/{filename}. Each part is
percent-encoded (a '/' in a branch such as feature/x becomes %2F), so the layout
stays unambiguous and no part can climb out of its folder with '..'.
What the build made from all its tools (report.html, summary.json, ...) sits
beside the tool folders: reports/{repo}/{branch}/{build_id}/{filename}, one part
fewer, so no reader of the layout takes it for a tool's report.
"""
from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from urllib.parse import quote

from pipeline.errors import ConfigError

KEY_PREFIX = "reports"
_SAFE = "-_.~@+=,:"


@dataclass(frozen=True)
class ReportRef:
    repo: str
    branch: str
    build_id: str
    tool: str
    filename: str

    def parts(self) -> list[str]:
        return [encode_part(name, value) for name, value in (
            ("repo", self.repo), ("branch", self.branch), ("build id", self.build_id),
            ("tool", self.tool), ("filename", self.filename))]

    @property
    def key(self) -> str:
        return "/".join([KEY_PREFIX, *self.parts()])


@dataclass(frozen=True)
class BuildFileRef:
    """A file of the whole build, not of one tool: reports/{repo}/{branch}/{build_id}/{filename}."""

    repo: str
    branch: str
    build_id: str
    filename: str  # may name a sub-folder ("raw/x.log"); its '/' is encoded, so it stays one part

    def parts(self) -> list[str]:
        return [encode_part(name, value) for name, value in (
            ("repo", self.repo), ("branch", self.branch), ("build id", self.build_id), ("filename", self.filename))]

    @property
    def key(self) -> str:
        return "/".join([KEY_PREFIX, *self.parts()])


ArchiveRef = ReportRef | BuildFileRef


def encode_part(name: str, value: str) -> str:
    """One key part, percent-encoded; ConfigError for an empty, '.' or '..' part."""
    if not value or not value.strip():
        raise ConfigError(f"cannot archive a report without a {name}")
    encoded = quote(value.strip(), safe=_SAFE)
    if encoded in (".", ".."):
        raise ConfigError(f"{name} {value!r} is not a usable archive path part")
    return encoded


@dataclass(frozen=True)
class StoredReport:
    location: str  # a path or an s3:// URL
    key: str
    size: int
    sha256: str


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ReportArchive(ABC):
    @abstractmethod
    def store(self, ref: ArchiveRef, data: bytes) -> StoredReport:
        """Keep `data` under ref's key; return where it went."""

    @abstractmethod
    def fetch(self, ref: ArchiveRef) -> bytes:
        """The stored bytes, unchanged."""
