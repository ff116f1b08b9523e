"""Malformed inputs every JSON parser must refuse with a one-line ReportError, never a traceback."""
from __future__ import annotations

import pytest

from pipeline.errors import ReportError
from tests.parsers.helpers import parse, truncated

NOT_UTF8 = b'{"results": ["\xff\xfe\xfa"]}'


def assert_refuses_malformed(tool: str, good: bytes, wrong_tool: bytes) -> None:
    """Truncated, empty, whitespace-only, non-UTF-8 and another tool's report are all ReportErrors."""
    for label, data in [("truncated", truncated(good)), ("empty", b""), ("blank", b"  \n"),
                        ("not utf-8", NOT_UTF8), ("wrong tool", wrong_tool), ("not json", b"<html></html>")]:
        with pytest.raises(ReportError) as caught:
            parse(tool, data, f"{label}.json")
        message = str(caught.value)
        assert message.startswith(f"{label}.json: ") and "\n" not in message, (label, message)
