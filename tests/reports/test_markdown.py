from __future__ import annotations

from pipeline.result import ScanResult
from reports.markdown import GITHUB_COMMENT_LIMIT, MAX_CHARS, render_markdown, render_markdown_with
from reports.templating import markdown_text
from tests.reports.conftest import make_result, many_findings


def test_pull_request_comment_content(scan_result: ScanResult) -> None:
    md = render_markdown(scan_result)
    assert md.startswith("## secpipe: ❌ gate failed\n")
    assert "fail\\_on = high" in md  # gate reasons, escaped for Markdown
    assert "2 tool run(s) did not complete" in md and "⚠️ **incomplete**" in md and "⚠️ **error**" in md
    assert "Not run here: cfn-nag (not installed)." in md
    assert "| **All** | **2** | **1** | **1** | **1** | **0** | **5** |" in md
    assert "| SAST | 1 | 1 | 0 | 0 | 0 | 2 |" in md
    assert "1 suppressed finding(s) not counted." in md
    rows = [line for line in md.splitlines() if line.startswith("| CRITICAL") or line.startswith("| HIGH")
            or line.startswith("| MEDIUM") or line.startswith("| LOW")]
    top = md[md.index("### Top findings"):md.index("### Not counted")]
    assert len(rows) == 6 and "B101" not in top  # suppressed findings are not "top findings"
    not_counted = md[md.index("### Not counted"):]
    assert "| LOW | bandit | B101 | tests/test\\_app.py:3 | asserts are how pytest works (expires 2027-06-30) |" in not_counted
    assert rows[0].startswith("| CRITICAL ⛔ |")
    for location in ("config/settings.py:7", "GET http://127.0.0.1:8000/search?q=x \\[q\\]", "src/app.py:42",
                     "requests&#64;2.19.0 (requirements.txt)", "cloudformation/template.yaml#ReportsBucket:12"):
        assert any(row.endswith(f"| {location} |") for row in rows), location
    assert "more** open finding" not in md


def test_hostile_text_is_inert_markdown(scan_result: ScanResult) -> None:
    md = render_markdown(scan_result)
    assert "<script>" not in md and "<img" not in md and "<b>" not in md
    assert "&lt;script&gt;" in md
    assert "requests&#64;2.19.0" in md  # no @mention from a package name


def test_markdown_text_keeps_tables_and_links_intact() -> None:
    assert markdown_text("a | b\nc") == "a \\| b c"
    assert markdown_text("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert markdown_text("@octocat `code` *em*") == "&#64;octocat \\`code\\` \\*em\\*"
    assert markdown_text("x" * 50, limit=10) == "x" * 9 + "…"


def test_ten_thousand_findings_fit_in_a_comment_and_say_how_many_are_left_out() -> None:
    result = make_result(many_findings(10_000), validate=False)
    md = render_markdown(result)
    assert len(md) <= MAX_CHARS < GITHUB_COMMENT_LIMIT
    listed = sum(1 for line in md.splitlines() if line.startswith("| ") and "Finding number" in line)
    assert 0 < listed <= 100
    assert f"…and **{10_000 - listed} more** open finding(s) not listed here" in md


def test_the_cap_shrinks_the_table_until_it_fits() -> None:
    result = make_result(many_findings(300), validate=False)
    md = render_markdown_with(result, max_chars=8_000, max_rows=300)
    listed = sum(1 for line in md.splitlines() if "Finding number" in line)
    assert len(md) <= 8_000 and 0 < listed < 300
    assert f"**{300 - listed} more**" in md
