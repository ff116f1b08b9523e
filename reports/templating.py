"""The two jinja2 environments: HTML (autoescaped: finding text is attacker-controlled) and plain text."""
from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

# Parentheses, '#', '+' and '!' only matter at a line start or after ']', which never happens in a cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def shorten(text: object, limit: int) -> str:
    """One line, at most `limit` characters, with an ellipsis when cut."""
    line = " ".join(_CONTROL.sub("", str(text)).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def markdown_text(text: object, limit: int = 160) -> str:
    """Inert inline Markdown: no HTML, no links, no table breaks, no @mentions."""
    line = shorten(text, limit)
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    line = _MARKDOWN_SPECIAL.sub(r"\\\1", line)
    return line.replace("@", "&#64;")


def web_links(links: dict[str, str]) -> dict[str, str]:
    """Only http(s) links become hrefs: a javascript: or data: URL is never clickable in a report."""
    return {name: url for name, url in links.items() if url.lower().startswith(("https://", "http://"))}


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["shorten"] = shorten
    env.filters["md"] = markdown_text
    return env


@cache
def html_environment() -> Environment:
    return _environment(autoescape=True)


@cache
def text_environment() -> Environment:
    return _environment(autoescape=False)


def template(name: str) -> Template:
    """The compiled template `name` (jinja2 keeps it): *.html.j2 autoescaped, the others plain text."""
    environment = html_environment() if name.endswith(".html.j2") else text_environment()
    return environment.get_template(name)


def prepare() -> None:
    """Compile every template now, e.g. while a scan's tools run, so that writing the reports
    after the last tool only renders."""
    for name in html_environment().list_templates(extensions=["j2"]):
        template(name)


@cache
def static_text(name: str) -> Markup:
    """A CSS/JS file shipped beside the templates, to inline as it is (it is ours, not input)."""
    return Markup((files("reports") / "templates" / "static" / name).read_text(encoding="utf-8"))
