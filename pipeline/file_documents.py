"""A sequence of JSON objects read again from the file they came from, one at a time.

`secpipe publish` checks every finding of its FILE before it sends any. Keeping the
checked findings, even packed (pipeline.packed_documents), held about 2.2 KB a finding:
220 MB for 100,000. Here only where each one lies in the file is kept (offset, length and
a CRC-32 of its bytes, 20 bytes a finding), and a pass over the sequence reads and decodes
them again, which costs no more than decoding packed ones. A finding whose bytes are no
longer what was checked (the file was changed meanwhile) is a ReportError, never sent
unchecked. Like PackedDocuments it can
keep a small summary of each document for the passes that read only a few fields
(pipeline.document_sequence).
"""
from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from pipeline import jsonin
from pipeline.document_sequence import DocumentSequence, Summarize
from pipeline.errors import ReportError

Opener = Callable[[], BinaryIO]


class FileDocuments(DocumentSequence):
    def __init__(self, name: str, open_input: Opener, summarize: Summarize | None = None,
                 document_type: type[dict[str, Any]] = dict):
        super().__init__(summarize, document_type)
        self._name = name  # of the file, for errors
        self._open = open_input
        self._offsets = array("q")
        self._lengths = array("q")
        self._checksums = array("I")

    def append(self, offset: int, raw: bytes, document: dict[str, Any], compact_length: int | None = None) -> None:
        """`document` is what `raw`, found at `offset`, decodes to; `compact_length` its
        jsonin.compact_length, where the caller has taken it."""
        self._offsets.append(offset)
        self._lengths.append(len(raw))
        self._checksums.append(zlib.crc32(raw))
        self._keep_beside(document, compact_length)

    def __len__(self) -> int:
        return len(self._offsets)

    def _read(self, positions: range) -> Iterator[dict[str, Any]]:
        with self._open() as stream:
            for position in positions:
                yield self._document(stream, position)

    def _document(self, stream: BinaryIO, position: int) -> dict[str, Any]:
        stream.seek(self._offsets[position])  # past the separator (and any refused item) before it
        raw = stream.read(self._lengths[position])
        if len(raw) != self._lengths[position] or zlib.crc32(raw) != self._checksums[position]:
            raise ReportError(self._name, f"changed while secpipe was publishing it: the bytes at offset "
                                          f"{self._offsets[position]} are not the finding that was checked")
        return self._as_document(jsonin.loads(raw))
