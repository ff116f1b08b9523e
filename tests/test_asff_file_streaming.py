"""`secpipe publish` reads its FILE a chunk at a time when it is in `secpipe parse`'s layout,
and gives the same findings and the same errors as a whole-document decode for any layout."""
from __future__ import annotations

import io
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from pipeline import jsonin, jsonout
from pipeline.asff import to_asff
from pipeline.bounded_map import map_bounded
from pipeline.checked_finding import CheckedFinding
from pipeline.context import ScanContext
from pipeline.errors import ReportError
from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.indented_array import OtherLayout, split_items
from pipeline.packed_documents import PackedDocuments
from pipeline.sinks import asff_file
from pipeline.sinks.asff_file import load_asff_file
from pipeline.sinks.batching import batches, iter_batches

CONTEXT = ScanContext(account="123456789012", region="eu-west-1", repo="r", branch="main", commit="0" * 40)


def findings(count: int) -> list[dict[str, Any]]:
    return [to_asff(Finding(tool="bandit", rule_id=f"B{600 + n}", title=f"finding {n} \u00e9\u4e2d",
                            severity=Severity.HIGH, category=Category.SAST, description="line one\nline \"two\"",
                            code_locations=[CodeLocation(path=f"src/m{n}.py", start_line=n + 1)]), CONTEXT)
            for n in range(count)]


def indented(documents: list[dict[str, Any]]) -> bytes:
    out = io.BytesIO()
    jsonout.write_array(documents, out)
    return out.getvalue()


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 3, 64, 1 << 20])
def test_split_items_gives_each_item_whatever_the_chunk_boundaries(size: int) -> None:
    documents = findings(5)
    pieces = list(split_items(chunked(indented(documents), size)))
    assert [json.loads(p) for p in pieces] == documents


def test_split_items_of_an_empty_array_and_of_non_arrays() -> None:
    assert list(split_items([b"[]\n"])) == []
    assert list(split_items([b"  [", b"\n]"])) == []
    with pytest.raises(OtherLayout):
        list(split_items([b'{"Findings": []}']))
    with pytest.raises(OtherLayout):
        list(split_items([b'[\n  {"a": 1},\n  {"b": 2}']))  # cut short: no closing bracket


def test_nested_objects_are_not_split() -> None:
    data = b'[\n  {"a": [\n    {"b": 1},\n    {"c": 2}\n  ]},\n  {"d": 3}\n]\n'
    assert [json.loads(p) for p in split_items([data])] == json.loads(data)


def test_jsonin_reads_what_orjson_refuses_as_json_loads_does() -> None:
    for text in ('"\\ud800"', "NaN", '{"a": 1}', "[18446744073709551615, -9223372036854775808]"):
        assert repr(jsonin.loads(text.encode())) == repr(json.loads(text))
    assert jsonin.loads('["\u00e9"]'.encode("utf-16")) == ["\u00e9"]
    with pytest.raises(ValueError):
        jsonin.loads(b"{not json")


def test_packed_documents_give_back_equal_fresh_copies() -> None:
    documents = findings(3) + [{"Id": "lone \ud800 surrogate", "Big": 2 ** 70}]
    packed = PackedDocuments(documents)
    assert len(packed) == 4 and list(packed) == documents and packed[1] == documents[1]
    assert packed[1:3] == documents[1:3]
    first = packed[0]
    first["Title"] = "changed"
    assert packed[0]["Title"] == documents[0]["Title"]


def write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "findings.json"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("layout", ["indented", "compact", "indent-4"])
def test_every_layout_loads_the_same_findings(tmp_path: Path, layout: str) -> None:
    documents = findings(4)
    data = {"indented": indented(documents), "compact": json.dumps(documents).encode(),
            "indent-4": json.dumps(documents, indent=4).encode()}[layout]
    loaded = list(load_asff_file(write(tmp_path, data)).findings)
    assert loaded == documents
    # Read back as checked (pipeline.checked_finding), in either holder: the in-process hub trusts that.
    assert {type(finding) for finding in loaded} == {CheckedFinding}


def test_the_layout_split_is_used_for_parse_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse-layout file never goes through the whole-document decode (which holds it all)."""
    whole: list[bytes] = []
    real = jsonin.loads
    monkeypatch.setattr(asff_file.jsonin, "loads", lambda data: whole.append(data) or real(data))
    documents = findings(3)
    data = indented(documents)
    assert list(load_asff_file(write(tmp_path, data)).findings) == documents
    assert whole and max(len(decoded) for decoded in whole) < len(data) / 2  # finding by finding, never the file


def test_a_lone_surrogate_is_refused_for_its_finding_not_as_broken_json(tmp_path: Path) -> None:
    documents = findings(3)
    documents[1]["Title"] = "bad \ud800 title"
    data = json.dumps(documents, indent=2, ensure_ascii=True).encode()
    loaded = load_asff_file(write(tmp_path, data))
    assert list(loaded.findings) == [documents[0], documents[2]]  # the good neighbours go on
    assert len(loaded.refused) == 1 and "finding 1 (" in loaded.refused[0]
    assert "lone surrogate" in loaded.refused[0] and "not JSON" not in loaded.refused[0]


def test_broken_json_after_an_invalid_finding_is_reported_as_broken_json(tmp_path: Path) -> None:
    """As a whole-document decode reports it: a document that is not JSON says so first."""
    documents = findings(3)
    documents[0]["Severity"] = {"Label": "NOT-A-LABEL"}
    data = indented(documents)
    with pytest.raises(ReportError, match="not JSON"):
        load_asff_file(write(tmp_path, data[:-10]))


def test_an_item_that_is_not_an_object_refuses_the_whole_document(tmp_path: Path) -> None:
    documents = findings(3)
    with pytest.raises(ReportError, match="item 1 is not a JSON object"):
        load_asff_file(write(tmp_path, indented(documents[:1] + [7] + documents[1:])))  # type: ignore[list-item]


@pytest.mark.parametrize("mangle, message", [
    (lambda d: d + [dict(d[0])], "finding 3: Id .* appears more than once"),
    (lambda d: [{**d[0], "Title": ""}] + d[1:], r"finding 0 \(.*\) is not valid ASFF"),
])
def test_a_bad_finding_is_refused_by_name_and_the_others_kept(tmp_path: Path, mangle: Any, message: str) -> None:
    documents = mangle(findings(3))
    loaded = load_asff_file(write(tmp_path, indented(documents)))
    assert len(loaded.refused) == 1 and re.search(message, loaded.refused[0])
    assert len(list(loaded.findings)) == len(documents) - 1


def test_standard_input_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = findings(2)
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(documents).encode()))  # compact: needs a second reading
    monkeypatch.setattr(sys, "stdin", stdin)
    assert list(load_asff_file("-").findings) == documents


def test_iter_batches_splits_as_batches_does() -> None:
    documents = findings(250)
    assert list(iter_batches(iter(documents))) == batches(documents)
    assert [len(b) for b in batches(documents)] == [100, 100, 50]


def test_map_bounded_keeps_order_and_submits_only_a_few_ahead() -> None:
    submitted: list[int] = []

    def items():
        for n in range(20):
            submitted.append(n)
            yield n

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = map_bounded(pool, lambda n: n * n, items(), ahead=3)
        assert next(results) == 0
        assert len(submitted) == 3  # the first result came back when three were in flight
        assert list(results) == [n * n for n in range(1, 20)]


def test_map_bounded_raises_the_first_failure_in_order() -> None:
    def square_or_fail(n: int) -> int:
        if n == 4:
            raise RuntimeError("four")
        return n * n

    with ThreadPoolExecutor(max_workers=2) as pool:
        got: list[int] = []
        with pytest.raises(RuntimeError, match="four"):
            for value in map_bounded(pool, square_or_fail, range(10), ahead=2):
                got.append(value)
    assert got == [0, 1, 4, 9]
