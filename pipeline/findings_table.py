"""The findings table printed at the end of `scan`: the most severe open findings, and how many more."""
from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.result import ScanResult

TOP_FINDINGS_SHOWN = 15
LOG_WIDTH = 160  # CI logs have no terminal width: wide enough for a readable row
SEVERITY_STYLES = {"CRITICAL": "bold red", "HIGH": "red", "MEDIUM": "yellow", "LOW": "cyan", "INFORMATIONAL": "dim"}


def findings_table(result: ScanResult, top: int = TOP_FINDINGS_SHOWN) -> tuple[Table | None, int]:
    """The table of the `top` most severe open findings (None when there are none) and how many are left out."""
    items = [item for item in result.items() if item.verdict.standing.is_open]
    if not items:
        return None, 0
    table = Table(title=f"Open findings ({len(items)})", title_justify="left", show_lines=False)
    table.add_column("Severity", no_wrap=True, min_width=10)
    table.add_column("Tool", no_wrap=True, min_width=6)
    table.add_column("Rule", overflow="fold", min_width=8, max_width=40)
    table.add_column("File:line", overflow="fold", min_width=10, max_width=60)
    table.add_column("Title", overflow="ellipsis", no_wrap=True, min_width=10)
    for item in items[:top]:
        severity = item.finding.severity.name
        marker = " *" if item.verdict.counts else ""
        # Text, not markup: a tool's title like "[/]" or "[link=...]" must print as it is.
        table.add_row(Text(severity + marker, style=SEVERITY_STYLES.get(severity, "")), Text(item.finding.tool),
                      Text(item.finding.rule_id), Text(item.location), Text(item.finding.title))
    return table, len(items) - min(top, len(items))


def print_findings_table(result: ScanResult, stream: TextIO, top: int = TOP_FINDINGS_SHOWN) -> None:
    table, rest = findings_table(result, top)
    if table is None:
        return
    console = Console(file=stream, highlight=False, width=None if stream.isatty() else LOG_WIDTH)
    console.print(table)
    if rest:
        console.print(Text(f"... and {rest} more open finding(s): see report.html"))
    if any(item.verdict.counts for item in result.items()):
        console.print(Text("* counts against the gate"))
