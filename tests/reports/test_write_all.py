from __future__ import annotations

import json
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

import reports
from pipeline.registry import UnknownName
from pipeline.result import ScanResult
from reports import registry


def test_writes_every_format(scan_result: ScanResult, tmp_path: Path) -> None:
    written = reports.write_all(scan_result, tmp_path / "out")
    assert {name: path.name for name, path in written.items()} == {
        "html": "report.html", "markdown": "report.md", "junit": "junit.xml", "sarif": "results.sarif",
        "email-text": "approval-email.txt", "email-html": "approval-email.html"}
    for path in written.values():
        assert path.parent == tmp_path / "out" and path.stat().st_size > 500
    assert json.loads(written["sarif"].read_text())["version"] == "2.1.0"
    assert SafeET.parse(written["junit"]).getroot().tag == "testsuites"
    assert written["html"].read_text().startswith("<!DOCTYPE html>")


def test_registry_rejects_duplicates_and_unknown_names() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("html", "again.html")(lambda result: "")
    with pytest.raises(UnknownName, match="unknown report format 'pdf'; use one of: email-html"):
        registry.FORMATS.get("pdf")


def test_after_prepare_writing_the_reports_compiles_nothing(scan_result: ScanResult, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan prepares while its tools run; after the last tool only rendering is left."""
    from jinja2 import Environment

    from reports.templating import prepare

    prepare()

    def no_compiling(*args, **kwargs):
        raise AssertionError("a template was compiled while the reports were written")

    monkeypatch.setattr(Environment, "compile", no_compiling)
    written = reports.write_all(scan_result, tmp_path / "out")
    assert written["html"].read_text().startswith("<!DOCTYPE html>")
    assert written["email-html"].stat().st_size > 500
