"""A parser named with --tool reads only its own format (issue 12 items 1, 10, 11).

Every corpus report is fed to every other parser: each refuses it with one line,
except a bare `[]`, which carries no tool's mark and which the tools that print it
for a clean run read as no findings. Wrong-typed fields and deep nesting are one
line too, never a traceback, and `--tool auto` reads a report behind a UTF-8 BOM.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from parsers import registry
from parsers.base import Report
from pipeline.errors import ReportError
from tests.conftest import CORPUS, corpus_manifest
from tests.parsers.helpers import parse
from tests.test_conformance_corpus import TOOL_NAMES

ENTRIES = corpus_manifest()
_NO_CORPUS = [pytest.param(None, marks=pytest.mark.skip(reason=f"conformance corpus not found at {CORPUS}"))]
BOM = b"\xef\xbb\xbf"


def _id(entry: dict[str, Any] | None) -> str:
    return entry["file"] if entry else "no-corpus"


def _bytes(entry: dict[str, Any]) -> bytes:
    return (CORPUS / entry["file"]).read_bytes()


@pytest.mark.parametrize("entry", ENTRIES or _NO_CORPUS, ids=_id)
def test_every_other_parser_refuses_the_report(entry: dict[str, Any]) -> None:
    data = _bytes(entry)
    own = TOOL_NAMES[entry["tool"]]
    bare_empty_list = Report(entry["file"], data).looks_like_json() and json.loads(data) == []
    for tool in registry.names():
        if tool == own:
            continue
        parser = registry.get(tool)
        if bare_empty_list and parser.prints_bare_empty_list:
            assert parse(tool, data, entry["file"]) == []
            continue
        with pytest.raises(ReportError) as caught:
            parse(tool, data, entry["file"])
        message = str(caught.value)
        assert message.startswith(f"{entry['file']}: ") and "\n" not in message, (tool, message)


def test_a_json_list_of_objects_is_not_a_trivy_report() -> None:
    sonar_issues = json.dumps([{"key": "AX1", "rule": "python:S1", "severity": "MAJOR", "component": "p:a.py",
                                "message": "m", "line": 3}]).encode()
    with pytest.raises(ReportError, match=r"not a trivy report \(it looks like a sonarqube report\)"):
        parse("trivy", sonar_issues, "issues.json")


@pytest.mark.parametrize("entry", [e for e in ENTRIES if not e["file"].endswith(".xml")] or _NO_CORPUS, ids=_id)
def test_auto_reads_a_json_report_behind_a_bom(entry: dict[str, Any]) -> None:
    data = _bytes(entry)
    if entry["file"] in ("pip_audit/empty.json",) or entry["expected_kind"] == "error":
        pytest.skip("carries no tool's mark or is an error report: auto cannot name its tool")
    plain = registry.parse_report("auto", data, entry["file"])
    assert registry.parse_report("auto", BOM + data, entry["file"]) == plain


def test_auto_reads_a_bom_report_without_the_corpus() -> None:
    data = json.dumps({"errors": [], "generated_at": "2026-01-01T00:00:00Z", "metrics": {},
                       "results": []}).encode()
    assert registry.parse_report("auto", BOM + data, "bandit.json") == []
    assert registry.detect(Report("b.json", BOM + data)).name == "bandit"


def _bandit(**fields: Any) -> bytes:
    result = {"filename": "a.py", "test_id": "B101", "test_name": "assert_used", "issue_severity": "LOW",
              "issue_confidence": "HIGH", "issue_text": "Use of assert.", "line_number": 3, "line_range": [3]}
    result.update(fields)
    return json.dumps({"errors": [], "generated_at": "2026-01-01T00:00:00Z", "metrics": {},
                       "results": [result]}).encode()


@pytest.mark.parametrize("field, value, named", [
    ("test_id", 7, "rule_id is int, expected str"),
    ("filename", None, "code_locations[0].path is NoneType, expected str"),
    ("issue_confidence", {"a": 1}, "confidence is dict, expected str"),
    ("line_number", "x", None),
    ("line_number", 1.5, "code_locations[0].start_line is float, expected int"),
    ("line_range", "x", None),
])
def test_a_wrong_typed_field_is_one_line_naming_it(field: str, value: Any, named: str | None) -> None:
    with pytest.raises(ReportError) as caught:
        parse("bandit", _bandit(**{field: value}), "bandit.json")
    message = str(caught.value)
    assert message.startswith("bandit.json: not a valid bandit report") and "\n" not in message
    if named:
        assert named in message


def test_cfn_lint_wrong_typed_rule_id_and_filename_are_one_line() -> None:
    match = {"Rule": {"Id": "E3012", "Description": "d", "ShortDescription": "s", "Source": "x"}, "Level": "Error",
             "Filename": "t.yaml", "Location": {"Start": {"LineNumber": 1, "ColumnNumber": 1}, "Path": []},
             "Message": "m"}
    for key, value in [("Filename", True), ("Rule", {"Id": []})]:
        doc = [dict(match, **{key: value})]
        with pytest.raises(ReportError, match="not a valid cfn-lint report"):
            parse("cfn-lint", json.dumps(doc).encode(), "t.json")


@pytest.mark.parametrize("tool", ["auto", *registry.names()])
def test_a_deeply_nested_document_is_one_line(tool: str) -> None:
    with pytest.raises(ReportError) as caught:
        parse(tool, ("[" * 50_000 + "]" * 50_000).encode(), "deep.json")
    assert "\n" not in str(caught.value)


def test_a_deeply_nested_field_is_one_line_never_a_recursion_error() -> None:
    """cfn-lint's Location.Path is turned into text: a deeply nested one once raised RecursionError."""
    data = ('[{"Rule": {"Id": "E1"}, "Level": "Error", "Filename": "t.yaml", "Location": {"Path": ["Resources", '
            + "[" * 3000 + "]" * 3000 + "]}}]").encode()
    with pytest.raises(ReportError) as caught:
        parse("cfn-lint", data, "t.json")
    assert "\n" not in str(caught.value)


def test_cli_wrong_typed_field_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    report = tmp_path / "bandit.json"
    report.write_bytes(_bandit(test_id=None))
    assert main(["parse", "--tool", "bandit", str(report)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("secpipe: error: ") and "rule_id" in err
