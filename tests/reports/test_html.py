from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from pipeline.result import ScanResult
from reports.html import render_html, script_json
from tests.reports.conftest import HOSTILE, make_result, many_findings


class _Collector(HTMLParser):
    """Tags with their attributes, and the text of every <script> element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def findings_data(html: str) -> list[dict]:
    page = parse(html)
    data = [text for attrs, text in page.scripts if attrs.get("id") == "findings-data"]
    assert len(data) == 1
    return json.loads(data[0])


def test_hostile_finding_text_never_appears_as_markup(scan_result: ScanResult) -> None:
    html = render_html(scan_result)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>refused</b>" not in html
    assert "&lt;b&gt;refused&lt;/b&gt;" in html  # tool detail rendered as text
    page = parse(html)
    # Only our two scripts: the JSON data block and the nonce'd page script; no image from the payload.
    assert [attrs.get("type") for attrs, _ in page.scripts] == ["application/json", None]
    assert not [t for t, _ in page.tags if t == "img"]
    # The data still carries the exact text, to be shown with textContent.
    titles = [f["title"] for f in findings_data(html)]
    assert f"Reflected XSS in q {HOSTILE}" in titles


def test_script_json_cannot_close_the_script_element() -> None:
    text = script_json({"t": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": "</script><!-- & \u2028"}


def test_page_is_self_contained_and_locked_down(scan_result: ScanResult) -> None:
    html = render_html(scan_result)
    page = parse(html)
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "object", "embed"), tag
        if tag in ("script", "img"):
            assert "src" not in attrs, (tag, attrs)
    assert "@import" not in html and "url(" not in html
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    page_script = next(attrs for attrs, _ in page.scripts if attrs.get("type") is None)
    assert page_script.get("nonce") == nonce
    assert " on" not in "".join(f" {k}" for _, a in page.tags for k in a if k.startswith("on"))  # no inline handlers


def test_summary_sections(scan_result: ScanResult) -> None:
    html = render_html(scan_result)
    assert "GATE FAILED" in html
    for reason in scan_result.gate.reasons:
        assert reason in html
    assert "rule B105 in tests/** (expired 2026-01-31): fixtures" in html
    # Incomplete and errored tools are listed loudly, not as clean; missing ones are listed as not run.
    alert = html[html.index('id="incomplete-alert"'):html.index("</section>", html.index('id="incomplete-alert"'))]
    assert "2 tool run(s) did not complete" in alert
    for tool in ("pip-audit", "zap"):
        assert f"<b>{tool}</b>" in alert
    notice = html[html.index('id="not-run-notice"'):html.index("</section>", html.index('id="not-run-notice"'))]
    assert "1 tool(s) did not run here" in notice and "<b>cfn-nag</b>" in notice
    assert "<svg" in html and html.count("<title>") >= 6  # document title + one tooltip per bar segment


def test_details_carry_every_kind_of_location_and_metadata(scan_result: ScanResult) -> None:
    data = {f["rule"]: f for f in findings_data(render_html(scan_result))}
    sca = data["PYSEC-2023-62"]
    assert sca["vulns"] == ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"]
    assert sca["cvss"][0] == {"v": "3.1", "score": 6.1, "vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", "source": "NVD"}
    assert sca["pkgs"][0] == {"name": "requests", "version": "2.19.0", "fixed": "2.31.0", "eco": "pip", "file": "requirements.txt"}
    assert data["B602"]["code"][0]["line"] == 42 and data["B602"]["cwes"] == ["CWE-78"]
    assert data["CKV_AWS_18"]["iac"]["logical"] == "ReportsBucket"
    assert data["Cross Site Scripting"]["web"][0]["param"] == "q"
    assert data["B101"]["supp"] is True and "pytest" in data["B101"]["suppReason"]
    assert data["B602"]["gate"] is True and data["PYSEC-2023-62"]["gate"] is False
    assert [f["sev"] for f in data.values()][:2] == ["CRITICAL", "CRITICAL"]


def test_ten_thousand_findings_are_data_not_markup() -> None:
    html = render_html(make_result(many_findings(10_000), validate=False))
    assert len(findings_data(html)) == 10_000
    assert "finding-row" not in html.split('<script type="application/json"')[0].split("<style>")[0]
    assert html.count("<tr") < 50  # rows are drawn by the page a page at a time, not shipped as 10,000 rows
    assert len(html.encode()) < 12_000_000


def test_passed_gate_without_findings_and_only_web_links() -> None:
    from pipeline.result import GateDecision
    from reports.markdown import render_markdown
    gate = GateDecision(passed=True, reasons=["passed: no stage reached its threshold"], threshold="HIGH", counted={})
    result = make_result([], gate=gate)
    result.links["evil"] = "javascript:alert(1)"
    html = render_html(result)
    assert "GATE PASSED" in html and "incomplete-alert" not in html and "javascript:" not in html
    assert 'href="https://eu-west-1.console.aws.amazon.com/s3/object/reports?prefix=report.html"' in html
    assert findings_data(html) == []
    md = render_markdown(result)
    assert md.startswith("## secpipe: ✅ gate passed") and "No open findings." in md


def test_undecided_gate() -> None:
    html = render_html(make_result([]))
    assert "GATE NOT DECIDED" in html and "No gate was evaluated" in html


def test_gate_counts_are_listed_most_severe_first(scan_result: ScanResult) -> None:
    scan_result.gate.counted = dict(reversed(list(scan_result.gate.counted.items())))  # as the gate builds it
    html = render_html(scan_result)
    assert "counted: Critical 2, High 1, Medium 1, Low 1, Informational 0</p>" in html
