"""Split a JSON array in the layout secpipe writes (pipeline.jsonout, indent 2) into its items'
bytes, reading the input a chunk at a time, so a large file is never held whole.

In that layout one item ends and the next begins exactly where a line is `  },` and the next
line starts `  {`: deeper objects are indented further, and a JSON string never holds a raw
newline, so the separator cannot occur inside an item. The split is only a proposal: the
caller decodes every piece, and if one is not a complete JSON value (another layout, or a
broken document) it reads the document as a whole instead. When every piece decodes, they are
the array's items, since a comma between two complete values is the array's own.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

SEPARATOR = b"},\n  {"
# Searched with re, not bytes.find: find's loop stalls on every space and newline (they are
# in the separator, and the layout is full of them), 4.9 µs a finding against re's 2.4.
_SEPARATORS = re.compile(re.escape(SEPARATOR))
CHUNK = 1 << 22  # bytes read at a time
#: Far more than any finding (240 KB): an item this long means another layout, whose split
#: would only grow the buffer; the caller then reads the document whole.
MAX_ITEM_BYTES = 1 << 26


class OtherLayout(ValueError):
    """The document does not start as `[` and end as `]`: read it as a whole instead."""


def read_chunks(stream: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def split_items(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The raw bytes of each item of the array, in order (none for `[]`)."""
    for _, item in split_item_spans(chunks):
        yield item


def split_item_spans(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """Each item's raw bytes with the offset of its first byte in the stream, so that it can
    be read again from there."""
    buffer = b""
    at = 0  # offset in the stream of buffer[0]
    opened = False
    for chunk in chunks:
        buffer += chunk
        if not opened:
            stripped = buffer.lstrip()
            if not stripped:
                continue
            if not stripped.startswith(b"["):
                raise OtherLayout("not an array")
            at += len(buffer) - len(stripped) + 1
            buffer, opened = stripped[1:], True
        start = 0
        for separator in _SEPARATORS.finditer(buffer):
            found = separator.start()
            yield at + start, buffer[start:found + 1]
            start = found + len(SEPARATOR) - 1  # the next item begins at its "{"
        buffer = buffer[start:]
        at += start
        if len(buffer) > MAX_ITEM_BYTES:
            raise OtherLayout("an item longer than any finding")
    rest = buffer.rstrip()
    if not opened or not rest.endswith(b"]"):
        raise OtherLayout("not an array")
    inside = rest[:-1]
    last = inside.strip()
    if last:
        yield at + len(inside) - len(inside.lstrip()), last
