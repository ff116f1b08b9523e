"""Advisory identifiers, CWE numbers and CVSS scores written inside free text.

SonarQube's dependency-check plugin and similar tools put
"Reference: CVE-2024-2529 | CVSS Score: 6.4 | Category: CWE-120" in a message;
these helpers pull the structured facts back out.
"""
from __future__ import annotations

import re

_CVE = re.compile(r"\bCVE-\d{4}-\d{4,}\b", re.IGNORECASE)
_GHSA = re.compile(r"\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b", re.IGNORECASE)
_CWE = re.compile(r"\bCWE-(\d+)\b", re.IGNORECASE)
_CVSS_SCORE = re.compile(r"CVSS(?:v?\d(?:\.\d)?)?\s*Score:\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def vulnerability_ids(text: str | None) -> list[str]:
    """CVE and GHSA ids in order of appearance (CVE ids upper-cased, GHSA ids in GitHub's lower case)."""
    if not text:
        return []
    found = [(m.start(), m.group(0).upper()) for m in _CVE.finditer(text)]
    found += [(m.start(), "GHSA" + m.group(0)[4:].lower()) for m in _GHSA.finditer(text)]
    return _unique([ident for _, ident in sorted(found)])


def cwe_numbers(text: str | None) -> list[int]:
    """CWE numbers mentioned as CWE-<n>; 0 (a placeholder some tools print) is left out."""
    numbers = [int(n) for n in _CWE.findall(text or "")]
    return list(dict.fromkeys(n for n in numbers if n > 0))


def cvss_score(text: str | None) -> float | None:
    """The first 'CVSS Score: x.y' in the text, when it is a valid score (0-10)."""
    match = _CVSS_SCORE.search(text or "")
    if not match:
        return None
    score = float(match.group(1))
    return score if 0.0 <= score <= 10.0 else None
