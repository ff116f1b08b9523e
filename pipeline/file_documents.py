"""A sequence of JSON objects read again from the file they came from, one at a time.

`secpipe publish` checks every finding of its FILE before it sends any. Keeping the
checked findings, even packed (pipeline.packed_documents), held about 2.2 KB a finding:
220 MB for 100,000. Here only where each one lies in the file is kept (offset, length and
a CRC-32 of its bytes, 20 bytes a finding), and a pass over the sequence reads and decodes
them again, which costs no more than decoding packed ones. A finding whose bytes are no
longer what was checked (the file was changed meanwhile) is a ReportError, never sent
unchecked. Like PackedDocuments it can
keep a small summary of each document for the passes that read only a few fields.
"""
from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO, overload

from pipeline import jsonin
from pipeline.errors import ReportError

Opener = Callable[[], BinaryIO]


class FileDocuments(Sequence[dict[str, Any]]):
    def __init__(self, name: str, open_input: Opener,
                 summarize: Callable[[dict[str, Any]], dict[str, Any]] | None = None):
        self._name = name  # of the file, for errors
        self._open = open_input
        self._offsets = array("q")
        self._lengths = array("q")
        self._checksums = array("I")
        self._summarize = summarize
        self.summaries: list[dict[str, Any]] | None = [] if summarize is not None else None

    def append(self, offset: int, raw: bytes, document: dict[str, Any]) -> None:
        """`document` is what `raw`, found at `offset`, decodes to."""
        self._offsets.append(offset)
        self._lengths.append(len(raw))
        self._checksums.append(zlib.crc32(raw))
        if self._summarize is not None and self.summaries is not None:
            self.summaries.append(self._summarize(document))

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return list(self._read(range(len(self))[index]))
        position = range(len(self))[index]  # IndexError as a list gives it
        return next(self._read(range(position, position + 1)))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._read(range(len(self)))

    def _read(self, positions: range) -> Iterator[dict[str, Any]]:
        with self._open() as stream:
            for position in positions:
                yield self._document(stream, position)

    def _document(self, stream: BinaryIO, position: int) -> dict[str, Any]:
        if stream.tell() != self._offsets[position]:  # findings refused in between
            stream.seek(self._offsets[position])
        raw = stream.read(self._lengths[position])
        if len(raw) != self._lengths[position] or zlib.crc32(raw) != self._checksums[position]:
            raise ReportError(self._name, f"changed while secpipe was publishing it: the bytes at offset "
                                          f"{self._offsets[position]} are not the finding that was checked")
        document: dict[str, Any] = jsonin.loads(raw)
        return document
