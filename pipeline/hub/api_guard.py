"""What an API request must carry before the hub reads it: nothing a web page can forge.

A page on another origin can POST to 127.0.0.1 with a "simple" request (text/plain,
no custom headers) and no preflight. Requiring the JSON content type boto3 sends and a
SigV4-shaped Authorization header means a browser must ask first (a preflight, which
the hub never grants), and a request that says it comes from a foreign Origin is
refused outright. The signature itself is not checked: the hub has no accounts.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from pipeline.hub.errors import HubApiError
from pipeline.hub.web import Request

#: Security Hub is a REST-JSON service: botocore sends application/json.
#: application/x-amz-json-1.1 is what the JSON-protocol AWS services send.
JSON_CONTENT_TYPES = frozenset({"application/json", "application/x-amz-json-1.1"})
SIGV4_SCHEME = "AWS4-HMAC-SHA256 "


def refusal(request: Request) -> HubApiError | None:
    """Why this API request is refused, or None to serve it."""
    origin = request.headers.get("origin")
    if origin is not None and not _same_origin(origin, request.headers.get("host", "")):
        return HubApiError(403, "AccessDeniedException", "requests from another origin are refused")
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in JSON_CONTENT_TYPES:
        return HubApiError(415, "InvalidInputException",
                           "Content-Type must be application/json (as boto3 sends it)")
    if not request.headers.get("authorization", "").startswith(SIGV4_SCHEME):
        return HubApiError(403, "MissingAuthenticationTokenException",
                           "an AWS Signature Version 4 Authorization header is required")
    return None


def _same_origin(origin: str, host: str) -> bool:
    """True when Origin names this very server (scheme http, the Host the request was sent to)."""
    parts = urlsplit(origin)
    return parts.scheme == "http" and bool(parts.netloc) and parts.netloc.lower() == host.lower()
