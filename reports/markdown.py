"""report.md: sized for a pull-request comment.

GitHub rejects comments over 65,536 characters, so the findings table is cut to
what fits (and says how many are left out) instead of the comment failing. All
finding text goes through the `md` filter: no HTML, links, mentions or table breaks.
"""
from __future__ import annotations

from pipeline.finding import Severity
from pipeline.result import ScanResult
from reports.registry import register
from reports.templating import template

GITHUB_COMMENT_LIMIT = 65_536
MAX_CHARS = GITHUB_COMMENT_LIMIT - 5_536  # room for a bot's own header/footer around the report
MAX_ROWS = 100
MAX_REASONS = 25


def render_markdown_with(result: ScanResult, max_chars: int = MAX_CHARS, max_rows: int = MAX_ROWS) -> str:
    everything = result.items()
    items = [i for i in everything if i.verdict.standing.is_open]
    not_counted = [i for i in everything if not i.verdict.standing.is_open]
    page = template("report.md.j2")
    rows = min(max_rows, len(items))
    quiet_rows = min(max_rows, len(not_counted))  # suppressed and triaged: shown after the open ones
    while True:
        text = page.render(
            result=result, ctx=result.context, severities=sorted(Severity, reverse=True),
            by_severity=result.counts_by_severity(), by_stage=result.counts_by_stage(),
            items=items[:rows], left_out=len(items) - rows, max_reasons=MAX_REASONS,
            not_counted=not_counted[:quiet_rows], not_counted_left_out=len(not_counted) - quiet_rows,
        )
        if len(text) <= max_chars or rows == quiet_rows == 0:
            return text
        # Shrink in proportion to the overshoot (the not-counted list first); converge in a few renders
        # even for 10,000 findings.
        if quiet_rows:
            quiet_rows = max(0, min(quiet_rows - 1, int(quiet_rows * max_chars / len(text)) - 1))
        else:
            rows = max(0, min(rows - 1, int(rows * max_chars / len(text)) - 1))


@register("markdown", "report.md")
def render_markdown(result: ScanResult) -> str:
    return render_markdown_with(result)
