"""A sequence of JSON objects held as compact JSON bytes and decoded when read.

A decoded ASFF finding takes about 8 KB of Python objects, its compact JSON about 2 KB:
100,000 findings are 800 MB one way and 200 MB the other. `secpipe publish` holds the
findings of its FILE this way, so its memory is a quarter of the decoded size, and each
pass over them decodes one finding at a time. A pass that reads only a few fields of each
reads `summaries` instead, when the sequence was made with a `summarize` function: small
documents kept beside the packed ones (pipeline.sinks.finding_summary).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

from pipeline import jsonin


class PackedDocuments(Sequence[dict[str, Any]]):
    def __init__(self, documents: Iterable[dict[str, Any]] = (),
                 summarize: Callable[[dict[str, Any]], dict[str, Any]] | None = None):
        self._packed: list[bytes] = []
        self._summarize = summarize
        self.summaries: list[dict[str, Any]] | None = [] if summarize is not None else None
        for document in documents:
            self.append(document)

    def append(self, document: dict[str, Any]) -> None:
        self._packed.append(jsonin.dumps_compact(document))
        if self._summarize is not None and self.summaries is not None:
            self.summaries.append(self._summarize(document))

    def __len__(self) -> int:
        return len(self._packed)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [jsonin.loads(packed) for packed in self._packed[index]]
        return jsonin.loads(self._packed[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for packed in self._packed:
            yield jsonin.loads(packed)  # a fresh copy each time: changing it changes nothing here
