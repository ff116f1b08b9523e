"""parsers/README.md documents every registered parser and every severity table entry."""
from __future__ import annotations

from parsers import registry
from pipeline.severity import TABLES
from tests.conftest import PROJECT

README = (PROJECT / "parsers" / "README.md").read_text(encoding="utf-8")


def test_every_parser_has_a_section() -> None:
    missing = [name for name in registry.names() if f"## {name} (`parsers/" not in README]
    assert not missing, f"parsers/README.md has no section for {missing}"


def test_every_tool_with_a_severity_table_is_a_parser() -> None:
    assert set(TABLES) <= set(registry.names())
