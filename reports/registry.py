"""The report formats: one renderer module each registers itself here with `@register`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.result import ScanResult

Renderer = Callable[[ScanResult], str]


@dataclass(frozen=True)
class ReportFormat:
    name: str       # what people call it ("html", "sarif")
    filename: str   # what write_all names the file in the output directory
    render: Renderer


_FORMATS: dict[str, ReportFormat] = {}


def register(name: str, filename: str) -> Callable[[Renderer], Renderer]:
    def decorate(render: Renderer) -> Renderer:
        if name in _FORMATS:
            raise ValueError(f"report format {name!r} registered twice")
        _FORMATS[name] = ReportFormat(name, filename, render)
        return render
    return decorate


def formats() -> list[ReportFormat]:
    return list(_FORMATS.values())


def get(name: str) -> ReportFormat:
    try:
        return _FORMATS[name]
    except KeyError:
        raise KeyError(f"unknown report format {name!r}; known: {', '.join(_FORMATS)}") from None
