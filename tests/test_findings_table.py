"""The table `scan` prints at the end: severity, tool, rule, file:line, title; the top N and a count of the rest."""
from __future__ import annotations

import io

from pipeline.findings_table import print_findings_table
from pipeline.result import ScanResult
from tests.reports.conftest import scan_result  # noqa: F401  (fixture)


def test_top_findings_with_a_count_of_the_rest(scan_result: ScanResult) -> None:  # noqa: F811
    out = io.StringIO()
    print_findings_table(scan_result, out, top=2)
    text = out.getvalue()
    for header in ("Severity", "Tool", "Rule", "File:line", "Title"):
        assert header in text
    assert "CRITICAL" in text and "config/settings.py:7" in text
    assert "... and 3 more open finding(s)" in text, "5 open findings, 2 shown; the suppressed one is not open"
    assert "B101" not in text
    assert "* counts against the gate" in text


def test_no_table_without_open_findings(scan_result: ScanResult) -> None:  # noqa: F811
    scan_result.gate.verdicts = []
    scan_result.findings = [f for f in scan_result.findings if f.suppressed]
    scan_result.asff = [a for a in scan_result.asff if a["ProductFields"].get("secpipe/suppressed") == "true"]
    out = io.StringIO()
    print_findings_table(scan_result, out)
    assert out.getvalue() == ""


def test_finding_text_is_never_rich_markup(scan_result: ScanResult) -> None:  # noqa: F811
    scan_result.findings[1].title = "[/] [bold]not bold[/bold] [link=http://x]"
    out = io.StringIO()
    print_findings_table(scan_result, out)
    assert "[/] [bold]not bold[/bold]" in out.getvalue()
