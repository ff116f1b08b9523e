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

#: What `bytes.strip()` removes: the surrounding whitespace of a report.
_WHITESPACE = b" \t\n\r\x0b\x0c"
_BOM = b"\xef\xbb\xbf"
_LEADING = re.compile(rb"[ \t\n\r\x0b\x0c]*(?:\xef\xbb\xbf[ \t\n\r\x0b\x0c]*)?")


@dataclass
class Report:
    """A raw report file. Decoding happens once and lazily, with clean errors.

    A large report is not held three times: the text of a JSON report lives only while it is
    decoded, leading and trailing whitespace is found by offset rather than by a stripped copy,
    and a parser that reads the document once may take it (`take_json`) and let each part go
    as it becomes a Finding.
    """

    name: str
    data: bytes
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        """The UTF-8 text (a BOM dropped); ReportError when empty or not UTF-8. Decoded on each
        call and not kept: decoding the XML or JSON document needs it once."""
        if self.is_blank:
            raise ReportError(self.name, "file is empty")
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReportError(self.name, f"not UTF-8 text (byte {exc.start})") from None

    @cached_property
    def _span(self) -> tuple[int, int]:
        """Where `content` starts and ends in `data`."""
        data = self.data
        start = _LEADING.match(data).end()  # type: ignore[union-attr]  # matches the empty string at least
        end = len(data)
        while end > start and data[end - 1] in _WHITESPACE:
            end -= 1
        return start, end

    @property
    def is_blank(self) -> bool:
        """Nothing but ASCII whitespace (a lone BOM is not blank: it is text without content)."""
        start, end = self._span
        return start == end and _BOM not in self.data[:start]

    @property
    def content(self) -> bytes:
        """The bytes without surrounding whitespace and a UTF-8 BOM (which `text` drops too).
        A copy when there is anything to drop: read it for a small check, do not keep it."""
        start, end = self._span
        return self.data if (start, end) == (0, len(self.data)) else self.data[start:end]

    def _first_byte(self) -> bytes:
        start, end = self._span
        return self.data[start:min(start + 1, end)]

    def json(self) -> Any:
        """The parsed JSON document, or ReportError naming what is wrong."""
        if "json" not in self._cache:
            self._cache["json"] = self._decode_json()
        value = self._cache["json"]
        if isinstance(value, ReportError):
            raise value
        return value

    def take_json(self) -> Any:
        """The parsed JSON document, handed over: the report forgets it (a later `json()`
        decodes the bytes again), so the taker may let go of each part once it has read it."""
        value = self.json()
        del self._cache["json"]
        return value

    def _decode_json(self) -> Any:
        # From a text that lives only as long as the decoding: afterwards the report is held as
        # its bytes and its document, not three times. (orjson would be faster here, but it holds
        # a copy of the input and a tree of its own while decoding: a higher peak than the text.)
        try:
            return json.loads(self.text)
        except ReportError as exc:
            return exc
        except json.JSONDecodeError as exc:
            return ReportError(self.name, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
        except RecursionError:
            return ReportError(self.name, "JSON nested too deeply")

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

    def looks_like_json(self) -> bool:
        start, end = self._span
        return self._first_byte() in (b"{", b"[") or (end - start == 4 and self.data[start:end] == b"null")

    def looks_like_xml(self) -> bool:
        return self._first_byte() == b"<"

    def decode(self) -> None:
        """Decode as JSON or XML by its first byte, so a broken file gets its own clear message."""
        if self.looks_like_xml():
            self.xml()
        elif self.looks_like_json():
            self.json()
        else:
            self.text  # noqa: B018 - empty and non-UTF-8 files get their own message

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
