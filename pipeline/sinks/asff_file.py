"""Read a JSON array of ASFF findings (what `secpipe parse` prints) and check every one.

A file in the layout `secpipe parse` writes is read a chunk at a time and split into its
findings (pipeline.indented_array), each decoded on its own and checked; what is kept of a
good one is where it lies in the file, which is read again when the findings are sent
(pipeline.file_documents): memory does not grow with the file. Any other layout is decoded
as one document and its findings kept as compact JSON (pipeline.packed_documents), with the
same results.
Either way every finding is checked before anything is published, and read back as a
CheckedFinding (pipeline.checked_finding). A document that is not
a JSON array of objects is refused whole (the first problem in document order, as a
whole-document decode would report it); a finding that is not valid ASFF, or repeats an
Id, is refused by name while the good ones go on (`AsffInput.refused`).
"""
from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pipeline import jsonin
from pipeline.asff_validation import problems, size_bound_of_compact
from pipeline.checked_finding import CheckedFinding
from pipeline.errors import ReportError
from pipeline.file_documents import FileDocuments
from pipeline.indented_array import OtherLayout, read_chunks, split_item_spans
from pipeline.packed_documents import PackedDocuments
from pipeline.sinks.finding_summary import summarize

STDIN = "-"
_READ_BUFFER_BYTES = 1 << 20

Opener = Callable[[], BinaryIO]


@dataclass
class AsffInput:
    findings: Sequence[dict[str, Any]]  # FileDocuments or PackedDocuments, with summaries
    refused: list[str] = field(default_factory=list)  # one line per refused finding, naming it


class _PieceNotJson(ValueError):
    """A proposed item is not a complete JSON value: the split does not apply."""


def load_asff_file(path: str) -> AsffInput:
    """`-` reads standard input, so `secpipe parse ... | secpipe publish -` works."""
    open_input = _opener(path)
    try:
        with open_input() as stream:
            return _checked_in_place(path, open_input, split_item_spans(read_chunks(stream)))
    except (OtherLayout, _PieceNotJson):
        pass
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        with open_input() as stream:
            data = stream.read()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        findings = jsonin.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReportError(path, f"not JSON ({exc})") from None
    del data  # the decoded findings replace it
    if not isinstance(findings, list):
        raise ReportError(path, "expected a JSON array of ASFF findings (as `secpipe parse` prints)")
    return _checked(path, findings)


def _opener(path: str) -> Opener:
    """Opens the input afresh: it is read again to send what was checked, or as a whole when the
    split does not apply. Only a regular file can be opened twice; standard input, a pipe
    (`publish <(secpipe parse ...)`) or a device is read once, into memory."""
    if path != STDIN:
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except OSError as exc:
            raise _unreadable(path, exc) from None
        if regular:
            # A large buffer: the send pass reads each finding where it lies (seek, read), and
            # the 8 KB default made that one read() call per three findings.
            return lambda: Path(path).open("rb", buffering=_READ_BUFFER_BYTES)
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError as exc:
            raise _unreadable(path, exc) from None
    else:
        data = sys.stdin.buffer.read()
    return lambda: io.BytesIO(data)


def _unreadable(path: str, error: OSError) -> ReportError:
    return ReportError(path, f"cannot read ({error.strerror})")


def _decoded(piece: bytes) -> Any:
    try:
        return jsonin.loads(piece)
    except (ValueError, UnicodeDecodeError):
        raise _PieceNotJson() from None


def _checked_in_place(path: str, open_input: Opener, spans: Iterable[tuple[int, bytes]]) -> AsffInput:
    """Every item checked in order: where the valid ones lie is kept, the others refused by name."""
    documents = FileDocuments(path, open_input, summarize=summarize, document_type=CheckedFinding)
    loaded = AsffInput(documents)
    seen: set[str] = set()
    for index, (offset, piece) in enumerate(spans):
        finding = _decoded(piece)
        length = _compact_length(path, index, finding)
        if _accepts(path, index, finding, length, seen, loaded.refused):
            documents.append(offset, piece, finding, length)
    return loaded


def _checked(path: str, findings: Iterable[Any]) -> AsffInput:
    """Every finding checked in order: the valid ones packed, the others refused by name."""
    documents = PackedDocuments(summarize=summarize, document_type=CheckedFinding)
    loaded = AsffInput(documents)
    seen: set[str] = set()
    for index, finding in enumerate(findings):
        length = _compact_length(path, index, finding)
        if _accepts(path, index, finding, length, seen, loaded.refused):
            documents.append(finding, length)
    return loaded


def _compact_length(path: str, index: int, finding: Any) -> int | None:
    """Taken once here and kept (DocumentSequence.compact_lengths): the size check reads it, and
    the batching of the import (pipeline.sinks.batching) does not encode the finding again."""
    if not isinstance(finding, dict):
        raise ReportError(path, f"item {index} is not a JSON object")
    return jsonin.compact_length(finding)


def _accepts(path: str, index: int, finding: dict[str, Any], compact_length: int | None, seen: set[str],
             refused: list[str]) -> bool:
    problem = _problem(index, finding, compact_length, seen)
    if problem is not None:
        refused.append(f"{path}: {problem}")
    return problem is None


def _problem(index: int, finding: dict[str, Any], compact_length: int | None, seen: set[str]) -> str | None:
    found = problems(finding, size_bound_of_compact(compact_length))
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        return f"finding {index} ({finding.get('Id', 'no Id')}) is not valid ASFF: {found[0]}{more}"
    if finding["Id"] in seen:
        return f"finding {index}: Id {finding['Id']!r} appears more than once"
    seen.add(finding["Id"])
    return None
