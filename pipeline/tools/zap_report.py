"""ZAP's traditional JSON report, built from the alerts API of every site.

The alerts API gives one record per (alert, URL); the traditional report groups
them per site into alert items with their instances, and writes prose fields as
HTML paragraphs. Building it here (instead of calling the legacy
core/other/jsonreport) lets the runner page through every site's alerts and
know it has them all, and it gives the "zap" parser the format it reads.
"""
from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

RISK_CODES = {"informational": "0", "low": "1", "medium": "2", "high": "3"}
CONFIDENCE_CODES = {"false positive": "0", "low": "1", "medium": "2", "high": "3", "confirmed": "4",
                    "user confirmed": "4"}
FALSE_POSITIVE = "0"
_INSTANCE_FIELDS = {"uri": "url", "method": "method", "param": "param", "attack": "attack",
                    "evidence": "evidence", "otherinfo": "other"}


def paragraphs(text: str) -> str:
    """Plain API text -> the <p>-per-line HTML the traditional report uses."""
    return "".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def _group_key(alert: dict[str, Any]) -> tuple[str, str, str, str]:
    return (str(alert.get("alertRef") or alert.get("pluginId") or ""), str(alert.get("name") or alert.get("alert") or ""),
            str(alert.get("risk") or ""), str(alert.get("confidence") or ""))


def _alert_item(records: list[dict[str, Any]]) -> dict[str, Any]:
    first = records[0]
    risk = RISK_CODES.get(str(first.get("risk", "")).strip().lower(), "")
    confidence = CONFIDENCE_CODES.get(str(first.get("confidence", "")).strip().lower(), "")
    name = str(first.get("name") or first.get("alert") or "")
    instances = [{field: str(record.get(source) or "") for field, source in _INSTANCE_FIELDS.items()}
                 for record in records]
    return {
        "pluginid": str(first.get("pluginId", "")),
        "alertRef": str(first.get("alertRef") or first.get("pluginId", "")),
        "alert": str(first.get("alert") or name),
        "name": name,
        "riskcode": risk,
        "confidence": confidence,
        "riskdesc": f"{first.get('risk', '')} ({first.get('confidence', '')})",
        "desc": paragraphs(str(first.get("description", ""))),
        "instances": instances,
        "count": str(len(instances)),
        "solution": paragraphs(str(first.get("solution", ""))),
        "otherinfo": paragraphs(str(first.get("other", ""))),
        "reference": paragraphs(str(first.get("reference", ""))),
        "cweid": str(first.get("cweid", "")),
        "wascid": str(first.get("wascid", "")),
        "sourceid": str(first.get("sourceid", "")),
    }


def site_entry(site: str, alerts: list[dict[str, Any]]) -> dict[str, Any]:
    """One `site` of the report; false positives are left out, as ZAP's own reports do."""
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for alert in alerts:
        if CONFIDENCE_CODES.get(str(alert.get("confidence", "")).strip().lower()) == FALSE_POSITIVE:
            continue
        groups.setdefault(_group_key(alert), []).append(alert)
    parts = urlsplit(site)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    items = sorted((_alert_item(records) for records in groups.values()),
                   key=lambda item: (-int(item["riskcode"] or 0), item["pluginid"], item["name"]))
    return {"@name": site, "@host": parts.hostname or site, "@port": str(port),
            "@ssl": str(parts.scheme == "https").lower(), "alerts": items}


def traditional_report(zap_version: str, alerts_by_site: dict[str, list[dict[str, Any]]],
                       now: datetime | None = None) -> dict[str, Any]:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "@programName": "ZAP",
        "@version": zap_version,
        "@generated": moment.strftime("%a, %d %b %Y %H:%M:%S"),
        "site": [site_entry(site, alerts) for site, alerts in alerts_by_site.items()],
    }
