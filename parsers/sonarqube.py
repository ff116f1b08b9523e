"""SonarQube: issues API (/api/issues/search), hotspots API (/api/hotspots/search),
the flattened issues list of an API client, and the sonar-report export.

The API is paged; a collector saves every page, so a report may be a list of page
documents (each with `issues` or `hotspots`) as well as a single page. Every
issue of every page is read (the reference pipeline kept only the first page).

Closed items are skipped: issues RESOLVED or CLOSED (fixed, false positive,
won't fix), issues ACCEPTED, and hotspots REVIEWED as SAFE or FIXED. They are
not open problems, and SonarQube itself already records who closed them and why.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parsers._advisory_ids import cvss_score, cwe_numbers, vulnerability_ids
from parsers._html_text import html_to_text
from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, CodeLocation, Cvss, Finding, Package

CLOSED_ISSUE_STATUSES = {"RESOLVED", "CLOSED", "ACCEPTED", "FALSE_POSITIVE", "FIXED"}
CLOSED_HOTSPOT_RESOLUTIONS = {"SAFE", "FIXED"}
_PAGE_KEYS = {"paging", "p", "ps", "total", "effortTotal", "components", "facets"}
_EXPORT_KEYS = {"sonarComponent", "hotspotKeys", "sonarBaseURL"}
_ITEM_KEYS = {"key", "component"}
_IMPACT_ORDER = {"INFO": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "BLOCKER": 4}
# The OWASP dependency-check plugin writes "Filename: name:1.2.3 | Reference: CVE-..." in its message.
_PLUGIN_FILENAME = re.compile(r"Filename:\s*([^|]+?)\s*(?:\||$)")


@dataclass
class Item:
    """One issue or hotspot with what its page knows about it."""

    data: dict[str, Any]
    is_hotspot: bool
    paths: dict[str, str]  # component key -> file path, from the page's `components`
    rules: dict[str, Any]  # rule key -> rule (sonar-report export only)


def _is_item(value: Any) -> bool:
    return isinstance(value, dict) and _ITEM_KEYS <= value.keys() and ("rule" in value or "ruleKey" in value)


def _is_page(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("hotspots"), list):
        return "paging" in value
    return isinstance(value.get("issues"), list) and bool(value.keys() & (_PAGE_KEYS | _EXPORT_KEYS))


def _component_paths(page: dict[str, Any]) -> dict[str, str]:
    paths = {}
    for component in page.get("components") or []:
        if isinstance(component, dict) and component.get("key") and component.get("path"):
            paths[component["key"]] = component["path"]
    return paths


def _items(doc: Any) -> Iterator[Item]:
    pages = doc if isinstance(doc, list) and doc and _is_page(doc[0]) else [doc]
    for page in pages:
        if isinstance(page, list):  # the raw issues list, already flattened by a client
            for entry in page:
                if not _is_item(entry):
                    raise TypeError("an entry of the issues list has no 'key', 'rule' and 'component'")
                yield Item(entry, False, {}, {})
            continue
        if not _is_page(page):
            raise TypeError("a page has neither 'issues' nor 'hotspots'")
        paths = _component_paths(page)
        rules = page.get("rules") if isinstance(page.get("rules"), dict) else {}
        for entry in page.get("issues") or []:
            yield Item(entry, False, paths, rules)
        for entry in page.get("hotspots") or []:
            yield Item(entry, True, paths, rules)


def is_closed(item: Item) -> bool:
    status = str(item.data.get("status") or "").upper()
    if item.is_hotspot:
        return status == "REVIEWED" and str(item.data.get("resolution") or "").upper() in CLOSED_HOTSPOT_RESOLUTIONS
    return status in CLOSED_ISSUE_STATUSES or str(item.data.get("issueStatus") or "").upper() in CLOSED_ISSUE_STATUSES


def _native_severity(item: Item) -> str | None:
    data = item.data
    if item.is_hotspot:
        return data.get("vulnerabilityProbability")
    if data.get("severity"):
        return data["severity"]
    # SonarQube 10 "clean code" issues may carry only impacts; the worst one counts.
    impacts = [i.get("severity") for i in data.get("impacts") or [] if isinstance(i, dict) and i.get("severity")]
    return max(impacts, key=lambda s: _IMPACT_ORDER.get(str(s).upper(), -1)) if impacts else None


def _path(item: Item) -> str | None:
    """The file of an issue: the page's component path, else the component key
    after "<project>:"; None when the issue is on the project itself."""
    component = item.data.get("component") or ""
    if component in item.paths:
        return item.paths[component]
    project = item.data.get("project")
    if not component or component == project:
        return None
    if project and component.startswith(f"{project}:"):
        return component[len(project) + 1:]
    return component.split(":", 1)[1] if ":" in component else component


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _plugin_package(message: str) -> Package | None:
    match = _PLUGIN_FILENAME.search(message)
    if not match:
        return None
    name, sep, version = match.group(1).rpartition(":")
    return Package(name=name, version=version) if sep and name else Package(name=match.group(1))


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@register
class SonarQubeParser(Parser):
    name = "sonarqube"
    category = Category.SAST
    formats = "SonarQube issues/hotspots API JSON (one page or a list of pages), issues list, sonar-report JSON"

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        if isinstance(doc, list) and doc:
            return _is_page(doc[0]) or _is_item(doc[0])
        return _is_page(doc)

    def parse(self, report: Report) -> list[Finding]:
        doc = report.json()
        expect(report, _is_page(doc) or (isinstance(doc, list) and (not doc or _is_page(doc[0]) or _is_item(doc[0]))),
               "not a SonarQube report (expected an issues or hotspots API page, a list of pages, or an issues list)")
        return [self._finding(item) for item in _items(doc) if not is_closed(item)]

    def _finding(self, item: Item) -> Finding:
        data = item.data
        rule = data.get("ruleKey") if item.is_hotspot else data.get("rule")
        rule = str(rule or "unknown-rule")
        message = str(data.get("message") or "").strip()
        text_range = data.get("textRange") or {}
        start = _line(text_range.get("startLine")) or _line(data.get("line"))
        path = _path(item)
        native = _native_severity(item)
        score = cvss_score(message)
        cvss = [Cvss(version="3.1", score=score, source="message")] if score is not None else []
        package = _plugin_package(message)
        extra = {
            "issue-key": data.get("key"),
            "type": "SECURITY_HOTSPOT" if item.is_hotspot else data.get("type"),
            "status": data.get("status"),
            "project": data.get("project"),
            "component": data.get("component"),
            "security-category": data.get("securityCategory"),
            "tags": ",".join(data.get("tags") or []),
        }
        return Finding(
            tool=self.name,
            rule_id=rule,
            title=message.splitlines()[0] if message else rule,
            description=self._description(item, rule, message),
            severity=severity.decide(self.name, native, cvss),
            native_severity=native,
            category=self.category,
            cwes=cwe_numbers(message),
            vulnerability_ids=vulnerability_ids(message),
            cvss=cvss,
            packages=[package] if package else [],
            code_locations=[CodeLocation(path=path, start_line=start,
                                         end_line=_line(text_range.get("endLine")) or start,
                                         start_column=text_range.get("startOffset"))] if path else [],
            # SonarQube tracks an issue under one key across analyses, even when its line moves.
            fingerprint=f"sonar:{data['key']}" if data.get("key") else None,
            observed_at=_date(data.get("creationDate")),
            extra={k: str(v) for k, v in extra.items() if v},
        )

    @staticmethod
    def _description(item: Item, rule: str, message: str) -> str:
        parts = [message or rule, f"Rule: {rule}"]
        rule_info = item.rules.get(rule) if isinstance(item.rules.get(rule), dict) else None
        if rule_info:
            if rule_info.get("name"):
                parts[1] = f"Rule: {rule} ({rule_info['name']})"
            details = html_to_text(rule_info.get("htmlDesc"))
            if details:
                parts.append(details)
        elif item.data.get("description") and item.data["description"] != message:
            parts.append(str(item.data["description"]))
        return "\n\n".join(parts)
