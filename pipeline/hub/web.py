"""Plain request/response values shared by the hub's API and console, and the Host guard."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from pipeline import jsonin
from pipeline.hub.errors import HubApiError

# Sent with every console page: nothing from elsewhere may load, frame or script it.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null", which the CSRF check refuses.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def query_params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=False)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        # orjson: a page of 100 findings took the standard library 2-3 ms to write.
        body = jsonin.dumps_compact(data)
        return cls(status, body, {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def error(cls, error: HubApiError) -> Response:
        # botocore's rest-json parser takes the error code from this header first.
        return cls.json(error.status, error.body(), {"x-amzn-ErrorType": f"{error.code}:"})

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8", **SECURITY_HEADERS})

    @classmethod
    def text(cls, status: int, text: str) -> Response:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8", **SECURITY_HEADERS})

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(303, b"", {"Location": location, **SECURITY_HEADERS})


class HostGuard:
    """Accepts only Host headers naming this server, so a rebound DNS name cannot reach it."""

    def __init__(self, host: str, port: int, extra_hosts: tuple[str, ...] = ()):
        names = {host.strip("[]").lower(), *(h.lower() for h in extra_hosts)}
        if _is_loopback(host) or _is_wildcard(host):
            names |= {"127.0.0.1", "localhost", "::1"}
        if _is_wildcard(host):
            names.add(socket.gethostname().lower())
        self.allowed = frozenset(_host_header(name, port) for name in names)
        self.origins = frozenset(f"http://{value}" for value in self.allowed)

    def allows(self, host_header: str | None) -> bool:
        return host_header is not None and host_header.strip().lower() in self.allowed

    def allows_origin(self, origin: str | None) -> bool:
        return origin is None or origin.lower() in self.origins


def _host_header(name: str, port: int) -> str:
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("", "0.0.0.0", "::")
