"""Faults after the import: queries throttled, a loosely filtering hub, updates left unprocessed."""
from __future__ import annotations

from pipeline.sinks.base import Scope
from pipeline.sinks.securityhub import SecurityHubSink
from tests.sinks.builders import asff_findings, product_arn
from tests.sinks.conftest import FAST, hub_client
from tests.sinks.fakes import ERROR_503, THROTTLE


def sink(hub):
    return SecurityHubSink(hub_client(hub.endpoint_url), product_arn(), FAST)


def scope(repo="demo", complete=True):
    return Scope(repo, "main", "bandit", complete)


def test_archival_survives_throttled_and_failing_queries(fake_hub):
    old = asff_findings(250)
    sink(fake_hub).publish(old, [scope(complete=False)])
    for kind in (THROTTLE, THROTTLE, ERROR_503, THROTTLE):
        fake_hub.faults.add("GetFindings", kind)
    result = sink(fake_hub).publish(old[:50], [scope()])
    assert result.ok and result.archived == 200
    assert result.throttles == 3
    archived = {i for (_, i), f in fake_hub.store.items() if f["RecordState"] == "ARCHIVED"}
    assert archived == {f["Id"] for f in old[50:]}


def test_loose_hub_filters_are_rechecked_client_side(fake_hub):
    mine, other_repo = asff_findings(5), asff_findings(5, repo="other")
    other_tool = asff_findings(5, tool="semgrep")
    sink(fake_hub).publish(mine + other_repo + other_tool, [scope(complete=False)])
    fake_hub.ignore_map_filters = True
    result = sink(fake_hub).publish(mine[:2], [scope()])
    assert result.archived == 3
    archived = {i for (_, i), f in fake_hub.store.items() if f["RecordState"] == "ARCHIVED"}
    assert archived == {f["Id"] for f in mine[2:]}


def test_suppression_retries_retryable_and_reports_the_rest(fake_hub):
    quiet = asff_findings(4, suppressed=True, reason="false positive")
    fake_hub.faults.fail_update(quiet[0]["Id"], "TooManyRequestsException", times=2)
    fake_hub.faults.fail_update(quiet[1]["Id"], "InvalidInput", times=1)
    fake_hub.faults.add("BatchUpdateFindings", THROTTLE)
    result = sink(fake_hub).publish(quiet, [scope(complete=False)])
    assert result.accepted == 4 and not result.failed
    assert result.suppressed == 3
    assert [(f.id, f.error_code) for f in result.unsuppressed] == [(quiet[1]["Id"], "InvalidInput")]
    assert not result.ok  # a suppression that could not be applied fails the run
    workflow = {i: f["Workflow"]["Status"] for (_, i), f in fake_hub.store.items()}
    assert workflow == {quiet[0]["Id"]: "SUPPRESSED", quiet[1]["Id"]: "NEW",
                        quiet[2]["Id"]: "SUPPRESSED", quiet[3]["Id"]: "SUPPRESSED"}
    # Re-run: only the one still NEW is sent again, with the same note; nothing else is touched.
    before = len(fake_hub.update_requests)
    again = sink(fake_hub).publish(quiet, [scope(complete=False)])
    assert again.ok and again.suppressed == 1
    sent = fake_hub.update_requests[before:]
    assert [[i["Id"] for i in r["FindingIdentifiers"]] for r in sent] == [[quiet[1]["Id"]]]
    assert sent[0]["Note"] == {"Text": "false positive", "UpdatedBy": "secpipe"}


def test_suppression_batches_at_most_100_identifiers(fake_hub):
    quiet = asff_findings(230, suppressed=True)
    result = sink(fake_hub).publish(quiet, [scope(complete=False)])
    assert result.ok and result.suppressed == 230
    assert [len(r["FindingIdentifiers"]) for r in fake_hub.update_requests] == [100, 100, 30]
