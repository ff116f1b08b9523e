"""A small double of the OWASP ZAP JSON API, reached the way zaproxy reaches ZAP:
as an HTTP proxy for http://zap/JSON/... (and directly at /JSON/... for probes).

Scans progress by a fixed step on each status poll; `ascan_step = 0` makes an
active scan that never finishes. The alerts view applies ZAP's `baseurl` filter
as ZAP does, as a prefix match, with start/count paging.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class ZapState:
    api_key: str
    version: str = "2.15.0"
    spider_step: int = 40
    ascan_step: int = 50
    passive_queue: list[int] = field(default_factory=lambda: [3, 0])  # recordsToScan per poll, last repeats
    alerts: list[dict[str, Any]] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    spider_progress: int = 0
    ascan_progress: int = 0
    passive_polls: int = 0
    spider_url: str | None = None
    ascan_url: str | None = None
    stopped: list[str] = field(default_factory=list)
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]


class ZapHandler(BaseHTTPRequestHandler):
    server_version = "ZAP-double/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def state(self) -> ZapState:
        return self.server.state  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)  # absolute (proxy style) or origin-form
        query = parse_qs(url.query, keep_blank_values=True)
        self.state.requests.append((url.path, query, dict(self.headers.items())))
        if self.headers.get("X-ZAP-API-Key") != self.state.api_key:
            return self._send(400, {"code": "bad_api_key", "message": "Provided API key is invalid"})
        q = {k: v[-1] for k, v in query.items()}
        route = self._routes().get(url.path)
        if route is None:
            return self._send(400, {"code": "bad_view", "message": f"No such view {url.path}"})
        self._send(200, route(q))

    def _routes(self) -> dict[str, Any]:
        s = self.state
        return {
            "/JSON/core/view/version/": lambda q: {"version": s.version},
            "/JSON/spider/action/scan/": self._start_spider,
            "/JSON/spider/view/status/": lambda q: {"status": str(self._advance("spider"))},
            "/JSON/spider/action/stop/": lambda q: self._stop("spider"),
            "/JSON/ascan/action/scan/": self._start_ascan,
            "/JSON/ascan/view/status/": lambda q: {"status": str(self._advance("ascan"))},
            "/JSON/ascan/action/stop/": lambda q: self._stop("ascan"),
            "/JSON/pscan/view/recordsToScan/": self._records_to_scan,
            "/JSON/core/view/sites/": lambda q: {"sites": s.sites},
            "/JSON/core/view/alerts/": self._alerts,
        }

    def _start_spider(self, q: dict[str, str]) -> dict[str, Any]:
        self.state.spider_url = q.get("url")
        return {"scan": "0"}

    def _start_ascan(self, q: dict[str, str]) -> dict[str, Any]:
        self.state.ascan_url = q.get("url")
        return {"scan": "3"}

    def _advance(self, scan: str) -> int:
        step = self.state.spider_step if scan == "spider" else self.state.ascan_step
        attribute = f"{scan}_progress"
        value = min(100, getattr(self.state, attribute) + step)
        setattr(self.state, attribute, value)
        return value

    def _stop(self, scan: str) -> dict[str, Any]:
        self.state.stopped.append(scan)
        return {"Result": "OK"}

    def _records_to_scan(self, q: dict[str, str]) -> dict[str, Any]:
        queue = self.state.passive_queue
        value = queue[min(self.state.passive_polls, len(queue) - 1)]
        self.state.passive_polls += 1
        return {"recordsToScan": str(value)}

    def _alerts(self, q: dict[str, str]) -> dict[str, Any]:
        base = q.get("baseurl", "")
        matching = [a for a in self.state.alerts if a["url"].startswith(base)]
        start, count = int(q.get("start") or 0), int(q.get("count") or 0)
        page = matching[start: start + count] if count else matching[start:]
        return {"alerts": page}

    def _send(self, status: int, doc: dict[str, Any]) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def make_alert(number: int, url: str, plugin: str, name: str, risk: str, confidence: str = "Medium",
               param: str = "", cwe: str = "79") -> dict[str, Any]:
    """One record of core/view/alerts as ZAP 2.15 returns it."""
    return {
        "sourceid": "1", "other": "Seen in the response body.", "method": "GET", "evidence": "<script>",
        "pluginId": plugin, "cweid": cwe, "confidence": confidence, "wascid": "8",
        "description": f"{name}: what it is.\nWhy it matters.", "messageId": str(100 + number),
        "inputVector": "queryString", "url": url, "tags": {"OWASP_2021_A03": "https://owasp.org/Top10/A03_2021-Injection/"},
        "reference": "https://owasp.org/www-community/attacks/xss/\nhttps://cwe.mitre.org/data/definitions/79.html",
        "solution": "Encode all output.", "alert": name, "param": param, "attack": "", "name": name,
        "risk": risk, "id": str(number), "alertRef": plugin,
    }
