"""Inline suppressions (`# nosec`, `# nosemgrep`) kept as SUPPRESSED findings, with the comment as reason.

bandit and semgrep drop a result whose line carries their ignore comment, which
leaves no trail. Their runners turn that off (`--ignore-nosec`, `--disable-nosem`)
and this module marks each such finding suppressed instead, the reason being the
comment itself, as checkov's parser keeps a skip's comment: every accepted risk
stays visible, the same way for every tool, and never counts against the gate.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.finding import Finding

_ID_TOKEN = re.compile(r"[A-Za-z0-9_.\-/]+")


@dataclass(frozen=True)
class InlineMarker:
    """How one tool's ignore comment looks, and where it may sit relative to the finding."""

    pattern: re.Pattern[str]   # group "rest": what follows the marker (rule ids, a justification)
    lines_before: int = 0      # the comment may also stand alone this many lines above the finding
    rule_id_like: re.Pattern[str] = field(default=re.compile(r".+"))  # which tokens of "rest" name rules

    def comment(self, line: str) -> re.Match[str] | None:
        return self.pattern.search(line)

    def covers(self, match: re.Match[str], rule_id: str) -> bool:
        """A bare marker covers every rule; a marker naming rules covers only those."""
        named = [t for t in _ID_TOKEN.findall(match.group("rest") or "") if self.rule_id_like.fullmatch(t)]
        if not named:
            return True
        return any(rule_id == n or rule_id.endswith("." + n) or n.endswith("." + rule_id) for n in named)


MARKERS = {
    # `# nosec`, `# nosec B602`, `# nosec: B602, B607 - constant input`
    "bandit": InlineMarker(re.compile(r"#\s*nosec\b(?P<rest>.*)$"), rule_id_like=re.compile(r"B\d{3}")),
    # `# nosemgrep`, `// nosemgrep: rule-id`, on the line or alone on the line above
    "semgrep": InlineMarker(re.compile(r"(?:#|//|/\*|<!--|--)\s*nosemgrep\b(?P<rest>[^*>]*)"), lines_before=1,
                            rule_id_like=re.compile(r"(?![-_.])[A-Za-z0-9_.\-]*[A-Za-z][A-Za-z0-9_.\-]*")),
}


class _SourceLines:
    """Source files read once each, relative to the scanned tree."""

    def __init__(self, root: Path):
        self.root = root
        self._cache: dict[str, list[str]] = {}

    def get(self, path: str) -> list[str]:
        if path not in self._cache:
            try:
                self._cache[path] = (self.root / path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._cache[path] = []
        return self._cache[path]


def keep_inline_suppressed(findings: Iterable[Finding], root: Path, tool: str) -> list[Finding]:
    """The findings, those under an inline ignore comment of `tool` marked suppressed with it as reason."""
    marker = MARKERS[tool]
    sources = _SourceLines(root)
    result = []
    for finding in findings:
        comment = None if finding.suppressed else _comment_for(finding, marker, sources)
        if comment is not None:
            finding = replace(finding, suppressed=True, suppression_reason=comment)
        result.append(finding)
    return result


def _comment_for(finding: Finding, marker: InlineMarker, sources: _SourceLines) -> str | None:
    for location in finding.code_locations[:1]:
        if not location.start_line:
            continue
        lines = sources.get(location.path)
        first = max(1, location.start_line - marker.lines_before)
        last = max(location.start_line, location.end_line or location.start_line)
        for number in range(first, min(last, len(lines)) + 1):
            text = lines[number - 1]
            match = marker.comment(text)
            above = number < location.start_line
            if match is None or (above and text[:match.start()].strip()):
                continue  # a comment above the finding only counts when it stands on its own line
            if marker.covers(match, finding.rule_id):
                return text[match.start():].strip()
    return None
