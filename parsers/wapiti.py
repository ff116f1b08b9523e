"""Wapiti JSON (`-f json`) and XML (`-f xml`): one finding per distinct request.

Wapiti lists each issue as an entry (method, path, parameter, info, level)
under its category, and repeats the identical entry when several crawled
pages led to the same request. secpipe makes one finding per distinct
(category, method, path, parameter, info) and folds the repeats, counting them
in ProductFields; its Id rests on method + path + parameter (+ info for the
parameterless header and cookie checks), so each vulnerable URL has its own
lifecycle in Security Hub. Vulnerabilities, anomalies and additionals are all
imported; their level (0-4) gives the severity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, Finding, WebLocation

_CWE = re.compile(r"\bCWE-(\d+)\b")
#: Report sections, in the order wapiti writes them, and the word used in ProductFields.
SECTIONS = {"vulnerabilities": "vulnerability", "anomalies": "anomaly", "additionals": "additional"}


@dataclass
class _Category:
    """One wapiti category (e.g. 'Cross Site Scripting') with its entries, format-neutral."""

    name: str
    section: str
    description: str = ""
    solution: str = ""
    references: list[tuple[str, str]] = field(default_factory=list)  # (title, url)
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cwes(self) -> list[int]:
        found: list[int] = []
        for title, url in self.references:
            for match in _CWE.finditer(title):
                if int(match.group(1)) not in found:
                    found.append(int(match.group(1)))
            if "cwe.mitre.org/data/definitions/" in url:
                number = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
                if number.isdigit() and int(number) not in found:
                    found.append(int(number))
        return found


@dataclass
class _Scan:
    target: str
    date: datetime | None
    version: str | None
    categories: list[_Category]


def parse_date(value: str | None) -> datetime | None:
    """Wapiti writes RFC 2822 dates ('Thu, 01 Jan 1970 00:00:00 +0000'); ASFF needs RFC 3339."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None


def _scan_from_json(report: Report, doc: dict[str, Any]) -> _Scan:
    infos = doc.get("infos") or {}
    classifications = doc.get("classifications") or {}
    categories = []
    for section in SECTIONS:
        groups = doc.get(section) or {}
        expect(report, isinstance(groups, dict), f"not a wapiti JSON report ('{section}' is not an object)")
        for name, entries in groups.items():
            expect(report, isinstance(entries, list) and all(isinstance(e, dict) for e in entries),
                   f"not a wapiti JSON report ('{section}.{name}' is not a list of entries)")
            info = classifications.get(name) or {}
            refs = info.get("ref") or {}
            categories.append(_Category(
                name=name, section=section, description=info.get("desc") or "", solution=info.get("sol") or "",
                references=[(str(t), str(u)) for t, u in refs.items()] if isinstance(refs, dict) else [],
                entries=entries,
            ))
    return _Scan(target=str(infos.get("target") or ""), date=parse_date(infos.get("date")),
                 version=infos.get("version"), categories=categories)


def _text(element: Element | None, tag: str) -> str:
    child = element.find(tag) if element is not None else None
    return (child.text or "").strip() if child is not None else ""


def _scan_from_xml(report: Report, root: Element) -> _Scan:
    infos = {i.get("name"): (i.text or "").strip() for i in root.iter("info") if i.get("name")}
    categories = []
    for section, item_tag in SECTIONS.items():
        container = root.find(section)
        if container is None:
            continue
        for item in container.findall(item_tag):
            entries = []
            for entry in item.iterfind("entries/entry"):
                entries.append({tag: _text(entry, tag) for tag in
                                ("method", "path", "level", "parameter", "info", "http_request", "curl_command", "wstg")})
            references = [(_text(ref, "title"), _text(ref, "url")) for ref in item.iterfind("references/reference")]
            categories.append(_Category(
                name=item.get("name") or "unknown", section=section, description=_text(item, "description"),
                solution=_text(item, "solution"), references=references, entries=entries,
            ))
    return _Scan(target=infos.get("target", ""), date=parse_date(infos.get("dateOfScan")),
                 version=infos.get("generatorVersion"), categories=categories)


def _url(target: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    base = urlsplit(target)
    if not base.scheme:
        return path or target or "unknown"
    return f"{base.scheme}://{base.netloc}{path if path.startswith('/') else '/' + path}"


def _is_json_report(doc: Any) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("vulnerabilities"), dict)
            and isinstance(doc.get("infos"), dict) and "target" in doc["infos"]
            and ("classifications" in doc or "anomalies" in doc))


@register
class WapitiParser(Parser):
    name = "wapiti"
    category = Category.DAST
    formats = "wapiti -f json, wapiti -f xml"

    def sniff(self, report: Report) -> bool:
        if report.looks_like_json():
            return _is_json_report(report.json())
        if report.looks_like_xml():
            root = report.xml()
            return root.tag == "report" and root.find("report_infos") is not None and root.find("vulnerabilities") is not None
        return False

    def parse(self, report: Report) -> list[Finding]:
        if report.looks_like_xml():
            root = report.xml()
            expect(report, root.tag == "report" and root.find("vulnerabilities") is not None,
                   "not a wapiti XML report (no <report> with <vulnerabilities>)")
            scan = _scan_from_xml(report, root)
        else:
            doc = report.json()
            expect(report, _is_json_report(doc), "not a wapiti JSON report (no 'vulnerabilities' and 'infos' objects)")
            scan = _scan_from_json(report, doc)
        findings: list[Finding] = []
        index: dict[tuple[str, ...], Finding] = {}
        for category in scan.categories:
            for entry in category.entries:
                key = (category.section, category.name, str(entry.get("method") or "").upper(), str(entry.get("path") or ""),
                       str(entry.get("parameter") or ""), str(entry.get("info") or ""))
                if key in index:
                    repeated = index[key]
                    repeated.extra["repeats"] = str(int(repeated.extra.get("repeats", "1")) + 1)
                    continue
                index[key] = self._finding(scan, category, entry)
                findings.append(index[key])
        return findings

    def _finding(self, scan: _Scan, category: _Category, entry: dict[str, Any]) -> Finding:
        method = str(entry.get("method") or "GET").upper()
        path = str(entry.get("path") or "/")
        parameter = str(entry.get("parameter") or "") or None
        info = str(entry.get("info") or "").strip()
        level = str(entry.get("level", "")).strip() or None
        url = _url(scan.target, path)
        description = f"{info}\n\n{category.description}".strip() if info else category.description
        extra = {"section": SECTIONS[category.section], "level": level or "", "target": scan.target,
                 "http-request": str(entry.get("http_request") or ""), "curl-command": str(entry.get("curl_command") or ""),
                 "wstg": ",".join(entry["wstg"]) if isinstance(entry.get("wstg"), list) else str(entry.get("wstg") or ""),
                 "scanner-version": scan.version or ""}
        # Line- and payload-insensitive identity: the request target, plus the message
        # where there is no parameter (header and cookie checks share one URL).
        fingerprint = f"{method} {url.split('?', 1)[0]} {parameter or ''}" + ("" if parameter else f" {info}")
        return Finding(
            tool=self.name,
            rule_id=category.name,
            title=f"{category.name}: {info}" if info else category.name,
            description=description or category.name,
            severity=severity.from_native(self.name, level),
            native_severity=level,
            category=self.category,
            cwes=category.cwes,
            web_locations=[WebLocation(url=url, method=method, parameter=parameter,
                                       attack=str(entry.get("http_request") or "") or None)],
            references=[u for _, u in category.references if u],
            remediation=category.solution or None,
            fingerprint=fingerprint,
            observed_at=scan.date,
            extra={k: v for k, v in extra.items() if v},
        )
