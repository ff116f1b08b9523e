"""report.md: sized for a pull-request comment.

GitHub rejects comments over 65,536 characters, so the findings table is cut to
what fits (and says how many are left out) instead of the comment failing. All
finding text goes through the `md` filter: no HTML, links, mentions or table breaks.
"""
from __future__ import annotations

from pipeline.finding import Severity
from pipeline.result import ScanResult
from reports.registry import register
from reports.templating import text_environment

GITHUB_COMMENT_LIMIT = 65_536
MAX_CHARS = 60_000      # room for a bot's own header/footer around the report
MAX_ROWS = 100
MAX_REASONS = 25


def render_markdown_with(result: ScanResult, max_chars: int = MAX_CHARS, max_rows: int = MAX_ROWS) -> str:
    items = [i for i in result.items() if not i.finding.suppressed]
    template = text_environment().get_template("report.md.j2")
    rows = min(max_rows, len(items))
    while True:
        text = template.render(
            result=result, ctx=result.context, severities=sorted(Severity, reverse=True),
            by_severity=result.counts_by_severity(), by_stage=result.counts_by_stage(),
            items=items[:rows], left_out=len(items) - rows, max_reasons=MAX_REASONS,
            gate_marker=result.counts_against_gate,
        )
        if len(text) <= max_chars or rows == 0:
            return text
        # Shrink in proportion to the overshoot; converge in a few renders even for 10,000 findings.
        rows = max(0, min(rows - 1, int(rows * max_chars / len(text)) - 1))


@register("markdown", "report.md")
def render_markdown(result: ScanResult) -> str:
    return render_markdown_with(result)
