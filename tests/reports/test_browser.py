"""report.html in headless Chromium: rows visible, filter changes the count, sort works, screenshot."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pipeline.result import ScanResult
from reports.html import render_html
from tests.reports.conftest import make_result, many_findings

pytestmark = pytest.mark.browser

def _open(browser, html: str, tmp_path: Path):
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    return page, problems, requests


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_findings_table_filters_sorts_and_renders(browser, scan_result: ScanResult, tmp_path: Path) -> None:
    from playwright.sync_api import expect
    page, problems, requests = _open(browser, render_html(scan_result), tmp_path)
    rows = page.locator("tr.finding-row")
    assert rows.count() == 6 and rows.first.is_visible()
    assert page.locator("#match-count").inner_text() == "6"
    assert rows.first.locator("td").first.inner_text() == "CRITICAL"

    page.select_option("#filter-severity", "HIGH")
    assert page.locator("#match-count").inner_text() == "3" and rows.count() == 3
    page.select_option("#filter-severity", "")
    page.select_option("#filter-stage", "iac")
    assert rows.count() == 1 and "ReportsBucket" in rows.first.inner_text()
    page.select_option("#filter-stage", "")
    page.fill("#filter-text", "cve-2023-32681")
    # The search box waits for typing to pause; expect() retries without eval (the page's CSP forbids eval).
    expect(page.locator("#match-count")).to_have_text("1")
    page.fill("#filter-text", "")
    expect(page.locator("#match-count")).to_have_text("6")
    page.uncheck("#filter-suppressed")
    assert page.locator("#match-count").inner_text() == "5"
    page.check("#filter-suppressed")

    page.click("th[data-key=tool]")  # ascending by tool
    tools = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert tools == sorted(tools) and tools[0] == "bandit"
    page.click("th[data-key=tool]")  # and back, descending
    assert rows.first.locator("td").nth(1).inner_text() == "wapiti"

    # Details open on click and show the hostile text as text; nothing executed.
    page.click("th[data-key=rank]")
    xss = page.locator("tr.finding-row", has_text="Reflected XSS")
    xss.click()
    details = page.locator("tr.details")
    assert details.count() == 1 and "<script>alert(\"pwned\")</script>" in details.inner_text()
    assert "Encode output for its HTML context." in details.inner_text()
    assert page.locator("tr.details img").count() == 0
    assert problems == [] and all(url.startswith("file://") for url in requests), (problems, requests)

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    width, height = _png_size(shot.read_bytes())
    assert width == 1400 and height > 900 and shot.stat().st_size > 30_000
    page.close()


def test_ten_thousand_findings_draw_a_page_at_a_time(browser, tmp_path: Path) -> None:
    page, problems, _ = _open(browser, render_html(make_result(many_findings(10_000), validate=False)), tmp_path)
    rows = page.locator("tr.finding-row")
    assert page.locator("#match-count").inner_text() == "10000"
    assert rows.count() == 250
    page.click("#show-more")
    assert rows.count() == 500
    page.select_option("#filter-severity", "CRITICAL")
    assert page.locator("#match-count").inner_text() == "2000" and rows.count() == 250
    assert problems == []
    page.close()
