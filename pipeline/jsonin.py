"""The one way secpipe decodes JSON it reads in bulk: orjson, and the standard library for
what orjson refuses.

orjson decodes ASFF several times faster, but refuses some documents that `json.loads`
reads (a lone surrogate escape `"\\ud800"`, NaN/Infinity, UTF-16/32 input), and reads an
integer beyond 64 bits as a float. Those go to the standard library, so the answer is the one
`json.loads` would give, and a finding holding a lone surrogate reaches the ASFF validator,
which refuses that finding by name rather than the whole file.
"""
from __future__ import annotations

import json
import re
from typing import Any

try:  # optional speed-up; the fallback gives the same values
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]


#: Twenty digits in a row may be an integer over 64 bits, which orjson would make a float.
_LONG_NUMBER = re.compile(rb"\d{20}")


def loads(data: bytes) -> Any:
    """`json.loads(data)`, faster; raises what json.loads raises (ValueError, UnicodeDecodeError)."""
    if orjson is not None and not _LONG_NUMBER.search(data):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


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
