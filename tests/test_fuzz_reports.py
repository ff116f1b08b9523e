"""Fuzz: every corpus report, mutated, gives exit 0 with valid ASFF or exit 2 with one
line on stderr, never a traceback (issue 12, "Keep it honest").

Mutations: truncate, retype a field, the wrong --tool, a UTF-8 BOM, and deep nesting
put in place of a field. The CLI runs in process (pipeline.cli.main) to keep this
fast; a few real subprocess runs check the same at the edge of the program.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import registry
from pipeline.cli import main
from tests.conftest import CORPUS, PROJECT, assert_valid_asff, corpus_manifest
from tests.test_conformance_corpus import TOOL_NAMES

ENTRIES = corpus_manifest()
pytestmark = pytest.mark.skipif(not ENTRIES, reason=f"conformance corpus not found at {CORPUS}")
BOM = b"\xef\xbb\xbf"
RETYPED = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=8), st.just([]), st.just({}), st.just([1, "a"]), st.just({"a": {"b": []}}))


def _paths(doc: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(doc, dict):
        for key, value in list(doc.items())[:20]:
            found += _paths(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc[:3]):
            found += _paths(value, (*path, index))
    return found


def _replace(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return doc


_DEEP_MARK = "\u2603deep\u2603"


def _deep(depth: int) -> str:
    """JSON text nested `depth` levels (json.dumps cannot write it: it recurses too)."""
    return "[" * depth + '{"a": 1}' + "]" * depth


@st.composite
def mutated_reports(draw: st.DrawFn) -> tuple[str, bytes]:
    entry = draw(st.sampled_from(ENTRIES))
    data = (CORPUS / entry["file"]).read_bytes()
    own = TOOL_NAMES[entry["tool"]]
    mutation = draw(st.sampled_from(["truncate", "retype", "wrong tool", "bom", "deep"]))
    tool = draw(st.sampled_from(["auto", *registry.names()])) if mutation == "wrong tool" else own
    is_json = not entry["file"].endswith(".xml")
    if mutation == "truncate":
        data = data[:draw(st.integers(0, max(0, len(data) - 1)))]
    elif mutation == "bom":
        data = BOM + data
        tool = draw(st.sampled_from(["auto", own]))
    elif mutation in ("retype", "deep") and is_json:
        doc = json.loads(data)
        path = draw(st.sampled_from(_paths(doc)))
        value = draw(RETYPED) if mutation == "retype" else _DEEP_MARK
        text = json.dumps(_replace(doc, path, value), allow_nan=True)
        data = text.replace(json.dumps(_DEEP_MARK), _deep(draw(st.integers(500, 5000)))).encode()
    elif mutation in ("retype", "deep"):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + b"<a>" * 3000 + data[cut:]
    return tool, data


def _check(code: int, out: str, err: str) -> None:
    if code == 0:
        assert_valid_asff(json.loads(out))
        assert err == ""
    else:
        assert code == 2, err
        assert err.count("\n") == 1 and err.startswith("secpipe: error: ") and "Traceback" not in err, err


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_reports())
def test_a_mutated_report_is_valid_asff_or_one_line(capsys: pytest.CaptureFixture[str],
                                                    case: tuple[str, bytes]) -> None:
    tool, data = case
    capsys.readouterr()
    with tempfile.NamedTemporaryFile(suffix=".report") as report:
        report.write(data)
        report.flush()
        code = main(["parse", "--tool", tool, report.name])
    captured = capsys.readouterr()
    _check(code, captured.out, captured.err)


@pytest.mark.parametrize("tool, mutate", [
    ("trivy", lambda data: data),  # another tool's report under --tool trivy
    ("bandit", lambda data: data[: len(data) // 2]),
    ("auto", lambda data: BOM + data),
])
def test_the_real_program_exits_0_or_2_with_one_line(tmp_path: Path, tool: str, mutate) -> None:
    entry = next(e for e in ENTRIES if e["file"] == "bandit/one_vuln.json")
    report = tmp_path / "report.json"
    report.write_bytes(mutate((CORPUS / entry["file"]).read_bytes()))
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", "--tool", tool, str(report)],
                         cwd=PROJECT, capture_output=True, text=True, timeout=120)
    _check(run.returncode, run.stdout, run.stderr)
    assert run.returncode == (0 if tool == "auto" else 2)
