"""parsers.base.Report holds a large file once: what it says about a file's bytes (content, its
first byte, blank or not, text) is what the stripped copies it no longer makes would say, and a
document a parser takes (and lets go of piece by piece) is decoded afresh for a later reader."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers import registry
from parsers.base import Report
from pipeline.errors import ReportError
from tests.conftest import PROJECT

BOM = b"\xef\xbb\xbf"
PIECES = [b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", BOM, b"{", b"}", b"[", b"]", b"<", b"null", b"x", b"\xe9"]


def stripped_copy(data: bytes) -> bytes:
    """What `content` was defined as before it was found by offset."""
    return data.strip().removeprefix(BOM).strip()


@given(st.lists(st.sampled_from(PIECES), max_size=12).map(b"".join))
def test_content_and_first_byte_are_those_of_the_stripped_copy(data: bytes) -> None:
    report = Report("r", data)
    content = stripped_copy(data)
    assert report.content == content
    assert report.looks_like_json() == (content[:1] in (b"{", b"[") or content == b"null")
    assert report.looks_like_xml() == (content[:1] == b"<")
    assert report.is_blank == (not data.strip())


@given(st.lists(st.sampled_from(PIECES), max_size=12).map(b"".join))
def test_text_is_the_decoded_file_or_a_clean_refusal(data: bytes) -> None:
    report = Report("r", data)
    if not data.strip():
        with pytest.raises(ReportError, match="file is empty"):
            report.text  # noqa: B018
        return
    try:
        expected = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        with pytest.raises(ReportError, match=rf"not UTF-8 text \(byte {exc.start}\)"):
            report.text  # noqa: B018
    else:
        assert report.text == expected


def test_a_file_without_surrounding_whitespace_is_its_own_content() -> None:
    data = b'{"a": 1}'
    assert Report("r", data).content is data


@pytest.mark.parametrize(("data", "words"), [
    (b"", "file is empty"),
    (b" \n\t", "file is empty"),
    (b'{"a": ', "not valid JSON (Expecting value at line 1 column 7)"),
    (b'{"caf\xe9": 1}', "not UTF-8 text (byte 5)"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
])
def test_json_refusals_name_the_problem(data: bytes, words: str) -> None:
    report = Report("r.json", data)
    for _ in range(2):  # the refusal is kept, like a document
        with pytest.raises(ReportError) as caught:
            report.json()
        assert str(caught.value) == f"r.json: {words}"


def test_json_keeps_what_the_standard_library_reads() -> None:
    data = BOM + b' {"n": 123456789012345678901234567890, "f": NaN, "s": "\\ud800", "e": 1E400} \n'
    value = Report("r", data).json()
    assert value["n"] == 123456789012345678901234567890 and value["s"] == "\ud800" and value["e"] == float("inf")
    assert value["f"] != value["f"]  # NaN


def test_a_taken_document_is_the_takers_and_a_later_reader_decodes_afresh() -> None:
    report = Report("r.json", b'{"results": [{"a": 1}, {"a": 2}]}')
    first = report.json()
    taken = report.take_json()
    assert taken is first
    taken["results"][0] = None
    again = report.json()
    assert again == {"results": [{"a": 1}, {"a": 2}]} and again is not taken


def _sarif(results: list[dict]) -> bytes:
    return json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "T"}}, "results": results}]}).encode()


def _dependency_check(vulnerabilities: list[dict]) -> bytes:
    return json.dumps({"reportSchema": "1.1", "projectInfo": {"reportDate": "2026-01-01T00:00:00Z"}, "dependencies": [
        {"fileName": "a.jar", "filePath": "/a.jar", "vulnerabilities": vulnerabilities[:1]},
        {"fileName": "b.jar", "filePath": "/b.jar"},
        {"fileName": "c.jar", "filePath": "/c.jar", "vulnerabilities": vulnerabilities[1:]},
    ]}).encode()


SARIF = _sarif([{"ruleId": f"R{i}", "message": {"text": f"m{i}"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"f{i}.py"}}}]} for i in range(3)])
DEPENDENCY_CHECK = _dependency_check([{"name": f"CVE-2024-{1000 + i}", "source": "NVD", "severity": "HIGH",
                                       "description": f"flaw {i}"} for i in range(3)])


@pytest.mark.parametrize(("tool", "data"), [("sarif", SARIF), ("dependency-check", DEPENDENCY_CHECK)])
def test_a_parser_that_lets_the_document_go_leaves_the_report_whole(tool: str, data: bytes) -> None:
    parser = registry.get(tool)
    report = Report("r.json", data)
    first = parser.parse(report)
    assert len(first) == 3
    assert parser.parse(report) == first
    assert report.json() == json.loads(data)


def test_a_report_with_one_bad_finding_is_refused_whole_before_any_output(tmp_path: Path) -> None:
    vulnerabilities = [{"name": f"CVE-2024-{1000 + i}", "source": "NVD", "severity": "HIGH"} for i in range(3)]
    vulnerabilities[1]["source"] = 5
    path = tmp_path / "dependency-check-report.json"
    path.write_bytes(_dependency_check(vulnerabilities))
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", "--tool", "dependency-check", str(path)],
                            cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (f"secpipe: error: {path}: not a valid dependency-check report "
                                     "(finding 2: extra['source'] is int, expected str)")
