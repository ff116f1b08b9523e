"""Which (repo, branch, tool) scopes a publish covers, and whether they are complete."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.errors import ConfigError
from pipeline.sinks.archival import scope_of
from pipeline.sinks.base import Scope


def derive_scopes(findings: Sequence[dict[str, Any]], complete: bool, extra_tools: Iterable[str] = (),
                  repo: str | None = None, branch: str | None = None) -> list[Scope]:
    """Scopes named by the findings' ProductFields, plus `extra_tools` on (repo, branch).

    Extra tools are how a complete run that found nothing is declared: there is no
    finding to name its scope. Their repo and branch are the given ones, else the
    single repo/branch of the findings.
    """
    triples = {t for t in (scope_of(f) for f in findings) if t}
    extra = list(extra_tools)
    if extra:
        repo = repo or _only({r for r, _, _ in triples}, "repo")
        branch = branch or _only({b for _, b, _ in triples}, "branch")
        triples.update((repo, branch, tool) for tool in extra)
    return [Scope(repo=r, branch=b, tool=t, complete=complete) for r, b, t in sorted(triples)]


def _only(values: set[str], name: str) -> str:
    if len(values) != 1:
        found = ", ".join(sorted(values)) or "none"
        raise ConfigError(f"--scope-tool needs --{name}: the findings name {len(values)} {name}s ({found})")
    return next(iter(values))
