"""HTML fragments (ZAP descriptions, Sonar rule pages) -> plain text.

Uses the standard library's HTML tokenizer, so entities (`&amp;`, `&#39;`) are
decoded and tags never leak into a Security Hub description.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

# Tags after which a reader expects a new line.
_BLOCK_TAGS = {"p", "br", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "hr"}
_URL = re.compile(r"https?://[^\s<>\"']+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str | None) -> str:
    """Visible text of an HTML fragment; paragraphs become lines, runs of blank space collapse."""
    if not fragment:
        return ""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    return "\n".join(line for line in lines if line)


def text_lines(fragment: str | None) -> list[str]:
    """The non-empty lines of an HTML fragment's text (one per paragraph or list item)."""
    return [line for line in html_to_text(fragment).splitlines() if line.strip()]


def urls_in(text: str | None) -> list[str]:
    """Every http(s) URL in the text, in order, without duplicates or trailing punctuation."""
    seen: dict[str, None] = {}
    for match in _URL.findall(text or ""):
        url = match.rstrip(".,;")
        # A ")" ends the URL only when it closes a "(" outside it: wiki URLs keep theirs.
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(".,;")
        seen.setdefault(url, None)
    return list(seen)
