"""The report formats: one renderer module each registers itself here with `@register`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.registry import Registry
from pipeline.result import ScanResult

Renderer = Callable[[ScanResult], str]


@dataclass(frozen=True)
class ReportFormat:
    name: str       # what people call it ("html", "sarif")
    filename: str   # what write_all names the file in the output directory
    render: Renderer


FORMATS: Registry[ReportFormat] = Registry("report format")


def register(name: str, filename: str) -> Callable[[Renderer], Renderer]:
    def decorate(render: Renderer) -> Renderer:
        if name in FORMATS:
            raise ValueError(f"report format {name!r} registered twice")
        FORMATS.add(ReportFormat(name, filename, render))
        return render
    return decorate


def formats() -> list[ReportFormat]:
    return FORMATS.all()
