"""The one way secpipe decodes JSON it reads in bulk: orjson, and the standard library for
what orjson refuses.

orjson decodes ASFF several times faster, but refuses some documents that `json.loads`
reads (a lone surrogate escape `"\\ud800"`, NaN/Infinity, UTF-16/32 input): those go to the
standard library, so the answer is the one `json.loads` would give, and a finding holding a
lone surrogate reaches the ASFF validator, which refuses that finding by name rather than the
whole file. One difference stays: orjson reads an integer beyond 64 bits as a float. No such
integer is valid in ASFF (Security Hub's integers are Java ints and longs), and looking for
one in every document (a regular expression) cost more than the decoding itself.
"""
from __future__ import annotations

import json
from typing import Any

try:  # optional speed-up; the fallback gives the same values
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]


def loads(data: bytes | str) -> Any:
    """`json.loads(data)`, faster; raises what json.loads raises (ValueError, UnicodeDecodeError)."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


def compact_length(value: Any) -> int | None:
    """len(dumps_compact(value)) where orjson encodes it; None where it cannot (a lone surrogate,
    an integer over 64 bits, a key that is not a str), which callers read as "unknown"."""
    if orjson is not None:
        try:
            return len(orjson.dumps(value))
        except (TypeError, orjson.JSONEncodeError):
            return None
    return None


def dumps_compact(value: Any) -> bytes:
    """Compact JSON bytes that `loads` reads back to an equal value (lone surrogates escaped)."""
    if orjson is not None:
        try:
            # orjson's bytes keep the capacity it allocated (about 8 KB for a finding, four times
            # its length); a copy is its exact size. (bytes() of bytes would be the same object.)
            return memoryview(orjson.dumps(value)).tobytes()
        except (TypeError, orjson.JSONEncodeError):
            pass
    return json.dumps(value, separators=(",", ":")).encode("ascii")


def dumps_compact_text(value: Any) -> str:
    """`dumps_compact(value)` as text, for a store that keeps JSON as TEXT: no bytes kept, so no copy."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode("utf-8")
        except (TypeError, orjson.JSONEncodeError):
            pass
    return json.dumps(value, separators=(",", ":"))
