"""A real HTTP proxy on 127.0.0.1 in front of a hub that injects faults, for tests and
benchmarks/faults.py: 500, 503, 429, dropped connections (before or after the hub saw
the request), 200 replies that are not JSON, and partial FailedFindings (some findings
of a batch held back from the hub and reported as failed with a retryable code)."""
from __future__ import annotations

import http.client
import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

PASS, ERROR_500, ERROR_503, THROTTLE, DROP_BEFORE, DROP_AFTER, NOT_JSON, PARTIAL = (
    "pass", "500", "503", "429", "drop-before", "drop-after", "not-json-200", "partial")
FAULTS = (ERROR_500, ERROR_503, THROTTLE, DROP_BEFORE, DROP_AFTER, NOT_JSON, PARTIAL)
_ERROR_CODES = {ERROR_500: "InternalException", ERROR_503: "ServiceUnavailableException",
                THROTTLE: "TooManyRequestsException"}


@dataclass
class FaultPlan:
    """Each request meets a fault with probability `rate` (seeded), chosen from `kinds`;
    `only` limits the faults to those request paths."""

    rate: float = 0.3
    kinds: tuple[str, ...] = FAULTS
    seed: int = 12
    only: tuple[str, ...] = ()
    _random: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def next(self, path: str) -> str:
        if self.only and path not in self.only:
            return PASS
        with self._lock:
            return self._random.choice(self.kinds) if self._random.random() < self.rate else PASS


class FaultProxy:
    def __init__(self, upstream_url: str, plan: FaultPlan):
        self.upstream = urlsplit(upstream_url)
        self.plan = plan
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _count(self, fault: str) -> None:
        with self._lock:
            self.injected[fault] += 1

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list, bytes]:
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            headers = {**headers, "Host": self.upstream.netloc, "Content-Length": str(len(body))}
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            return reply.status, reply.getheaders(), reply.read()
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fault = proxy.plan.next(self.path)
                if fault != PASS:
                    proxy._count(fault)
                if fault in _ERROR_CODES:
                    return self._reply(int(fault), json.dumps({"message": "injected"}).encode(),
                                       {"x-amzn-ErrorType": _ERROR_CODES[fault]})
                if fault == DROP_BEFORE:
                    self.close_connection = True
                    return
                held_back: list[str] = []
                if fault == PARTIAL and self.path == "/findings/import":
                    body, held_back = _hold_back(body)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                status, reply_headers, reply = proxy._forward(self.command, self.path, headers, body)
                if fault == DROP_AFTER:
                    self.close_connection = True
                    return
                if fault == NOT_JSON:
                    return self._reply(200, b"<html>gateway says hello</html>", {"Content-Type": "text/html"})
                if held_back and status == 200:
                    reply = _with_failed(reply, held_back)
                passed = {k: v for k, v in reply_headers if k.lower() not in ("content-length", "connection")}
                self._reply(status, reply, passed)

            do_POST = do_PATCH = do_GET = _serve

            def _reply(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _hold_back(body: bytes) -> tuple[bytes, list[str]]:
    """Keep every other finding of the batch from the hub; their Ids are reported failed."""
    doc: dict[str, Any] = json.loads(body)
    findings = doc.get("Findings") or []
    kept, held = findings[::2], [f["Id"] for f in findings[1::2]]
    return json.dumps({**doc, "Findings": kept}).encode(), held


def _with_failed(reply: bytes, held_back: list[str]) -> bytes:
    doc = json.loads(reply)
    failed = doc.get("FailedFindings", []) + [
        {"Id": ident, "ErrorCode": "InternalException", "ErrorMessage": "injected partial failure"}
        for ident in held_back]
    return json.dumps({**doc, "FailedFindings": failed, "FailedCount": len(failed)}).encode()
