"""Geometry of the inline SVG bar chart (one stacked bar per stage, a segment per severity).

Computed here so the template only places numbers and escaped labels.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.finding import Severity

SEVERITY_COLOURS = {
    Severity.CRITICAL: "#7a1020",
    Severity.HIGH: "#d1352b",
    Severity.MEDIUM: "#e8a317",
    Severity.LOW: "#3b82c4",
    Severity.INFORMATIONAL: "#8a94a3",
}

LABEL_WIDTH = 70
BAR_AREA = 420
ROW_HEIGHT = 26
BAR_HEIGHT = 18
TOTAL_WIDTH = 50


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    title: str  # tooltip: "HIGH: 3"


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]
    bar_height: int = BAR_HEIGHT      # the template draws each bar (and its track) this high
    total_width: int = TOTAL_WIDTH    # room right of the bars for the total


def stacked_bars(rows: dict[str, dict[Severity, int]]) -> Chart:
    """One bar per row; widths share one scale so bars compare across rows."""
    largest = max((sum(counts.values()) for counts in rows.values()), default=0) or 1
    bars = []
    for index, (label, counts) in enumerate(rows.items()):
        x = float(LABEL_WIDTH)
        segments = []
        for severity in sorted(counts, reverse=True):
            n = counts[severity]
            if not n:
                continue
            width = BAR_AREA * n / largest
            segments.append(Segment(round(x, 2), round(max(width, 1.0), 2), SEVERITY_COLOURS[severity], f"{severity.name}: {n}"))
            x += width
        bars.append(Bar(label, index * ROW_HEIGHT, sum(counts.values()), segments))
    return Chart(LABEL_WIDTH + BAR_AREA + TOTAL_WIDTH, max(len(bars), 1) * ROW_HEIGHT, LABEL_WIDTH, bars)
