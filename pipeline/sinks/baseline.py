"""Baseline mode: which findings already exist on the target branch.

A finding's Id includes its branch, so the comparison asks: what Id would this
finding have on the target branch, and is that Id active there? The answer comes
from the hub (the findings of the last run on that branch) or from a
findings.asff.json saved by such a run. Either is read before this run publishes:
the baseline is what was there before.
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.sinks.history import active_findings


class BaselineSource(ABC):
    @abstractmethod
    def ids(self, repo: str, branch: str) -> set[str]:
        """Ids of the active findings of (repo, branch)."""

    def branch_for(self, repo: str) -> str | None:
        """The branch this baseline is of, when it knows (a file does; a hub holds every branch)."""
        return None


class FileBaseline(BaselineSource):
    """A findings.asff.json written by `secpipe scan` on the target branch; read (and checked) at once."""

    def __init__(self, path: Path):
        self.path = path
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"--baseline {path}: cannot read ({exc.strerror})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"--baseline {path}: not JSON ({exc})") from None
        if not isinstance(document, list) or not all(isinstance(f, dict) and "Id" in f for f in document):
            raise ConfigError(f"--baseline {path}: a baseline must be a JSON array of ASFF findings "
                              "(findings.asff.json of a scan)")
        self.findings: list[dict[str, Any]] = document

    def ids(self, repo: str, branch: str) -> set[str]:
        return {f["Id"] for f in self.findings if _in_scope(f, repo, branch)}

    def branch_for(self, repo: str) -> str | None:
        branches = sorted({str((f.get("ProductFields") or {}).get("secpipe/branch"))
                           for f in self.findings if (f.get("ProductFields") or {}).get("secpipe/repo") == repo})
        if len(branches) > 1:
            raise ConfigError(f"--baseline {self.path}: holds findings of branches {', '.join(branches)} of {repo}; "
                              "set [gate] baseline_branch to say which one is the baseline")
        return branches[0] if branches else None


class HubBaseline(BaselineSource):
    """Active findings of the target branch in Security Hub or the local hub."""

    def __init__(self, client: Any):
        self.client = client

    def ids(self, repo: str, branch: str) -> set[str]:
        return {f["Id"] for f in active_findings(self.client, repo, branch)}


def _in_scope(finding: dict[str, Any], repo: str, branch: str) -> bool:
    fields = finding.get("ProductFields") or {}
    return fields.get("secpipe/repo") == repo and fields.get("secpipe/branch") == branch
