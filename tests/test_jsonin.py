"""jsonin's compact writers: text and bytes agree, and both read back to the value."""
from __future__ import annotations

import pytest

from pipeline import jsonin


@pytest.mark.parametrize("value", [
    {"Title": "plain", "n": 1, "nested": [{"a": None}, True, 1.5]},
    {"Title": "é 中 😀 \x7f \n \"quoted\""},
    {"lone": "\ud800 surrogate"},  # orjson refuses it: the standard library writes it escaped
    {"big": 2 ** 70},
])
def test_compact_text_is_the_compact_bytes_decoded_and_reads_back(value):
    text = jsonin.dumps_compact_text(value)
    assert text == jsonin.dumps_compact(value).decode("utf-8")
    assert jsonin.loads(text) == value
