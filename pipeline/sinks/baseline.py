"""Baseline mode: which findings already exist on the target branch.

A finding's Id includes its branch, so the comparison asks: what Id would this
finding have on the target branch, and is that Id active there? The answer comes
from the hub (the findings of the last run on that branch) or from a
findings.asff.json saved by such a run.
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError


class BaselineSource(ABC):
    @abstractmethod
    def ids(self, repo: str, branch: str) -> set[str]:
        """Ids of the active findings of (repo, branch)."""


class FileBaseline(BaselineSource):
    """A findings.asff.json written by `secpipe scan` on the target branch."""

    def __init__(self, path: Path):
        self.path = path

    def ids(self, repo: str, branch: str) -> set[str]:
        try:
            findings = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{self.path}: cannot read baseline findings ({exc})") from None
        if not isinstance(findings, list):
            raise ConfigError(f"{self.path}: a baseline must be a JSON array of ASFF findings")
        return {f["Id"] for f in findings if isinstance(f, dict) and _in_scope(f, repo, branch)}


class HubBaseline(BaselineSource):
    """Active findings of the target branch in Security Hub or the local hub."""

    def __init__(self, client: Any):
        self.client = client

    def ids(self, repo: str, branch: str) -> set[str]:
        filters = {
            "ProductFields": [
                {"Key": "secpipe/repo", "Value": repo, "Comparison": "EQUALS"},
                {"Key": "secpipe/branch", "Value": branch, "Comparison": "EQUALS"},
            ],
            "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
        }
        ids: set[str] = set()
        for page in self.client.get_paginator("get_findings").paginate(Filters=filters, PaginationConfig={"PageSize": 100}):
            ids.update(f["Id"] for f in page["Findings"] if _in_scope(f, repo, branch))
        return ids


def _in_scope(finding: dict[str, Any], repo: str, branch: str) -> bool:
    fields = finding.get("ProductFields") or {}
    return fields.get("secpipe/repo") == repo and fields.get("secpipe/branch") == branch
