"""Secrets that scanners report must never travel further than the parser.

A secret is replaced by a short prefix and a hash: enough to recognise which key
leaked and to rotate it, not enough to use it.
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

VISIBLE_PREFIX = 4


def mask_secret(secret: str) -> str:
    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    prefix = secret[:VISIBLE_PREFIX] if len(secret) > 2 * VISIBLE_PREFIX else ""
    return f"{prefix}***(sha256:{digest})"


def redact_text(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, mask_secret(secret))
    return text


# The secrets parsers masked while a tool run was being parsed, so the kept raw report can be
# masked with the same values (see collecting_secrets). One list per thread of work.
_seen: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("secpipe_masked_secrets", default=None)


@contextlib.contextmanager
def collecting_secrets() -> Iterator[list[str]]:
    """Within this block, every secret `redact` masks is also appended to the list it yields."""
    seen: list[str] = []
    token = _seen.set(seen)
    try:
        yield seen
    finally:
        _seen.reset(token)


def mask_file(path: Path, secrets: list[str]) -> bool:
    """Mask the secrets in a kept raw report, as written and as JSON escapes them; True if it changed."""
    forms = {form for s in secrets if s.strip() for form in (s, json.dumps(s)[1:-1], json.dumps(s, ensure_ascii=False)[1:-1])}
    try:
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError:
        return False
    masked = text
    for form in sorted(forms, key=len, reverse=True):
        if form in masked:
            masked = masked.replace(form, mask_secret(form))
    if masked == text:
        return False
    path.write_bytes(masked.encode("utf-8", errors="surrogateescape"))
    return True


def redact(value: T, secrets: list[str]) -> T:
    """Return `value` with every secret masked in every string it holds.

    Works on strings, lists, tuples, dicts and (frozen or not) dataclasses, so a
    parser can call it once on a whole Finding.
    """
    secrets = [s for s in secrets if s and s.strip()]
    if not secrets:
        return value
    collector = _seen.get()
    if collector is not None:
        collector.extend(secrets)
    return _redact(value, secrets)


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, enum.Enum):
        return value  # labels such as Category.SECRET are ours, never a tool's text
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, tuple):
        return tuple(_redact(v, secrets) for v in value)
    if isinstance(value, dict):
        return {_redact(k, secrets): _redact(v, secrets) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _redact(getattr(value, f.name), secrets) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value
