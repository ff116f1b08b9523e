"""An embedded hub answered without a socket: botocore's `before-send` hook hands each
request to the hub's app, the one the HTTP server hands its requests to.

`secpipe publish` and `secpipe scan` start the local hub in their own process. Going
through loopback HTTP cost them, per request of 100 findings, urllib3's connection
handling, http.server's parsing and a thread switch each way, about a third of the import's
CPU. botocore still serializes the request, signs it and parses the reply as it would from
the network (a handler of `before-send` that returns a response takes the place of
sending); the hub still checks its Host header, the API guard, the quota and the body. The
HTTP server keeps running beside it for anyone else (the console, `secpipe findings`).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse

from pipeline.hub.server import HubApp, too_large
from pipeline.hub.web import Request


class _Body:
    """What AWSResponse reads a body from (urllib3's response, elsewhere)."""

    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_options: Any) -> Iterator[bytes]:
        yield self._data


class InProcessTransport:
    def __init__(self, app: HubApp):
        self.app = app

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-send.securityhub", self)

    def __call__(self, request: Any, **_kwargs: Any) -> AWSResponse:
        parts = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):  # a file-like body (botocore streams none for this API)
            body = body.read()
        headers = {name.lower(): value.decode("latin-1") if isinstance(value, bytes) else str(value)
                   for name, value in request.headers.items()}
        headers.setdefault("host", parts.netloc)
        refused = too_large(len(body))
        response = refused or self.app.handle(Request(request.method, parts.path, parts.query, headers, body))
        return AWSResponse(request.url, response.status, {**response.headers, "Content-Length": str(len(response.body))},
                           _Body(response.body))
