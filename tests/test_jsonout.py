"""The streamed JSON writer prints exactly what json.dump(indent=2, ensure_ascii=False) prints."""
from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import jsonout

# Floats Python writes without an exponent (CVSS scores, EPSS probabilities above 1e-4).
plain_floats = st.floats(min_value=-1e15, max_value=1e15).filter(lambda f: f == 0 or abs(f) >= 1e-4)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | plain_floats | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def _expected(value) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, max_size=5))
def test_array_bytes_equal_the_standard_library(items):
    out = io.BytesIO()
    assert jsonout.write_array(iter(items), out) == len(items)
    assert out.getvalue() == _expected(items)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_value_bytes_equal_the_standard_library(value):
    out = io.BytesIO()
    jsonout.write_value(value, out)
    assert out.getvalue() == _expected(value)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=5))
def test_any_float_reads_back_as_the_same_number(items):
    out = io.BytesIO()
    jsonout.write_array(items, out)
    assert json.loads(out.getvalue()) == items


def test_big_integers_and_lone_surrogates_fall_back_to_the_standard_library():
    value = [{"n": 2**70, "s": "caf\u00e9 \ud800"}]
    out = io.BytesIO()
    jsonout.write_array(value, out)
    assert out.getvalue() == _expected(value)


class _CountingWriter(io.RawIOBase):
    def __init__(self):
        self.calls = 0
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.calls += 1
        self.data += b
        return len(b)


def test_many_items_go_out_in_few_writes():
    items = [{"Id": f"finding-{i}", "Title": "x" * 50} for i in range(20_000)]
    out = _CountingWriter()
    jsonout.write_array(items, out)
    assert json.loads(bytes(out.data)) == items
    assert out.calls <= len(out.data) // jsonout.CHUNK + 2


def test_arrays_across_batches_equal_the_standard_library():
    """Several orjson batches, one of them with an item only the standard library encodes."""
    for count in (jsonout.BATCH - 1, jsonout.BATCH, jsonout.BATCH + 1, 2 * jsonout.BATCH + 3):
        items = [{"i": i, "nested": {"list": [i, "x"], "empty": {}}} for i in range(count)]
        if count > jsonout.BATCH + 1:
            items[jsonout.BATCH + 1]["s"] = "lone \ud800"
        out = io.BytesIO()
        assert jsonout.write_array(iter(items), out) == count
        assert out.getvalue() == _expected(items)


def test_large_batches_are_written_whole_in_few_writes():
    """Batches of long items go out as they are (no joining copy), each with its separator before it."""
    items = [{"Id": f"finding-{i}", "Description": "d" * 3000} for i in range(3 * jsonout.BATCH + 7)]
    out = _CountingWriter()
    assert jsonout.write_array(iter(items), out) == len(items)
    assert bytes(out.data) == _expected(items)
    batches = -(-len(items) // jsonout.BATCH)
    assert out.calls <= 2 * batches + 2
