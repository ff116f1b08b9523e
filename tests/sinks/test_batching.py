from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import jsonin
from pipeline.asff import to_asff
from pipeline.asff_validation import validate
from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.packed_documents import PackedDocuments
from pipeline.sinks import batching
from pipeline.sinks.base import Scope
from pipeline.sinks.batching import (
    MAX_FINDINGS_PER_REQUEST,
    MAX_REQUEST_BYTES,
    batches,
    encoded_size,
    encoded_size_bound,
    request_size,
)
from pipeline.sinks.securityhub import SecurityHubSink
from tests.sinks.builders import asff_findings, context, product_arn
from tests.sinks.conftest import FAST, hub_client


def large_findings(count: int) -> list[dict]:
    """Findings near the per-finding size ceiling: 40 wide ProductFields and 32 locations with snippets."""
    result = []
    for index in range(count):
        finding = Finding(
            tool="bandit", rule_id="B999", title=f"large {index}", severity=Severity.HIGH, category=Category.SAST,
            description="d" * 2000,
            code_locations=[CodeLocation(path=f"src/big_{index}_{n}.py", start_line=n + 1, snippet="é" * 1000)
                            for n in range(32)],
            extra={f"field{n}": "x" * 2040 for n in range(40)},
        )
        result.append(validate(to_asff(finding, context())))
    return result


def test_count_limit_splits_into_hundreds_in_order():
    findings = asff_findings(250)
    split = batches(findings)
    assert [len(b) for b in split] == [100, 100, 50]
    assert [f["Id"] for b in split for f in b] == [f["Id"] for f in findings]


def test_size_limit_respected_with_large_findings():
    findings = large_findings(120)
    sizes = [encoded_size(f) for f in findings]
    assert min(sizes) > 100_000  # large enough that 100 of them would be far over 6 MB
    split = batches(findings)
    assert len(split) > 2
    for batch in split:
        assert len(batch) <= MAX_FINDINGS_PER_REQUEST
        assert request_size(batch) <= MAX_REQUEST_BYTES
    # Greedy packing: adding the next finding to a batch would have crossed the limit.
    for batch, following in zip(split, split[1:], strict=False):
        assert request_size(batch + following[:1]) > MAX_REQUEST_BYTES
    assert [f["Id"] for b in split for f in b] == [f["Id"] for f in findings]


def test_size_measure_matches_what_botocore_sends():
    # Non-ASCII text is escaped by botocore's json.dumps, so it counts six bytes per character.
    finding = large_findings(1)[0]
    assert encoded_size(finding) == len(json.dumps(finding).encode())
    assert encoded_size(finding) > len(json.dumps(finding, ensure_ascii=False).encode())


def test_single_oversized_finding_is_an_error_not_a_drop():
    small = asff_findings(2)
    big = asff_findings(1, start=9, description="x" * 1000)[0]
    limit = max(encoded_size(f) for f in small) + 100
    assert encoded_size(big) > limit
    assert len(batches(small, max_bytes=limit)) == 2
    with pytest.raises(ValueError, match=big["Id"]):
        batches([small[0], big, small[1]], max_bytes=limit)


def test_requests_on_the_wire_respect_both_limits(fake_hub):
    findings = large_findings(90) + asff_findings(150)
    sink = SecurityHubSink(hub_client(fake_hub.endpoint_url), product_arn(), FAST)
    result = sink.publish(findings, [Scope("demo", "main", "bandit", complete=False)])
    assert result.ok and result.accepted == result.sent == 240
    assert max(fake_hub.import_body_bytes) <= MAX_REQUEST_BYTES
    assert max(fake_hub.import_batch_sizes) <= MAX_FINDINGS_PER_REQUEST
    assert sum(fake_hub.import_batch_sizes) == 240
    assert len(fake_hub.store) == 240


def _exact_greedy(findings, max_count, max_bytes):
    """The split by exact sizes alone: what iter_batches must give, however it measures."""
    result, current = [], []
    for finding in findings:
        if current and (len(current) >= max_count or request_size(current + [finding]) > max_bytes):
            result.append(current)
            current = []
        current.append(finding)
    return result + ([current] if current else [])


_TEXTS = st.text(alphabet=st.sampled_from(["a", ":", ",", "\x7f", "\n", "é", "€", "😀", '"', "\\"]), max_size=60)
_VALUES = st.recursive(
    st.one_of(_TEXTS, st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
              st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXTS, inner, max_size=4)),
    max_leaves=12,
)


@given(_VALUES)
@settings(max_examples=300, deadline=None)
def test_the_size_bound_is_never_below_what_botocore_sends(value):
    finding = {"Id": "x", "Value": value}
    assert encoded_size_bound(finding) >= encoded_size(finding)


@given(st.lists(st.dictionaries(st.sampled_from(["Id", "Title", "Note"]), _TEXTS, min_size=1), max_size=40),
       st.integers(1, 7), st.integers(40, 900))
@settings(max_examples=300, deadline=None)
def test_batches_by_the_bound_are_the_exact_greedy_split(findings, max_count, max_bytes):
    findings = [f for f in findings if request_size([f]) <= max_bytes]
    assert batches(findings, max_count, max_bytes) == _exact_greedy(findings, max_count, max_bytes)


@given(st.lists(st.dictionaries(st.sampled_from(["Id", "Title", "Note"]), _TEXTS, min_size=1), max_size=40),
       st.integers(1, 7), st.integers(40, 900))
@settings(max_examples=200, deadline=None)
def test_the_lengths_a_sequence_keeps_give_the_same_split(findings, max_count, max_bytes):
    findings = [f for f in findings if request_size([f]) <= max_bytes]
    packed = PackedDocuments()
    for finding in findings:
        packed.append(finding, jsonin.compact_length(finding))
    assert list(packed.compact_lengths) == [len(jsonin.dumps_compact(f)) for f in findings]
    assert batches(packed, max_count, max_bytes) == _exact_greedy(findings, max_count, max_bytes)


def test_a_finding_whose_length_is_not_known_is_measured(monkeypatch):
    packed = PackedDocuments()
    packed.append({"Id": "known", "Title": "x" * 50}, jsonin.compact_length({"Id": "known", "Title": "x" * 50}))
    packed.append({"Id": "unknown", "Title": "y" * 50})  # no length kept: encoded for the bound
    measured = []
    real = batching.encoded_size_bound
    monkeypatch.setattr(batching, "encoded_size_bound", lambda finding: measured.append(finding["Id"]) or real(finding))
    assert [[f["Id"] for f in batch] for batch in batches(packed, 10, 10_000)] == [["known", "unknown"]]
    assert measured == ["unknown"]
