"""The one way secpipe writes JSON: streamed, buffered, the same bytes as `json.dump(indent=2)`.

A JSON array is written item by item, so memory does not grow with the number of
findings, and through one large buffer, so an unbuffered stdout (PYTHONUNBUFFERED=1,
common in CI images) costs a handful of write() calls instead of millions. orjson is
used when present (10x faster); its indented output equals the standard library's with
`ensure_ascii=False` byte for byte, except that a float in exponent form is written
`1e-5` where Python writes `1e-05` (the same number; a test keeps both facts true).
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, BinaryIO, Final

try:  # optional speed-up; the fallback writes the same bytes
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]

CHUNK: Final = 1 << 20  # bytes gathered before one write()


def dumps_indented(value: Any) -> bytes:
    """`value` as indented JSON bytes, as json.dumps(indent=2, ensure_ascii=False) writes them."""
    if orjson is not None:
        try:
            return orjson.dumps(value, option=orjson.OPT_INDENT_2)
        except (TypeError, orjson.JSONEncodeError):  # e.g. ints over 64 bits, lone surrogates: the stdlib decides
            pass
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8", "surrogatepass")


#: A part at least this long is written as it is, not gathered: a batch of findings already is one
#: large write, and joining it with its neighbours would copy it once more.
LARGE_PART: Final = CHUNK // 4


class _Chunked:
    """Gathers small writes into CHUNK-sized ones; large parts go out as they are."""

    def __init__(self, out: BinaryIO):
        self._out = out
        self._parts: list[bytes | memoryview] = []
        self._size = 0

    def write(self, data: bytes | memoryview) -> None:
        if len(data) >= LARGE_PART:
            self._write_gathered()  # what came before goes first
            self._out.write(data)
            return
        self._parts.append(data)
        self._size += len(data)
        if self._size >= CHUNK:
            self._write_gathered()

    def _write_gathered(self) -> None:
        if self._parts:
            self._out.write(b"".join(self._parts))
            self._parts.clear()
            self._size = 0

    def flush(self) -> None:
        self._write_gathered()
        self._out.flush()


#: Items encoded by one orjson call: its indented array is exactly the streamed one, in C.
BATCH: Final = 256


def _members(batch: list[Any]) -> bytes | memoryview:
    """The items as the members of an indented array: each "\n  " + the item indented one level deeper,
    separated by commas (what lies between the brackets of json.dumps(batch, indent=2))."""
    if orjson is not None:
        try:
            # Without "[" and "\n]": a view, not a copy of the batch's encoding (most of a parse's output).
            return memoryview(orjson.dumps(batch, option=orjson.OPT_INDENT_2))[1:-2]
        except (TypeError, orjson.JSONEncodeError):  # one item orjson cannot encode: each item decides alone
            pass
    # Strings in JSON never hold a raw newline, so indenting every line break is exact.
    return b",".join(b"\n  " + dumps_indented(item).replace(b"\n", b"\n  ") for item in batch)


def write_array(items: Iterable[Any], out: BinaryIO) -> int:
    """Streams a JSON array (indent 2) to `out`, BATCH items at a time; returns how many items were written."""
    sink = _Chunked(out)
    count = 0
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            # The separator apart, so that the members are not copied to be put behind it.
            sink.write(b"," if count else b"[")
            sink.write(_members(batch))
            count += len(batch)
            batch = []
    if batch:
        sink.write(b"," if count else b"[")
        sink.write(_members(batch))
        count += len(batch)
    sink.write(b"\n]\n" if count else b"[]\n")
    sink.flush()
    return count


def write_value(value: Any, out: BinaryIO) -> None:
    sink = _Chunked(out)
    sink.write(dumps_indented(value) + b"\n")
    sink.flush()


def stdout() -> BinaryIO:
    """The binary stdout, after anything already printed as text has gone out."""
    sys.stdout.flush()
    return sys.stdout.buffer
