"""A small double of the SonarQube Web API: the calls the sonarqube runner makes.

It checks what a real server checks (the token, in the Authorization header
only) and applies the filters it is sent (project, branch, types, status), so
a filter lost to bad quoting shows up as a wrong result, not as a pass.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class SonarState:
    token: str
    project_key: str
    branch: str | None = None
    issues: list[dict[str, Any]] = field(default_factory=list)
    hotspots: list[dict[str, Any]] = field(default_factory=list)
    task_id: str = "AY-task-1"
    analysis_id: str = "AY-analysis-1"
    #: status answered per poll of api/ce/task; the last one repeats
    task_statuses: list[str] = field(default_factory=lambda: ["PENDING", "IN_PROGRESS", "SUCCESS"])
    gate_status: str = "ERROR"
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    task_polls: int = 0

    def calls_to(self, path: str) -> list[dict[str, list[str]]]:
        return [query for p, query, _ in self.requests if p == path]


class SonarHandler(BaseHTTPRequestHandler):
    server_version = "SonarQubeDouble/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    @property
    def state(self) -> SonarState:
        return self.server.state  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        self.state.requests.append((url.path, query, dict(self.headers.items())))
        expected = "Basic " + base64.b64encode(f"{self.state.token}:".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._send(401, {"errors": [{"msg": "Authentication required"}]})
        if any(self.state.token in v for values in query.values() for v in values):
            return self._send(400, {"errors": [{"msg": "token must not be sent in the query string"}]})
        routes = {
            "/api/ce/task": self._task,
            "/api/issues/search": self._issues,
            "/api/hotspots/search": self._hotspots,
            "/api/qualitygates/project_status": self._gate,
        }
        route = routes.get(url.path)
        if route is None:
            return self._send(404, {"errors": [{"msg": f"Unknown url : {url.path}"}]})
        route({k: v[-1] for k, v in query.items()})

    def _task(self, q: dict[str, str]) -> None:
        if q.get("id") != self.state.task_id:
            return self._send(404, {"errors": [{"msg": f"No activity found for task '{q.get('id')}'"}]})
        statuses = self.state.task_statuses
        status = statuses[min(self.state.task_polls, len(statuses) - 1)]
        self.state.task_polls += 1
        task: dict[str, Any] = {"id": self.state.task_id, "type": "REPORT", "componentKey": self.state.project_key,
                                "status": status}
        if status == "SUCCESS":
            task["analysisId"] = self.state.analysis_id
        if status == "FAILED":
            task["errorMessage"] = "Unsupported language plugin"
        self._send(200, {"task": task})

    def _issues(self, q: dict[str, str]) -> None:
        wanted_types = set(q.get("types", "").split(",")) if q.get("types") else None
        matching = [i for i in self.state.issues
                    if q.get("componentKeys") == self.state.project_key
                    and q.get("branch") == self.state.branch
                    and (wanted_types is None or i["type"] in wanted_types)
                    and (q.get("resolved") != "false" or "resolution" not in i)]
        self._page(q, "issues", matching, {"components": [{"key": self.state.project_key, "qualifier": "TRK"}]})

    def _hotspots(self, q: dict[str, str]) -> None:
        matching = [h for h in self.state.hotspots
                    if q.get("projectKey") == self.state.project_key
                    and q.get("branch") == self.state.branch
                    and (not q.get("status") or h["status"] == q["status"])]
        self._page(q, "hotspots", matching, {"components": [{"key": self.state.project_key, "qualifier": "TRK"}]})

    def _gate(self, q: dict[str, str]) -> None:
        if q.get("analysisId") != self.state.analysis_id:
            return self._send(404, {"errors": [{"msg": f"Analysis with id '{q.get('analysisId')}' is not found"}]})
        self._send(200, {"projectStatus": {"status": self.state.gate_status, "conditions": [
            {"status": self.state.gate_status, "metricKey": "new_security_rating", "comparator": "GT",
             "errorThreshold": "1", "actualValue": "3"}]}})

    def _page(self, q: dict[str, str], key: str, items: list[dict[str, Any]], extra: dict[str, Any]) -> None:
        page, size = int(q.get("p", "1")), int(q.get("ps", "100"))
        chunk = items[(page - 1) * size: page * size]
        self._send(200, {"paging": {"pageIndex": page, "pageSize": size, "total": len(items)}, key: chunk, **extra})

    def _send(self, status: int, doc: dict[str, Any]) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def make_issue(number: int, project: str, kind: str, severity: str = "MAJOR", resolved: bool = False) -> dict[str, Any]:
    """An issue as api/issues/search returns it (SonarQube 9.9 / 10.x fields)."""
    issue: dict[str, Any] = {
        "key": f"AYissue{number:04d}", "rule": f"python:S{5000 + number}", "severity": severity,
        "component": f"{project}:app/module_{number}.py", "project": project, "line": 10 + number,
        "hash": f"{number:032x}", "textRange": {"startLine": 10 + number, "endLine": 10 + number,
                                               "startOffset": 4, "endOffset": 20},
        "flows": [], "status": "RESOLVED" if resolved else "OPEN",
        "message": f"Issue number {number} of type {kind}", "effort": "5min", "debt": "5min",
        "tags": ["cwe"], "creationDate": "2026-11-20T10:00:00+0000", "updateDate": "2026-11-20T10:00:00+0000",
        "type": kind, "scope": "MAIN",
    }
    if resolved:
        issue["resolution"] = "FALSE-POSITIVE"
    return issue


def make_hotspot(number: int, project: str, probability: str = "HIGH", status: str = "TO_REVIEW") -> dict[str, Any]:
    """A hotspot as api/hotspots/search returns it."""
    return {
        "key": f"AYhotspot{number:04d}", "component": f"{project}:app/views_{number}.py", "project": project,
        "securityCategory": "sql-injection", "vulnerabilityProbability": probability, "status": status,
        "line": 40 + number, "message": f"Make sure that formatting this SQL query is safe here ({number}).",
        "author": "dev@example.com", "creationDate": "2026-11-20T10:00:00+0000",
        "updateDate": "2026-11-20T10:00:00+0000", "ruleKey": "python:S2077",
        "textRange": {"startLine": 40 + number, "endLine": 40 + number, "startOffset": 8, "endOffset": 30},
        "flows": [],
    }
