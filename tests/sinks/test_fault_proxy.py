"""The sink behind a real fault-injecting proxy in front of the real local hub (issue 12
items 4, 5, 12): nothing lost silently, a reply that cannot be read is an error, and a
dead hub is reported once, fast, with every unsent finding named."""
from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.hub import start_local_hub
from pipeline.sinks.base import Scope
from pipeline.sinks.retrying import HubError
from pipeline.sinks.securityhub import SecurityHubSink
from tests.conftest import PROJECT
from tests.sinks.builders import asff_findings, product_arn
from tests.sinks.conftest import FAST, hub_client
from tests.sinks.fault_proxy import FAULTS, NOT_JSON, FaultPlan, FaultProxy


def _stored_ids(hub) -> set[str]:
    return {row[0] for row in hub.store._db.execute("SELECT id FROM findings")}


@pytest.mark.parametrize("seed", [1, 2])
def test_stored_equals_accepted_under_a_fault_mix(tmp_path: Path, seed: int) -> None:
    findings = asff_findings(2000)
    with start_local_hub(tmp_path / "hub.db") as hub, FaultProxy(hub.endpoint_url, FaultPlan(0.35, FAULTS, seed)) as proxy:
        result = SecurityHubSink(hub_client(proxy.endpoint_url), product_arn(), FAST).publish(findings, [])
        stored = _stored_ids(hub)
    assert sum(proxy.injected.values()) >= 5
    failed = {f.id for f in result.failed}
    accepted = {f["Id"] for f in findings} - failed
    assert result.sent == len(findings) and result.accepted + len(failed) == result.sent
    assert accepted <= stored  # every accepted finding is in the hub
    assert result.ok == (not failed)


def test_every_fault_kind_alone_is_retried_to_the_end(tmp_path: Path) -> None:
    findings = asff_findings(120)
    for kind in FAULTS:
        with start_local_hub(tmp_path / f"{kind}.db") as hub, \
                FaultProxy(hub.endpoint_url, FaultPlan(0.5, (kind,), seed=3)) as proxy:
            result = SecurityHubSink(hub_client(proxy.endpoint_url), product_arn(), FAST).publish(findings, [])
            stored = _stored_ids(hub)
        assert result.ok and result.accepted == len(findings), (kind, result.failed[:3])
        assert stored == {f["Id"] for f in findings}, kind


def test_a_get_findings_reply_that_is_not_json_is_an_error_not_no_findings(tmp_path: Path) -> None:
    stale = asff_findings(30, start=0)
    current = asff_findings(5, start=100)
    scope = [Scope("demo", "main", "bandit", complete=True)]
    with start_local_hub(tmp_path / "hub.db") as hub:
        SecurityHubSink(hub_client(hub.endpoint_url), product_arn(), FAST).publish(stale, [])
        plan = FaultPlan(1.0, (NOT_JSON,), only=("/findings",))
        with FaultProxy(hub.endpoint_url, plan) as proxy:
            with pytest.raises(HubError, match="UnreadableReply"):
                SecurityHubSink(hub_client(proxy.endpoint_url), product_arn(), FAST).publish(current, scope)
        states = {r[0] for r in hub.store._db.execute("SELECT json_extract(doc, '$.RecordState') FROM findings")}
    assert proxy.injected[NOT_JSON] >= 1
    assert states == {"ACTIVE"}  # nothing archived on an answer that could not be read


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_dead_hub_trips_the_breaker_and_reports_every_finding() -> None:
    findings = asff_findings(2000)  # 20 batches: 240 requests with 12 attempts each
    settings = dataclasses.replace(FAST, retry=dataclasses.replace(FAST.retry, max_attempts=12))
    result = SecurityHubSink(hub_client(f"http://127.0.0.1:{_closed_port()}"), product_arn(), settings).publish(findings, [])
    assert not result.ok and result.accepted == 0
    assert sorted(f.id for f in result.failed) == sorted(f["Id"] for f in findings)
    assert result.requests <= settings.retry.max_connection_failures + settings.max_in_flight
    assert any(f.error_code == "HubUnreachable" for f in result.failed)


def test_publish_cli_to_a_dead_endpoint_exits_1_naming_each_finding_once(tmp_path: Path) -> None:
    findings = asff_findings(150)
    report = tmp_path / "asff.json"
    report.write_text(json.dumps(findings))
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "publish", str(report), "--hub", "local",
                          "--endpoint-url", f"http://127.0.0.1:{_closed_port()}"],
                         cwd=PROJECT, capture_output=True, text=True, timeout=170)
    assert run.returncode == 1, run.stderr
    lines = run.stderr.splitlines()
    named = [line for line in lines if line.startswith("secpipe: not accepted: ")]
    assert sorted(line.split(": ")[2] for line in named) == sorted(f["Id"] for f in findings)
    assert "" not in lines  # no message carries its own newline into a blank line


def test_a_421_message_with_a_newline_is_one_line_per_finding(tmp_path: Path) -> None:
    """The local hub answers 421 with a message ending in a newline (a Host it does not serve)."""
    findings = asff_findings(3)
    with start_local_hub(tmp_path / "hub.db") as hub:
        wrong_host = hub.endpoint_url.replace("127.0.0.1", "localhost.")
        result = SecurityHubSink(hub_client(wrong_host), product_arn(), FAST).publish(findings, [])
    assert len(result.failed) == 3
    assert all("\n" not in f.error_message and f.error_message == f.error_message.strip() for f in result.failed)


def test_reading_a_dead_hub_fails_once_with_a_clear_message() -> None:
    from pipeline.sinks.review import FindingQuery, FindingReview

    policy = dataclasses.replace(FAST.retry, max_attempts=12)
    review = FindingReview(hub_client(f"http://127.0.0.1:{_closed_port()}"), policy, rate_limited=False)
    with pytest.raises(HubError, match="HubUnreachable: not sent: the hub failed 5 connections in a row"):
        review.list(FindingQuery(), limit=10)
    assert review.stats.requests == policy.max_connection_failures


def test_past_the_deadline_nothing_more_is_sent_and_every_finding_is_reported(tmp_path: Path) -> None:
    findings = asff_findings(250)
    settings = dataclasses.replace(FAST, retry=dataclasses.replace(FAST.retry, deadline_seconds=0.0))
    with start_local_hub(tmp_path / "hub.db") as hub:
        result = SecurityHubSink(hub_client(hub.endpoint_url), product_arn(), settings).publish(findings, [])
        stored = _stored_ids(hub)
    assert result.requests == 0 and stored == set()
    assert sorted(f.id for f in result.failed) == sorted(f["Id"] for f in findings)
    assert {f.error_code for f in result.failed} == {"DeadlineExceeded"}


def test_the_breaker_counts_only_failures_in_a_row() -> None:
    from pipeline.sinks.retrying import OK, TRANSIENT, CircuitBreaker, Outcome

    now = [0.0]
    breaker = CircuitBreaker(3, 10.0, clock=lambda: now[0])
    lost = Outcome(TRANSIENT, code="EndpointConnectionError", message="refused")
    for _ in range(2):
        breaker.record(lost, connection_failed=True)
    breaker.record(Outcome(OK), connection_failed=False)  # a reply: the hub is up
    for _ in range(2):
        breaker.record(lost, connection_failed=True)
    assert breaker.refusal() is None
    breaker.record(lost, connection_failed=True)
    refused = breaker.refusal()
    assert refused is not None and refused.code == "HubUnreachable" and "3 connections in a row" in refused.message
    timed = CircuitBreaker(3, 10.0, clock=lambda: now[0])
    assert timed.refusal() is None
    now[0] = 11.0
    late = timed.refusal()
    assert late is not None and late.code == "DeadlineExceeded"


def test_publish_cli_through_the_fault_proxy_exit_code_and_stored_match_its_summary(tmp_path: Path) -> None:
    findings = asff_findings(2000)
    report = tmp_path / "asff.json"
    report.write_text(json.dumps(findings))
    with start_local_hub(tmp_path / "hub.db") as hub, FaultProxy(hub.endpoint_url, FaultPlan(0.4, FAULTS, 5)) as proxy:
        run = subprocess.run([sys.executable, "-m", "pipeline.cli", "publish", str(report), "--hub", "local",
                              "--endpoint-url", proxy.endpoint_url], cwd=PROJECT, capture_output=True, text=True,
                             timeout=170)
        stored = _stored_ids(hub)
    summary = dict(part.split("=") for part in run.stdout.split(": ", 1)[1].split())
    assert int(summary["sent"]) == len(findings) == int(summary["accepted"]) + int(summary["failed"])
    assert run.returncode == (0 if summary["failed"] == "0" else 1), run.stderr
    assert len(stored) >= int(summary["accepted"]) and sum(proxy.injected.values()) >= 1
    failed = {line.split(": ")[2] for line in run.stderr.splitlines() if line.startswith("secpipe: not accepted: ")}
    assert {f["Id"] for f in findings} - failed <= stored
