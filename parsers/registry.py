"""Registry of parsers, filled by the `@register` decorator of each module."""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from parsers.base import Parser, Report
from pipeline.errors import ReportError
from pipeline.finding import Finding
from pipeline.gc_pause import paused_gc
from pipeline.identity import number_occurrences

_PARSERS: dict[str, Parser] = {}
_NOT_PARSER_MODULES = {"base", "registry", "common"}
_loaded = False


def register(cls: type[Parser]) -> type[Parser]:
    if cls.name in _PARSERS and type(_PARSERS[cls.name]) is not cls:
        raise RuntimeError(f"two parsers are named {cls.name!r}")
    _PARSERS[cls.name] = cls()
    return cls


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    import parsers

    for module in pkgutil.iter_modules(parsers.__path__):
        if module.name not in _NOT_PARSER_MODULES and not module.name.startswith("_"):
            importlib.import_module(f"parsers.{module.name}")
    _loaded = True


def names() -> list[str]:
    _load_all()
    return sorted(_PARSERS)


def get(name: str) -> Parser:
    _load_all()
    try:
        return _PARSERS[name]
    except KeyError:
        raise ValueError(f"unknown tool {name!r}; use one of: auto, {', '.join(names())}") from None


def detect(report: Report) -> Parser:
    """The parser whose format this report has; ReportError when none or several claim it."""
    _load_all()
    report.text  # noqa: B018 - empty and non-UTF-8 files get their own clear message first
    if report.looks_like_xml():
        report.xml()  # so do unsafe (entities, DTDs) and broken XML, which every sniff would just decline
    claims = [p for p in _PARSERS.values() if _safe_sniff(p.sniff, report)]
    if not claims:
        raise report.fail("not a report of any supported tool (use --tool to name it)")
    if len(claims) > 1:
        raise report.fail(f"format is ambiguous between {', '.join(sorted(p.name for p in claims))} (use --tool)")
    return claims[0]


def _safe_sniff(sniff: Callable[[Report], bool], report: Report) -> bool:
    try:
        return bool(sniff(report))
    except (ReportError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return False


def parse_report(tool: str, data: bytes, filename: str) -> list[Finding]:
    """Parse one report with the named parser (or 'auto') and number the findings."""
    with paused_gc():  # a large report decodes to millions of objects and no cycles
        report = Report(filename, data)
        parser = detect(report) if tool == "auto" else get(tool)
        try:
            findings = parser.parse(report)
        except ReportError:
            raise
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            # The report's shape is not what this tool writes: say so, without a traceback.
            raise report.fail(f"not a valid {parser.name} report ({type(exc).__name__}: {exc})") from None
        return number_occurrences(findings)
