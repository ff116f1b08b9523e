"""Where the console may send a browser back to: a path of its own, rebuilt, never copied.

A form field copied into a Location header carries whatever the sender put in it
(another site, or CR/LF that starts a header of its own). The target is parsed and
only its path and query, re-quoted, are written back.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

CONSOLE_ROOT = "/console/"


def console_target(back: str) -> str:
    """`back` as a path of this console, or the console's start page."""
    if any(c in back for c in "\r\n\\") or any(ord(c) < 0x20 for c in back):
        return CONSOLE_ROOT
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith(CONSOLE_ROOT) or "//" in parts.path:
        return CONSOLE_ROOT
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        return CONSOLE_ROOT
    path = quote(parts.path, safe="/-._~")
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    return f"{path}?{query}" if query else path
