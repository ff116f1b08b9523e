"""The Sink interface: where validated ASFF findings go."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scope:
    """One tool's findings on one repo and branch: the unit of stale-finding archival.

    `complete` is False for an incomplete or failed run, which must archive nothing.
    `known_active`: the Ids of the scope's active findings as the hub held them before this
    run, when the caller read them (a scan does, for first sightings and triage); None when
    unknown. When every one of them is published again, nothing of the scope can be stale,
    and the hub is not asked (a query that returns every current finding just to drop it).
    """

    repo: str
    branch: str
    tool: str
    complete: bool
    known_active: frozenset[str] | None = field(default=None, compare=False)


@dataclass
class FailedFinding:
    id: str
    error_code: str
    error_message: str

    def __post_init__(self) -> None:
        # Printed one per line: a hub's message ending in a newline (or holding one) must not
        # break that line in two.
        self.error_message = " ".join(self.error_message.split())


@dataclass
class PublishResult:
    sent: int = 0
    accepted: int = 0
    failed: list[FailedFinding] = field(default_factory=list)
    archived: int = 0
    suppressed: int = 0
    requests: int = 0
    throttles: int = 0

    @property
    def ok(self) -> bool:
        """A lost finding is a failed run: everything sent must be accepted."""
        return not self.failed and self.accepted == self.sent


class Sink(ABC):
    name: str

    @abstractmethod
    def publish(self, findings: Sequence[dict[str, Any]], scopes: list[Scope]) -> PublishResult:
        """Import findings, archive stale ones of complete scopes, apply suppressions."""
