"""A sequence of JSON objects held as compact JSON bytes and decoded when read.

A decoded ASFF finding takes about 8 KB of Python objects, its compact JSON about 2 KB:
100,000 findings are 800 MB one way and 200 MB the other. `secpipe publish` holds the
findings of a FILE it could not read in place this way (pipeline.sinks.asff_file), so its
memory is a quarter of the decoded size, and each pass over them decodes one at a time.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pipeline import jsonin
from pipeline.document_sequence import DocumentSequence, Summarize


class PackedDocuments(DocumentSequence):
    def __init__(self, documents: Iterable[dict[str, Any]] = (), summarize: Summarize | None = None,
                 document_type: type[dict[str, Any]] = dict):
        super().__init__(summarize, document_type)
        self._packed: list[bytes] = []
        for document in documents:
            self.append(document)

    def append(self, document: dict[str, Any], compact_length: int | None = None) -> None:
        """`compact_length`: the document's jsonin.compact_length, where the caller has taken it."""
        self._packed.append(jsonin.dumps_compact(document))
        self._keep_beside(document, compact_length)

    def __len__(self) -> int:
        return len(self._packed)

    def _read(self, positions: range) -> Iterator[dict[str, Any]]:
        for position in positions:
            yield self._as_document(jsonin.loads(self._packed[position]))
