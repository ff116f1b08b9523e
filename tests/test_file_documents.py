"""A checked findings file is read again from where each finding lies, never held whole,
and a finding changed since it was checked is an error, not a finding sent unchecked."""
from __future__ import annotations

import io
import json
import os
import sys
import threading
from pathlib import Path

import pytest

from pipeline.errors import ReportError
from pipeline.file_documents import FileDocuments
from pipeline.indented_array import split_item_spans
from pipeline.packed_documents import PackedDocuments
from pipeline.sinks.asff_file import load_asff_file
from tests.test_asff_file_streaming import chunked, findings, indented


@pytest.mark.parametrize("size", [1, 7, 100, 1 << 20])
@pytest.mark.parametrize("leading", [b"", b" \n\n  "])
def test_each_span_is_where_its_item_lies_in_the_stream(size: int, leading: bytes) -> None:
    data = leading + indented(findings(4))
    spans = list(split_item_spans(chunked(data, size)))
    assert [json.loads(raw) for _, raw in spans] == findings(4)
    assert all(data[offset:offset + len(raw)] == raw for offset, raw in spans)


def test_a_loaded_file_keeps_where_its_findings_lie_not_the_findings(tmp_path: Path) -> None:
    documents = findings(5)
    documents[2]["Title"] = ""  # refused: the ones after it are read from further on
    path = tmp_path / "findings.json"
    path.write_bytes(indented(documents))
    loaded = load_asff_file(str(path))
    good = documents[:2] + documents[3:]
    assert isinstance(loaded.findings, FileDocuments) and len(loaded.refused) == 1
    assert list(loaded.findings) == good
    assert list(loaded.findings) == good  # every pass reads the file again
    assert loaded.findings[0] == good[0] and loaded.findings[-1] == good[-1]
    assert loaded.findings[1:3] == good[1:3]
    with pytest.raises(IndexError):
        loaded.findings[len(good)]


def test_a_finding_changed_after_its_check_is_an_error_not_sent(tmp_path: Path) -> None:
    documents = findings(3)
    path = tmp_path / "findings.json"
    data = indented(documents)
    path.write_bytes(data)
    loaded = load_asff_file(str(path))
    path.write_bytes(data.replace(b'"HIGH"', b'"LOW" ', 1))  # same length, other bytes
    read = iter(loaded.findings)
    with pytest.raises(ReportError, match="changed while secpipe was publishing it"):
        next(read)
    path.write_bytes(data[: len(data) // 2])  # cut short
    with pytest.raises(ReportError, match="changed while"):
        list(loaded.findings)


def test_standard_input_in_the_parse_layout_is_read_again_from_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = findings(3)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(indented(documents))))
    loaded = load_asff_file("-")
    assert isinstance(loaded.findings, FileDocuments)
    assert list(loaded.findings) == documents


def test_another_layout_is_decoded_whole_and_kept_packed(tmp_path: Path) -> None:
    documents = findings(3)
    path = tmp_path / "compact.json"
    path.write_text(json.dumps(documents))
    loaded = load_asff_file(str(path))
    assert isinstance(loaded.findings, PackedDocuments)
    assert list(loaded.findings) == documents


@pytest.mark.parametrize("layout", ["indented", "compact"])
def test_a_pipe_is_read_once_and_its_findings_sent_from_memory(tmp_path: Path, layout: str) -> None:
    """`secpipe publish <(secpipe parse ...)`: a pipe cannot be opened a second time."""
    documents = findings(3)
    data = indented(documents) if layout == "indented" else json.dumps(documents).encode()
    fifo = tmp_path / "findings.pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(data,))
    writer.start()
    loaded = load_asff_file(str(fifo))
    writer.join()
    assert list(loaded.findings) == documents
    assert list(loaded.findings) == documents


def test_a_missing_file_and_a_folder_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="cannot read"):
        load_asff_file(str(tmp_path / "absent.json"))
    with pytest.raises(ReportError, match="cannot read"):
        load_asff_file(str(tmp_path))
