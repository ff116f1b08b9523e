"""What the hub held for (repo, branch) before this run: first sightings and reviewers' triage.

Read before publishing, because publishing changes it: the FirstObservedAt a
finding keeps across runs, and the Workflow status a person set on it.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.triage import Triage, triage_of


@dataclass(frozen=True)
class PriorFinding:
    first_observed_at: str | None
    triage: Triage | None
    tool: str | None = None  # its secpipe/tool: which tool's scope it belongs to


class HistorySource(ABC):
    @abstractmethod
    def findings(self, repo: str, branch: str) -> dict[str, PriorFinding]:
        """Id -> what the hub knows of that finding, for the active findings of (repo, branch)."""


def active_findings(client: Any, repo: str, branch: str) -> Iterator[dict[str, Any]]:
    """The hub's active findings of (repo, branch), checked client-side too (a loose hub cannot widen them)."""
    filters = {
        "ProductFields": [
            {"Key": "secpipe/repo", "Value": repo, "Comparison": "EQUALS"},
            {"Key": "secpipe/branch", "Value": branch, "Comparison": "EQUALS"},
        ],
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    }
    for page in client.get_paginator("get_findings").paginate(Filters=filters, PaginationConfig={"PageSize": 100}):
        for finding in page["Findings"]:
            fields = finding.get("ProductFields") or {}
            if fields.get("secpipe/repo") == repo and fields.get("secpipe/branch") == branch:
                yield finding


class HubHistory(HistorySource):
    def __init__(self, client: Any):
        self.client = client

    def findings(self, repo: str, branch: str) -> dict[str, PriorFinding]:
        return {f["Id"]: PriorFinding(first_observed_at=f.get("FirstObservedAt"), triage=triage_of(f),
                                      tool=(f.get("ProductFields") or {}).get("secpipe/tool"))
                for f in active_findings(self.client, repo, branch)}
