"""A read-only sequence of JSON objects held in some compact form and decoded when read.

Every read gives a fresh copy (changing it changes nothing held), of `document_type` (a
dict subclass that says what the holder knows of them: pipeline.checked_finding). With a
`summarize` function, a small summary of each document is kept beside it (`summaries`), for
the passes that read only a few fields (pipeline.sinks.finding_summary). `compact_lengths`
holds each document's orjson compact length where the holder knows it (0 where not), so a
pass that needs a size bound (pipeline.sinks.batching) need not encode the document again. How the documents are held is
the subclass's: packed JSON in memory (pipeline.packed_documents) or where they lie in a file
(pipeline.file_documents).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

Summarize = Callable[[dict[str, Any]], dict[str, Any]]


class DocumentSequence(Sequence[dict[str, Any]], ABC):
    def __init__(self, summarize: Summarize | None = None, document_type: type[dict[str, Any]] = dict):
        self._summarize = summarize
        self._document_type = document_type
        self.summaries: list[dict[str, Any]] | None = [] if summarize is not None else None
        self.compact_lengths = array("I")

    def _keep_beside(self, document: dict[str, Any], compact_length: int | None) -> None:
        """What is kept beside each document, in the order they are appended."""
        self.compact_lengths.append(compact_length or 0)
        if self._summarize is not None and self.summaries is not None:
            self.summaries.append(self._summarize(document))

    def _as_document(self, decoded: Any) -> dict[str, Any]:
        """A document just decoded, as the type this sequence hands out."""
        return decoded if self._document_type is dict else self._document_type(decoded)

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def _read(self, positions: range) -> Iterator[dict[str, Any]]:
        """The documents at these positions, in order, decoded afresh."""

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        positions = range(len(self))
        if isinstance(index, slice):
            return list(self._read(positions[index]))
        position = positions[index]  # IndexError as a list gives it
        return next(self._read(range(position, position + 1)))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._read(range(len(self)))
