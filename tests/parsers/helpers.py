"""Shared steps of the parser tests: parse a fixture, build validated ASFF, hostile inputs."""
from __future__ import annotations

import json
from typing import Any

from parsers import registry
from pipeline.context import ScanContext
from pipeline.convert import to_validated_asff
from pipeline.finding import Finding
from tests.conftest import FIXTURES, assert_valid_asff

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<%s><x>&lol3;</x></%s>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<%s><x>&xxe;</x></%s>"""


def fixture_bytes(tool_dir: str, name: str) -> bytes:
    return (FIXTURES / tool_dir / name).read_bytes()


def fixture_json(tool_dir: str, name: str) -> Any:
    return json.loads(fixture_bytes(tool_dir, name))


def parse(tool: str, data: bytes, name: str = "report") -> list[Finding]:
    return registry.parse_report(tool, data, name)


def valid_asff(findings: list[Finding], context: ScanContext) -> list[dict[str, Any]]:
    asff = to_validated_asff(findings, context)
    assert_valid_asff(asff)
    return asff


def truncated(data: bytes) -> bytes:
    """The first half of a report, as a crashed scanner leaves it."""
    return data[: len(data) // 2]


def hostile_xml(template: bytes, root: str) -> bytes:
    return template % (root.encode(), root.encode())
