"""OWASP ZAP reports: traditional XML and XML-plus, traditional JSON and JSON-plus.

One finding per alert per site, for EVERY site in the report (the reference
pipeline read only the first). Each instance of the alert (URL, method,
parameter, attack, evidence) is a web location of that finding, not a finding
of its own: ZAP reports one issue seen on many pages. Request and response
bodies of the "plus" formats are not carried over (they can hold cookies and
tokens, and would not fit in a finding anyway).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

from parsers._html_text import html_to_text, text_lines, urls_in
from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, Finding, WebLocation

CONFIDENCE_WORDS = {"0": "False Positive", "1": "Low", "2": "Medium", "3": "High", "4": "Confirmed"}
RISK_WORDS = {"0": "Informational", "1": "Low", "2": "Medium", "3": "High"}
_INSTANCE_FIELDS = ("uri", "method", "param", "attack", "evidence")


@dataclass
class Alert:
    """One alertitem of one site, with its fields as ZAP wrote them (strings)."""

    site: str
    fields: dict[str, str]
    instances: list[dict[str, str]] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: Element) -> dict[str, str]:
    return {_local(child.tag): (child.text or "") for child in element if len(child) == 0}


def _alerts_from_xml(root: Element) -> list[Alert]:
    alerts = []
    for site in root.iter():
        if _local(site.tag) != "site":
            continue
        name = site.get("name") or site.get("host") or "unknown-site"
        for item in site.iter():
            if _local(item.tag) != "alertitem":
                continue
            instances = [_child_text(inst) for inst in item.iter() if _local(inst.tag) == "instance"]
            alerts.append(Alert(site=name, fields=_child_text(item), instances=instances))
    return alerts


def _as_list(value: Any) -> list[Any]:
    # ZAP's older JSON (an XML-to-JSON conversion) writes a lone element as an object.
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _alerts_from_json(doc: dict[str, Any]) -> list[Alert]:
    alerts = []
    for site in _as_list(doc.get("site")):
        if not isinstance(site, dict):
            raise TypeError("a 'site' entry is not an object")
        name = _text(site.get("@name") or site.get("@host")) or "unknown-site"
        for item in _as_list(site.get("alerts")):
            if not isinstance(item, dict):
                raise TypeError("an alert is not an object")
            fields = {k: _text(v) for k, v in item.items() if not isinstance(v, (list, dict))}
            instances = [{k: _text(v) for k, v in inst.items() if not isinstance(v, (list, dict))}
                         for inst in _as_list(item.get("instances")) if isinstance(inst, dict)]
            alerts.append(Alert(site=name, fields=fields, instances=instances))
    return alerts


_DATE_FORMATS = ("%a, %d %b %Y %H:%M:%S", "%a, %d %b %Y %H:%M:%S %z")


def parse_generated(value: str | None) -> datetime | None:
    """ZAP's `generated` date in the English form; anything else (a localised
    "Fr., 30 Sep. 2022 08:40:35") gives None instead of a wrong date or a crash."""
    if not value:
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _references(reference_html: str) -> tuple[list[str], list[str]]:
    """(URLs, lines that are not URLs): ZAP writes one reference per paragraph."""
    urls: list[str] = []
    texts: list[str] = []
    for line in text_lines(reference_html):
        found = urls_in(line)
        if found:
            urls.extend(found)
        else:
            texts.append(line)
    return list(dict.fromkeys(urls)), texts


def _int_or_none(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@register
class ZapParser(Parser):
    name = "zap"
    category = Category.DAST
    formats = "ZAP traditional XML / XML-plus / JSON / JSON-plus"

    def sniff(self, report: Report) -> bool:
        if report.looks_like_xml():
            return _local(report.xml().tag) == "OWASPZAPReport"
        doc = report.json() if report.looks_like_json() else None
        return isinstance(doc, dict) and "site" in doc and ("@version" in doc or "@generated" in doc)

    def parse(self, report: Report) -> list[Finding]:
        if report.looks_like_xml():
            root = report.xml()
            expect(report, _local(root.tag) == "OWASPZAPReport",
                   f"not a ZAP XML report (root element is <{_local(root.tag)}>, expected <OWASPZAPReport>)")
            alerts, generated = _alerts_from_xml(root), root.get("generated")
        else:
            doc = report.json()
            expect(report, isinstance(doc, dict) and "site" in doc, "not a ZAP JSON report (no 'site')")
            alerts, generated = _alerts_from_json(doc), doc.get("created") or doc.get("@generated")
        observed = parse_generated(generated)
        return [self._finding(alert, observed) for alert in alerts]

    def _finding(self, alert: Alert, observed: datetime | None) -> Finding:
        f = alert.fields
        plugin = f.get("pluginid", "").strip() or "unknown"
        risk = f.get("riskcode", "").strip()
        riskdesc = f.get("riskdesc", "").strip()
        # riskdesc is "High (Medium)"; some report templates leave an i18n key in it.
        native = riskdesc if riskdesc and not riskdesc.startswith("!") else RISK_WORDS.get(risk, risk or None)
        confidence_code = f.get("confidence", "").strip()
        confidence = f.get("confidencedesc", "").strip() or CONFIDENCE_WORDS.get(confidence_code)
        title = (f.get("name") or f.get("alert") or "").strip() or f"ZAP alert {plugin}"
        description = html_to_text(f.get("desc"))
        other = html_to_text(f.get("otherinfo"))
        if other:
            description = f"{description}\n\nOther information: {other}" if description else other
        references, reference_texts = _references(f.get("reference", ""))
        if reference_texts:
            description = f"{description}\n\nReferences: {'; '.join(reference_texts)}"
        cwe = _int_or_none(f.get("cweid"))
        extra = {key: f[key].strip() for key in ("alertRef", "wascid", "sourceid", "count") if f.get(key, "").strip()}
        extra["site"] = alert.site
        return Finding(
            tool=self.name,
            rule_id=plugin,
            title=title,
            description=description or title,
            severity=severity.from_native(self.name, risk),
            native_severity=native,
            confidence=confidence,
            category=self.category,
            cwes=[cwe] if cwe else [],
            web_locations=[self._location(alert.site, inst) for inst in alert.instances],
            references=references,
            remediation=html_to_text(f.get("solution")) or None,
            # One alert per site is one issue however many pages show it; keying on
            # the site keeps its Id when the number of instances changes.
            fingerprint=f"zap-site:{alert.site}#{f.get('alertRef', '').strip() or plugin}",
            suppressed=confidence_code == "0",
            suppression_reason="marked as a false positive in ZAP (confidence 0)" if confidence_code == "0" else None,
            observed_at=observed,
            extra=extra,
        )

    @staticmethod
    def _location(site: str, instance: dict[str, str]) -> WebLocation:
        values = {k: (instance.get(k) or "").strip() or None for k in _INSTANCE_FIELDS}
        return WebLocation(url=values["uri"] or site, method=values["method"], parameter=values["param"],
                           attack=values["attack"], evidence=values["evidence"])
