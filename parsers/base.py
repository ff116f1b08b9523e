"""The Parser interface and the Report it reads.

A parser is pure: bytes in, Findings out. No network, no AWS, no ASFF. Each
parser module defines one subclass of `Parser` and decorates it with
`@register`; `parsers.registry` finds them all.
"""
from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from pipeline.errors import ReportError
from pipeline.finding import Category, Finding


@dataclass
class Report:
    """A raw report file. Decoding happens once and lazily, with clean errors."""

    name: str
    data: bytes
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def text(self) -> str:
        if not self.data.strip():
            raise ReportError(self.name, "file is empty")
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReportError(self.name, f"not UTF-8 text (byte {exc.start})") from None

    def json(self) -> Any:
        """The parsed JSON document, or ReportError naming what is wrong."""
        if "json" not in self._cache:
            try:
                self._cache["json"] = json.loads(self.text)
            except json.JSONDecodeError as exc:
                self._cache["json"] = ReportError(self.name, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
            except RecursionError:
                self._cache["json"] = ReportError(self.name, "JSON nested too deeply")
        value = self._cache["json"]
        if isinstance(value, ReportError):
            raise value
        return value

    def xml(self) -> Element:
        """The XML root, parsed with defusedxml: entities, DTDs and bombs are refused."""
        if "xml" not in self._cache:
            try:
                self._cache["xml"] = _parse_xml(self.text)
            except DefusedXmlException as exc:
                self._cache["xml"] = ReportError(self.name, f"unsafe XML refused ({type(exc).__name__}: DTDs and entities are not allowed)")
            except SafeET.ParseError as exc:
                self._cache["xml"] = ReportError(self.name, f"not well-formed XML ({exc})")
        value = self._cache["xml"]
        if isinstance(value, ReportError):
            raise value
        return value

    @cached_property
    def content(self) -> bytes:
        """The bytes without surrounding whitespace and a UTF-8 BOM (which `text` drops too)."""
        return self.data.strip().removeprefix(b"\xef\xbb\xbf").strip()

    def looks_like_json(self) -> bool:
        return self.content[:1] in (b"{", b"[") or self.content == b"null"

    def looks_like_xml(self) -> bool:
        return self.content[:1] == b"<"

    def decode(self) -> None:
        """Decode as JSON or XML by its first byte, so a broken file gets its own clear message."""
        self.text  # noqa: B018 - empty and non-UTF-8 files first
        if self.looks_like_xml():
            self.xml()
        elif self.looks_like_json():
            self.json()

    def fail(self, problem: str) -> ReportError:
        """A ReportError for this file, to `raise`."""
        return ReportError(self.name, problem)


#: The XML Schema instance namespace, whose `xsi:` prefix Wapiti's report uses without declaring it.
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
_ROOT_START = re.compile(r"<(?![?!])[A-Za-z_][\w.:-]*")


def _parse_xml(text: str) -> Element:
    """The document root through defusedxml. Wapiti writes `xsi:` attributes without an xmlns:xsi
    declaration, which a namespace-aware parser refuses: the one prefix every XML tool knows is
    declared on the root and the parse tried again (still through defusedxml)."""
    try:
        return SafeET.fromstring(text.encode("utf-8"), forbid_dtd=True)
    except SafeET.ParseError as exc:
        if "unbound prefix" not in str(exc) or "xsi:" not in text or "xmlns:xsi" in text:
            raise
        root = _ROOT_START.search(text)
        if root is None:
            raise
        declared = f'{text[:root.end()]} xmlns:xsi="{XSI_NAMESPACE}"{text[root.end():]}'
        return SafeET.fromstring(declared.encode("utf-8"), forbid_dtd=True)


class Parser(ABC):
    """One report format family of one tool."""

    #: The name used by `secpipe parse --tool NAME` and in Finding.tool.
    name: ClassVar[str]
    #: The category of most of its findings (a parser may set another per finding).
    category: ClassVar[Category]
    #: One line for `--help` and parsers/README.md.
    formats: ClassVar[str]
    #: The tool prints a bare `[]` for a clean run. Such a list carries no tool's mark,
    #: so `sniff` may leave it to another parser, but this one still reads it when named.
    prints_bare_empty_list: ClassVar[bool] = False

    @abstractmethod
    def sniff(self, report: Report) -> bool:
        """True when the report is this tool's format. Cheap, never raises."""

    @abstractmethod
    def parse(self, report: Report) -> list[Finding]:
        """All findings in the report; ReportError when it is not this tool's report."""

    def recognises(self, report: Report) -> bool:
        """True when this is a report `parse` may read: what `sniff` claims, plus the bare `[]`
        of a tool that prints one. Never raises."""
        try:
            if self.prints_bare_empty_list and report.looks_like_json() and report.json() == []:
                return True
            return bool(self.sniff(report))
        except (ReportError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
            return False


def expect(report: Report, condition: bool, problem: str) -> None:
    """Raise ReportError(problem) unless condition holds."""
    if not condition:
        raise report.fail(problem)
