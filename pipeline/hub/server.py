"""The hub's HTTP server: Host guard, then the Security Hub API paths, then the console.

The API paths are the ones in botocore's model, so boto3 with `endpoint_url` talks to
the hub unchanged; a SigV4 Authorization header and the JSON content type are required
(pipeline.hub.api_guard) but the signature is not checked (there is no account).
"""
from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from pipeline import jsonin
from pipeline.hub import api_guard
from pipeline.hub.api import HubApi, Operation, operations
from pipeline.hub.errors import HubApiError, invalid_input, too_many_requests
from pipeline.hub.quota import Quota
from pipeline.hub.web import HostGuard, Request, Response

log = logging.getLogger(__name__)

# Security Hub takes at most 6 MB per BatchImportFindings request; leave headroom, refuse floods.
MAX_BODY_BYTES = 16 * 1024 * 1024


def too_large(length: int) -> Response | None:
    """The answer to a body of `length` bytes (-1: unreadable length) that is refused unread."""
    if 0 <= length <= MAX_BODY_BYTES:
        return None
    return Response.error(HubApiError(413, "InvalidInputException", "Content-Length is not a number of bytes up to 16 MB"))


class HubApp:
    def __init__(self, api: HubApi, guard: HostGuard, quota: Quota | None,
                 console: Callable[[Request], Response] | None = None):
        self.api = api
        self.guard = guard
        self.quota = quota
        self.console = console

    def handle(self, request: Request) -> Response:
        if not self.guard.allows(request.headers.get("host")):
            # 421 Misdirected Request: this server does not answer for that name.
            return Response.text(421, "This server does not answer for that Host header.\n")
        operation = operations().get((request.method, request.path))
        if operation is not None:
            refused = api_guard.refusal(request)
            return self._api(operation, request) if refused is None else Response.error(refused)
        if request.method == "OPTIONS":
            # A CORS preflight: answered without any Access-Control-Allow-* header, so it fails.
            return Response.text(405, "Cross-origin requests are not allowed.\n")
        if self.console is None:
            return Response.text(404, "Not found.\n")
        return self.console(request)

    def _api(self, operation: Operation, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            # The quota first: a throttled request is refused before its body is read.
            self.admit(operation.name)
            try:
                body = jsonin.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError) as exc:
                raise invalid_input(f"the request body is not valid JSON ({exc})") from None
            except RecursionError:
                raise invalid_input("the request body is nested too deeply") from None
            return Response.json(200, self.answer(operation.name, body), {"x-amzn-RequestId": request_id})
        except HubApiError as error:
            response = Response.error(error)
            response.headers["x-amzn-RequestId"] = request_id
            return response

    def admit(self, operation: str) -> None:
        """Raise TooManyRequestsException when the emulated quota has no room for this call."""
        if self.quota is not None and not self.quota.allow(operation):
            raise too_many_requests(operation)

    def answer(self, operation: str, body: Any) -> dict[str, Any]:
        """One admitted API call on a decoded body: the result, or a HubApiError. What the HTTP
        path and the in-process client (pipeline.hub.direct_client) share."""
        try:
            return self.api.call(operation, body)
        except RecursionError:  # a body json could read but the checks cannot walk
            raise invalid_input("the request body is nested too deeply") from None


class _Handler(BaseHTTPRequestHandler):
    server: HubHttpServer
    protocol_version = "HTTP/1.1"
    # The headers and the body are two writes: with Nagle's algorithm the body waited for the
    # client's delayed ACK of the headers, 40 ms a response on Linux loopback.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "secpipe-hub"

    def _handle(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        refused = too_large(length)
        if refused is not None:
            self._send(refused)
            self.close_connection = True
            return
        body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        request = Request(self.command, parts.path, parts.query,
                          {k.lower(): v for k, v in self.headers.items()}, body)
        try:
            app = self.server.app
            if app is None:  # start_local_hub sets it before serving; without it, the same 500 as any bug
                raise RuntimeError("the local hub has no app")
            response = app.handle(request)
        except Exception:  # a bug must not kill the server thread; the client gets a 500
            log.exception("local hub: %s %s failed", self.command, parts.path)
            response = Response.error(HubApiError(500, "InternalException", "internal error in the local hub"))
        self._send(response)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_OPTIONS = _handle

    def _send(self, response: Response) -> None:
        if any(_breaks_header(name) or _breaks_header(value) for name, value in response.headers.items()):
            # A CR or LF would end the header and start another one the client would obey.
            log.error("local hub: refused to send a header with CR or LF for %s", self.path)
            response = Response.error(HubApiError(500, "InternalException", "internal error in the local hub"))
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.debug("local hub: " + format, *args)


def _breaks_header(text: str) -> bool:
    return "\r" in text or "\n" in text


class HubHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.app: HubApp | None = None
        super().__init__((host.strip("[]"), port), _Handler)
