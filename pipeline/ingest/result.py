"""What one ingested object returns: a small JSON-able summary."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PUBLISHED, DUPLICATE, REJECTED, SUPERSEDED = "published", "duplicate", "rejected", "superseded"


@dataclass(frozen=True)
class IngestResult:
    # published | duplicate (delivered before; the first run's figures) | rejected (permanent)
    # | superseded (a newer report of the same scope was already ingested; nothing imported)
    status: str
    location: str
    revision: str | None = None  # the version or ETag that was ingested
    tool: str | None = None
    repo: str | None = None
    branch: str | None = None
    complete: bool = False
    sent: int = 0
    accepted: int = 0
    failed: int = 0
    archived: int = 0
    suppressed: int = 0
    error: str | None = None
    superseded_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "IngestResult":
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)
