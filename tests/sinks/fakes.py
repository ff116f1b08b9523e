"""A small, fault-injecting Security Hub for tests.

It speaks the three REST paths boto3 uses (BatchImportFindings, GetFindings,
BatchUpdateFindings) with just enough behaviour for the sink (upsert by
(ProductArn, Id), customer fields kept on re-import, EQUALS string and map
filters, paging) and lets a test script failures: throttling, 5xx, dropped
connections (before or after the import is stored), per-finding failures and
replies whose counts do not add up.
"""
from __future__ import annotations

import json
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROUTES = {
    ("POST", "/findings/import"): "BatchImportFindings",
    ("POST", "/findings"): "GetFindings",
    ("PATCH", "/findings/batchupdate"): "BatchUpdateFindings",
}
STRING_FIELDS = {
    "Id": lambda f: f.get("Id"),
    "ProductArn": lambda f: f.get("ProductArn"),
    "AwsAccountId": lambda f: f.get("AwsAccountId"),
    "GeneratorId": lambda f: f.get("GeneratorId"),
    "Title": lambda f: f.get("Title"),
    "RecordState": lambda f: f.get("RecordState"),
    "WorkflowStatus": lambda f: (f.get("Workflow") or {}).get("Status"),
    "SeverityLabel": lambda f: (f.get("Severity") or {}).get("Label"),
}
CUSTOMER_FIELDS = ("Workflow", "Note", "UserDefinedFields", "VerificationState")
THROTTLE, ERROR_500, ERROR_503, DROP_BEFORE, DROP_AFTER, INCONSISTENT, INVALID_REQUEST = (
    "throttle", "500", "503", "drop-before", "drop-after", "inconsistent", "invalid-request")


@dataclass
class Faults:
    """Scripted failures, consumed in order per operation, plus per-finding failures."""

    queue: dict[str, deque[str]] = field(default_factory=dict)
    item_failures: dict[str, deque[str]] = field(default_factory=dict)  # Id -> codes, one per import
    always_fail: dict[str, str] = field(default_factory=dict)  # Id -> code on every import
    update_failures: dict[str, deque[str]] = field(default_factory=dict)  # Id -> codes, one per update

    def add(self, operation: str, kind: str, times: int = 1) -> None:
        self.queue.setdefault(operation, deque()).extend([kind] * times)

    def fail_item(self, finding_id: str, code: str, times: int | None = 1) -> None:
        if times is None:
            self.always_fail[finding_id] = code
        else:
            self.item_failures.setdefault(finding_id, deque()).extend([code] * times)

    def fail_update(self, finding_id: str, code: str, times: int = 1) -> None:
        self.update_failures.setdefault(finding_id, deque()).extend([code] * times)

    def next_for(self, operation: str) -> str | None:
        pending = self.queue.get(operation)
        return pending.popleft() if pending else None


class FakeSecurityHub:
    def __init__(self) -> None:
        self.store: dict[tuple[str, str], dict[str, Any]] = {}
        self.ignore_map_filters = False  # a hub that matches ProductFields more loosely than asked
        self.update_requests: list[dict[str, Any]] = []
        self.faults = Faults()
        self.calls: Counter[str] = Counter()
        self.import_batch_sizes: list[int] = []
        self.import_body_bytes: list[int] = []
        self.import_counts: Counter[str] = Counter()  # Id -> times stored
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeSecurityHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSecurityHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def finding(self, finding_id: str) -> dict[str, Any]:
        matches = [f for (arn, i), f in self.store.items() if i == finding_id]
        assert len(matches) == 1, f"{finding_id}: {len(matches)} stored"
        return matches[0]

    # -- operations ---------------------------------------------------------

    def batch_import(self, body: dict[str, Any], inconsistent: bool) -> dict[str, Any]:
        findings = body.get("Findings") or []
        failed = []
        with self.lock:
            self.import_batch_sizes.append(len(findings))
            for finding in findings:
                finding_id = finding.get("Id")
                code = self.faults.always_fail.get(finding_id)
                queued = self.faults.item_failures.get(finding_id)
                if code is None and queued:
                    code = queued.popleft()
                if code:
                    failed.append({"Id": finding_id, "ErrorCode": code, "ErrorMessage": f"injected {code}"})
                    continue
                key = (finding["ProductArn"], finding_id)
                stored = dict(finding)
                old = self.store.get(key)
                for name in CUSTOMER_FIELDS:
                    stored.pop(name, None)
                    if old and name in old:
                        stored[name] = old[name]
                stored.setdefault("Workflow", {"Status": "NEW"})
                stored.setdefault("RecordState", "ACTIVE")
                self.store[key] = stored
                self.import_counts[finding_id] += 1
        success = len(findings) - len(failed)
        # An inconsistent reply claims one more success than it stored, as a buggy service might.
        return {"SuccessCount": success + 1 if inconsistent else success,
                "FailedCount": len(failed), "FailedFindings": failed}

    def get_findings(self, body: dict[str, Any]) -> dict[str, Any]:
        filters = body.get("Filters") or {}
        with self.lock:
            if self.ignore_map_filters:
                filters = {k: v for k, v in filters.items() if k != "ProductFields"}
            matches = sorted((f for f in self.store.values() if _matches(f, filters)), key=lambda f: f["Id"])
        start = int(body.get("NextToken") or 0)
        size = int(body.get("MaxResults") or 100)
        page = matches[start:start + size]
        reply: dict[str, Any] = {"Findings": page}
        if start + size < len(matches):
            reply["NextToken"] = str(start + size)
        return reply

    def batch_update(self, body: dict[str, Any]) -> dict[str, Any]:
        processed, unprocessed = [], []
        with self.lock:
            self.update_requests.append(body)
            for identifier in body.get("FindingIdentifiers") or []:
                queued = self.faults.update_failures.get(identifier["Id"])
                if queued:
                    code = queued.popleft()
                    unprocessed.append({"FindingIdentifier": identifier, "ErrorCode": code,
                                        "ErrorMessage": f"injected {code}"})
                    continue
                stored = self.store.get((identifier["ProductArn"], identifier["Id"]))
                if stored is None:
                    unprocessed.append({"FindingIdentifier": identifier, "ErrorCode": "FindingNotFound",
                                        "ErrorMessage": "no such finding"})
                    continue
                if "Workflow" in body:
                    stored["Workflow"] = dict(body["Workflow"])
                if "Note" in body:
                    stored["Note"] = dict(body["Note"], UpdatedAt="2026-01-01T00:00:00Z")
                processed.append(identifier)
        return {"ProcessedFindings": processed, "UnprocessedFindings": unprocessed}

    # -- HTTP -----------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                operation = ROUTES.get((self.command, self.path.split("?")[0]))
                if operation is None:
                    return self._reply(404, {"message": "no route"}, "ResourceNotFoundException")
                with hub.lock:
                    hub.calls[operation] += 1
                    fault = hub.faults.next_for(operation)
                    if operation == "BatchImportFindings":
                        hub.import_body_bytes.append(len(raw))
                if fault == THROTTLE:
                    return self._reply(429, {"message": "Rate exceeded"}, "TooManyRequestsException")
                if fault in (ERROR_500, ERROR_503):
                    code = "InternalException" if fault == ERROR_500 else "ServiceUnavailableException"
                    return self._reply(int(fault), {"message": "injected"}, code)
                if fault == INVALID_REQUEST:
                    return self._reply(400, {"message": "injected invalid input"}, "InvalidInputException")
                if fault == DROP_BEFORE:
                    self.close_connection = True
                    return
                body = json.loads(raw or b"{}")
                if operation == "BatchImportFindings":
                    reply = hub.batch_import(body, inconsistent=fault == INCONSISTENT)
                elif operation == "GetFindings":
                    reply = hub.get_findings(body)
                else:
                    reply = hub.batch_update(body)
                if fault == DROP_AFTER:
                    self.close_connection = True
                    return
                self._reply(200, reply)

            do_POST = do_PATCH = _serve

            def _reply(self, status: int, body: dict[str, Any], error_type: str | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if error_type:
                    self.send_header("x-amzn-ErrorType", error_type)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _matches(finding: dict[str, Any], filters: dict[str, Any]) -> bool:
    for name, conditions in filters.items():
        if name == "ProductFields":
            fields = finding.get("ProductFields") or {}
            by_key: dict[str, list[str]] = {}
            for condition in conditions:
                assert condition["Comparison"] == "EQUALS", "the fake only knows EQUALS"
                by_key.setdefault(condition["Key"], []).append(condition["Value"])
            if not all(fields.get(key) in values for key, values in by_key.items()):
                return False
            continue
        getter = STRING_FIELDS[name]
        assert all(c["Comparison"] == "EQUALS" for c in conditions), "the fake only knows EQUALS"
        if getter(finding) not in {c["Value"] for c in conditions}:
            return False
    return True
