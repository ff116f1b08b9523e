"""Registry of parsers, filled by the `@register` decorator of each module."""
from __future__ import annotations

from collections.abc import Callable

from parsers.base import Parser, Report
from pipeline import finding_types
from pipeline.errors import ReportError
from pipeline.finding import Finding
from pipeline.gc_pause import paused_gc
from pipeline.identity import number_occurrences
from pipeline.registry import Registry

# Every module of the package is a parser, but these.
PARSERS: Registry[Parser] = Registry("tool", package="parsers", skip_modules={"base", "registry", "common"})


def register(cls: type[Parser]) -> type[Parser]:
    return PARSERS.register(cls)


def names() -> list[str]:
    return PARSERS.names()


def get(name: str) -> Parser:
    """The parser named `name`; UnknownName (a ConfigError, exit 2) naming the known ones otherwise.
    Only its own module is imported when it is named like it (pipeline.registry)."""
    return PARSERS.get(name)


def is_known(name: str) -> bool:
    return name in PARSERS


def detect(report: Report) -> Parser:
    """The parser whose format this report has; ReportError when none or several claim it."""
    report.decode()  # empty, non-UTF-8, unsafe and broken files get their own message, not "no tool"
    claims = _claims(report)
    if not claims:
        raise report.fail("not a report of any supported tool (use --tool to name it)")
    if len(claims) > 1:
        raise report.fail(f"format is ambiguous between {', '.join(sorted(p.name for p in claims))} (use --tool)")
    return claims[0]


def _claims(report: Report) -> list[Parser]:
    return [p for p in PARSERS.all() if _safe_sniff(p.sniff, report)]


def _safe_sniff(sniff: Callable[[Report], bool], report: Report) -> bool:
    try:
        return bool(sniff(report))
    except (ReportError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
        return False


def _read(parser: Parser, report: Report) -> list[Finding]:
    """The findings of a parser named by the user, which reads only a report of its own format:
    any JSON list is not a Trivy report, and reading another tool's report as one drops its
    findings. The parser's own refusal names what is missing, so it goes first."""
    report.decode()
    if parser.recognises(report):
        return parser.parse(report)
    try:
        parser.parse(report)
    except ReportError:
        raise
    except (KeyError, TypeError, AttributeError, IndexError, ValueError, RecursionError):
        pass
    others = sorted(p.name for p in _claims(report) if p is not parser)
    hint = f" (it looks like a {' or '.join(others)} report)" if others else ""
    raise report.fail(f"not a {parser.name} report{hint}")


def _checked(parser: Parser, report: Report, findings: list[Finding]) -> list[Finding]:
    """The findings, if every field holds its declared type; else the report is refused by name."""
    for index, finding in enumerate(findings):
        wrong = finding_types.problem(finding)
        if wrong:
            raise report.fail(f"not a valid {parser.name} report (finding {index + 1}: {wrong})")
    return findings


def parse_report(tool: str, data: bytes, filename: str) -> list[Finding]:
    """Parse one report with the named parser (or 'auto') and number the findings."""
    with paused_gc():  # a large report decodes to millions of objects and no cycles
        report = Report(filename, data)
        parser = detect(report) if tool == "auto" else get(tool)
        try:
            findings = _checked(parser, report, parser.parse(report) if tool == "auto" else _read(parser, report))
        except ReportError:
            raise
        except RecursionError:
            raise report.fail(f"not a valid {parser.name} report (nested too deeply)") from None
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            # The report's shape is not what this tool writes: say so, without a traceback.
            raise report.fail(f"not a valid {parser.name} report ({type(exc).__name__}: {exc})") from None
        return number_occurrences(findings)
