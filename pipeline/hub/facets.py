"""The ProductFields the console offers as filters (a finding's secpipe scope), whose values
the store keeps in a small catalog so that listing them never scans every finding."""
from __future__ import annotations

FACET_FIELDS: dict[str, str] = {"tool": "secpipe/tool", "repo": "secpipe/repo", "branch": "secpipe/branch"}
FACET_KEYS: tuple[str, ...] = tuple(FACET_FIELDS.values())
