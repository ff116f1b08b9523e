"""Stable finding identity.

An Id must survive a re-run (so Security Hub updates instead of duplicating),
survive a moved line (so editing above an issue does not "fix" it and open a new
one), and be unique inside one report. The location key therefore uses the file,
URL, template resource or package, plus a hash of the code snippet where the tool
gives one, and never a line number. Findings that still collide are numbered in
report order (`occurrence`), which is also line-insensitive as long as their
order in the file is kept.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Final
from urllib.parse import urlsplit

from pipeline.finding import Finding

MAX_ID_LENGTH: Final = 512
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._:@/+=-]+")
#: The characters _UNSAFE leaves alone, as bytes.
_SAFE_BYTES: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@/+=-"
_SLASHES: Final = re.compile(r"/{2,}")
#: The line number Bandit puts before each line of a snippet (compiled once, not looked up per line).
_LINE_NUMBER: Final = re.compile(r"^\s*\d+\s")


def normalise_path(path: str) -> str:
    """One spelling per file: forward slashes, no leading ./ and no file:// scheme."""
    p = path.strip()
    if p.startswith("file://"):
        p = p[len("file://"):]
    p = p.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return _SLASHES.sub("/", p) if "//" in p else p


def snippet_hash(snippet: str | None) -> str:
    """Whitespace-insensitive hash of a code snippet, without line-number prefixes.

    Bandit prints snippets as "12 \tcode"; the numbers change when lines move.
    """
    if not snippet:
        return ""
    lines = []
    for line in snippet.splitlines():
        line = _LINE_NUMBER.sub("", line)
        line = "".join(line.split())
        if line:
            lines.append(line)
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()[:16] if lines else ""


def _url_key(url: str) -> str:
    """Scheme, host, port and path; query values change per request and are left out."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced '[' in the host: keep the text as the key
        return url
    query_names = sorted({kv.split("=", 1)[0] for kv in parts.query.split("&") if kv})
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}?{'&'.join(query_names)}"


def location_key(finding: Finding) -> str:
    """The line-insensitive 'where' of a finding."""
    if finding.fingerprint:
        return "fp:" + finding.fingerprint
    if finding.iac_location is not None:
        iac = finding.iac_location
        return f"iac:{normalise_path(iac.template)}#{iac.logical_id or ''}"
    if finding.code_locations:
        loc = finding.code_locations[0]
        return f"code:{normalise_path(loc.path)}#{snippet_hash(loc.snippet)}"
    if finding.web_locations:
        web = finding.web_locations[0]
        if len(finding.web_locations) > 1:
            # One finding per alert per site: the site is the location, instances are detail.
            try:
                parts = urlsplit(web.url)
            except ValueError:
                return f"site:{web.url}"
            return f"site:{parts.scheme}://{parts.netloc}"
        return f"web:{(web.method or '').upper()} {_url_key(web.url)} {web.parameter or ''}"
    if finding.packages:
        pkg = finding.packages[0]
        # The version is left out on purpose: upgrading to another vulnerable
        # version is the same unresolved issue.
        return f"pkg:{pkg.ecosystem or ''}:{pkg.name}:{normalise_path(pkg.file_path or '')}"
    text = f"{finding.title}\n{finding.description}".encode("utf-8", "surrogatepass")
    return "text:" + hashlib.sha256(text).hexdigest()[:16]


def number_occurrences(findings: Iterable[Finding]) -> list[Finding]:
    """Set `occurrence` so that (tool, rule, location key, occurrence) is unique in a report."""
    result = list(findings)
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    for finding in result:
        key = (finding.tool, finding.rule_id, location_key(finding))
        finding.occurrence = seen[key]
        seen[key] += 1
    return result


def finding_id(finding: Finding, repo: str, branch: str) -> str:
    """`<tool>/<rule>/<hash>`: readable prefix, unique and stable hash, at most 512 characters.

    Repo and branch are part of the hash because the same issue on two branches is
    two findings with separate lifecycles.
    """
    material = "\x1f".join([repo, branch, finding.tool, finding.rule_id, location_key(finding), str(finding.occurrence)])
    digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return _readable_prefix(finding.tool, finding.rule_id) + digest


@lru_cache(maxsize=4096)
def _readable_prefix(tool: str, rule: str) -> str:
    """`<tool>/<rule>/`, once per rule of a report rather than once per finding.

    Tool and rule are only a readable prefix (the digest carries identity), so
    they are made safe and short enough that the digest always fits.
    """
    return f"{_safe_part(tool, 100) or 'tool'}/{_safe_part(rule, 200) or 'rule'}/"


def _safe_part(text: str, limit: int) -> str:
    """`_UNSAFE.sub("_", text)[:limit]`. Most ids (CVE-2024-1234, python.lang.xss) are safe already,
    which deleting the safe bytes (bytes.translate, one pass in C) tells in a fraction of the
    regex's time: a report with thousands of distinct rules (one per CVE) misses the cache above."""
    if text.isascii() and not text.encode("ascii").translate(None, _SAFE_BYTES):
        return text[:limit]
    return _UNSAFE.sub("_", text)[:limit]


def generator_id(finding: Finding) -> str:
    """`<tool>/<rule>`; the rule keeps at least a few characters even when the tool name is huge."""
    tool = finding.tool.strip()[:MAX_ID_LENGTH // 2] or "unknown-tool"
    rule = finding.rule_id.strip() or "unknown-rule"
    return f"{tool}/{rule}"[:MAX_ID_LENGTH]
