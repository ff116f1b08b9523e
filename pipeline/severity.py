"""Native severity -> Security Hub label.

Each tool's table lives here, in one place, so that the mapping is documented
and testable (parsers/README.md renders the same tables for people). Where a
CVSS score exists it wins, using the CVSS v3 qualitative bands.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from pipeline.finding import Cvss, Severity

# What an unknown or missing native value becomes: visible, never dropped, and
# high enough that it is not silently ignored by the default gate threshold.
UNKNOWN_SEVERITY = Severity.MEDIUM

_I, _L, _M, _H, _C = (Severity.INFORMATIONAL, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)

#: Per-tool tables. Keys are compared case-insensitively.
TABLES: dict[str, Mapping[str, Severity]] = {
    "bandit": {"low": _L, "medium": _M, "high": _H, "undefined": _I},
    "semgrep": {"info": _L, "low": _L, "warning": _M, "medium": _M, "error": _H, "high": _H, "critical": _C,
                "inventory": _I, "experiment": _I},
    "sonarqube": {"info": _I, "minor": _L, "major": _M, "critical": _C, "blocker": _H,
                  # hotspots: vulnerabilityProbability; software-quality impacts (SonarQube 10)
                  "low": _L, "medium": _M, "high": _H},
    "phpstan": {"error": _M},
    "zap": {"0": _I, "1": _L, "2": _M, "3": _H,
            "informational": _I, "info": _I, "low": _L, "medium": _M, "high": _H},
    "cfn-nag": {"fail": _H, "warn": _M},
    "cfn-lint": {"informational": _I, "warning": _M, "error": _H, "fatal": _C},
    "sarif": {"none": _I, "note": _I, "warning": _M, "error": _H},
    "npm-audit": {"info": _I, "low": _L, "moderate": _M, "high": _H, "critical": _C},
    "trivy": {"unknown": UNKNOWN_SEVERITY, "low": _L, "medium": _M, "high": _H, "critical": _C},
    "checkov": {"info": _I, "low": _L, "medium": _M, "high": _H, "critical": _C},
    "wapiti": {"0": _I, "1": _L, "2": _M, "3": _H, "4": _C},
    "dependency-check": {"info": _I, "low": _L, "moderate": _M, "medium": _M, "high": _H, "critical": _C},
    "pip-audit": {},  # pip-audit reports no severity: UNKNOWN_SEVERITY unless CVSS says more
}


def from_cvss_score(score: float) -> Severity:
    """CVSS v3/v4 qualitative bands: 0 none, 0.1-3.9 low, 4-6.9 medium, 7-8.9 high, 9-10 critical."""
    if score <= 0:
        return _I
    if score < 4.0:
        return _L
    if score < 7.0:
        return _M
    if score < 9.0:
        return _H
    return _C


def best_cvss_score(cvss: Iterable[Cvss]) -> float | None:
    """The score of the newest CVSS version present (v4 > v3.x > v2)."""
    scored = [c for c in cvss if c.score is not None]
    if len(scored) < 2:  # the usual case: nothing to rank
        return scored[0].score if scored else None
    return max(scored, key=lambda c: _version_key(c.version)).score


def _version_key(version: str) -> tuple[int, ...]:
    # Once per version text (a report has two or three); anything else is read as it comes.
    return _text_version_key(version) if type(version) is str else _read_version_key(version)


@lru_cache(maxsize=256)
def _text_version_key(version: str) -> tuple[int, ...]:
    return _read_version_key(version)


def _read_version_key(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split("."):
        parts.append(int(part) if part.isdigit() else 0)
    return tuple(parts)


def from_native(tool: str, native: str | None) -> Severity:
    """Map a tool's native severity word; unknown or missing values give UNKNOWN_SEVERITY."""
    if native is None:
        return UNKNOWN_SEVERITY
    table = TABLES.get(tool, {})
    return table.get(str(native).strip().lower(), UNKNOWN_SEVERITY)


def decide(tool: str, native: str | None, cvss: Iterable[Cvss] = ()) -> Severity:
    """CVSS wins where present; otherwise the tool's table."""
    score = best_cvss_score(cvss)
    if score is not None:
        return from_cvss_score(score)
    return from_native(tool, native)
