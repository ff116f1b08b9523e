"""cfn-lint JSON (`cfn-lint --format json`): one finding per match.

A match is a rule firing at one place of one template; cfn-lint already emits
each place once, so nothing is grouped or dropped.
"""
from __future__ import annotations

from typing import Any

from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, Finding, IacLocation

_MATCH_KEYS = {"Rule", "Level", "Filename", "Location"}


def _position(location: dict[str, Any], edge: str) -> tuple[int | None, int | None]:
    point = location.get(edge) or {}
    line, column = point.get("LineNumber"), point.get("ColumnNumber")
    return (line if isinstance(line, int) and line > 0 else None,
            column if isinstance(column, int) and column > 0 else None)


def _logical_id(path: list[Any]) -> str | None:
    """`Location.Path` is the JSON path of the match: ["Resources", "<logical id>", ...]."""
    if len(path) >= 2 and path[0] == "Resources" and isinstance(path[1], str):
        return path[1]
    return None


@register
class CfnLintParser(Parser):
    name = "cfn-lint"
    category = Category.IAC
    formats = "cfn-lint --format json"
    prints_bare_empty_list = True

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        if doc == []:
            # cfn-lint prints a bare [] for a clean template. An empty list carries no
            # tool's mark (pip-audit's old layout can be one too); every reading of it
            # is "no findings", so claiming it is harmless.
            return True
        return isinstance(doc, list) and isinstance(doc[0], dict) and _MATCH_KEYS <= doc[0].keys()

    def parse(self, report: Report) -> list[Finding]:
        doc = report.json()
        expect(report, isinstance(doc, list), "not a cfn-lint JSON report (expected a list of matches)")
        return [self._finding(report, match) for match in doc]

    def _finding(self, report: Report, match: Any) -> Finding:
        expect(report, isinstance(match, dict) and isinstance(match.get("Rule"), dict) and "Filename" in match,
               "not a cfn-lint JSON report (a match lacks 'Rule' or 'Filename')")
        rule = match["Rule"]
        location = match.get("Location") or {}
        start_line, start_column = _position(location, "Start")
        path = location.get("Path") or []
        template = match["Filename"]
        native = match.get("Level")
        message = match.get("Message") or rule.get("Description") or rule["Id"]
        source = rule.get("Source")
        return Finding(
            tool=self.name,
            rule_id=rule["Id"],
            title=rule.get("ShortDescription") or message,
            description=message + (f"\n\nRule {rule['Id']}: {rule['Description']}" if rule.get("Description") else ""),
            severity=severity.from_native(self.name, native),
            native_severity=native,
            category=self.category,
            iac_location=IacLocation(template=template, logical_id=_logical_id(path), line=start_line),
            references=[source] if isinstance(source, str) and source.startswith("http") else [],
            extra={k: v for k, v in {"json-path": "/".join(str(p) for p in path), "column": str(start_column or ""),
                                     "match-id": match.get("Id")}.items() if v},
        )
