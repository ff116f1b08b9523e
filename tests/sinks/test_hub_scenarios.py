"""Publishing scenarios through boto3: idempotent re-import, exact archival scope, suppression.

Each runs against the fake hub and the real local hub; results are read back
through GetFindings, as a user would.
"""
from __future__ import annotations

from typing import Any

from pipeline.sinks.base import Scope
from pipeline.sinks.securityhub import SecurityHubSink
from tests.sinks.builders import asff_findings, product_arn
from tests.sinks.conftest import FAST, hub_client


def all_findings(client, **filters: str) -> dict[str, dict[str, Any]]:
    query = {name: [{"Value": value, "Comparison": "EQUALS"}] for name, value in filters.items()}
    found: dict[str, dict[str, Any]] = {}
    token = None
    while True:
        kwargs: dict[str, Any] = {"Filters": query, "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        page = client.get_findings(**kwargs)
        for finding in page["Findings"]:
            found[finding["Id"]] = finding
        token = page.get("NextToken")
        if not token:
            return found


def states(client) -> dict[str, str]:
    return {i: f["RecordState"] for i, f in all_findings(client).items()}


def publish(client, findings, scopes):
    result = SecurityHubSink(client, product_arn(), FAST).publish(findings, scopes)
    assert result.ok, result.failed
    assert result.sent == result.accepted + len(result.failed)
    return result


def scope(repo="demo", branch="main", tool="bandit", complete=True) -> Scope:
    return Scope(repo, branch, tool, complete)


def seed(client):
    """Ten findings in the scope under test and five in each neighbouring scope."""
    mine = asff_findings(10)
    others = (asff_findings(5, repo="other") + asff_findings(5, branch="dev")
              + asff_findings(5, tool="semgrep"))
    publish(client, mine + others, [scope(complete=False)])
    return mine, others


def test_reimport_is_idempotent(hub_endpoint):
    client = hub_client(hub_endpoint)
    findings = asff_findings(30)
    first = publish(client, findings, [scope(complete=False)])
    second = publish(client, asff_findings(30), [scope(complete=False)])
    assert first.accepted == second.accepted == 30
    stored = all_findings(client)
    assert sorted(stored) == sorted(f["Id"] for f in findings)


def test_complete_scope_archives_only_its_own_stale_findings(hub_endpoint):
    client = hub_client(hub_endpoint)
    mine, others = seed(client)
    result = publish(client, mine[:6], [scope()])
    assert result.archived == 4
    assert result.sent == 6 + 4
    now = states(client)
    assert {i for i, s in now.items() if s == "ARCHIVED"} == {f["Id"] for f in mine[6:]}
    assert all(now[f["Id"]] == "ACTIVE" for f in others + mine[:6])


def test_incomplete_scope_archives_nothing(hub_endpoint):
    client = hub_client(hub_endpoint)
    mine, others = seed(client)
    result = publish(client, mine[:3], [scope(complete=False)])
    assert result.archived == 0
    assert set(states(client).values()) == {"ACTIVE"}


def test_a_scope_whose_known_findings_all_came_again_asks_the_hub_nothing(hub_endpoint):
    """A scan read the scope's active findings before publishing: all current again, nothing is stale."""
    client = hub_client(hub_endpoint)
    mine, others = seed(client)
    known = frozenset(f["Id"] for f in mine)
    told = publish(client, mine, [Scope("demo", "main", "bandit", True, known_active=known)])
    asked = publish(client, mine, [scope()])
    assert told.archived == asked.archived == 0
    assert told.requests < asked.requests, "the scope was queried although nothing could be stale"
    assert set(states(client).values()) == {"ACTIVE"}


def test_a_known_finding_not_seen_again_is_still_archived(hub_endpoint):
    client = hub_client(hub_endpoint)
    mine, others = seed(client)
    known = frozenset(f["Id"] for f in mine)
    result = publish(client, mine[:6], [Scope("demo", "main", "bandit", True, known_active=known)])
    assert result.archived == 4
    now = states(client)
    assert {i for i, s in now.items() if s == "ARCHIVED"} == {f["Id"] for f in mine[6:]}
    assert all(now[f["Id"]] == "ACTIVE" for f in others + mine[:6])


def test_scope_with_zero_current_findings_archives_all_of_it(hub_endpoint):
    client = hub_client(hub_endpoint)
    mine, others = seed(client)
    result = publish(client, [], [scope()])
    assert result.archived == 10
    now = states(client)
    assert {i for i, s in now.items() if s == "ARCHIVED"} == {f["Id"] for f in mine}
    assert all(now[f["Id"]] == "ACTIVE" for f in others)
    # Nothing left to archive on a second run.
    assert publish(client, [], [scope()]).archived == 0


def test_archival_pages_through_more_than_one_page(hub_endpoint):
    client = hub_client(hub_endpoint)
    publish(client, asff_findings(250), [scope(complete=False)])
    result = publish(client, asff_findings(5), [scope()])
    assert result.archived == 245
    assert list(states(client).values()).count("ARCHIVED") == 245


def test_archived_finding_seen_again_is_active_again(hub_endpoint):
    client = hub_client(hub_endpoint)
    findings = asff_findings(4)
    publish(client, findings, [scope()])
    publish(client, findings[:2], [scope()])
    assert publish(client, findings, [scope()]).archived == 0
    assert set(states(client).values()) == {"ACTIVE"}


def test_suppressed_findings_get_workflow_and_note_once(hub_endpoint):
    client = hub_client(hub_endpoint)
    plain = asff_findings(5)
    quiet = asff_findings(3, start=10, suppressed=True, reason="accepted risk: test fixture")
    silent = asff_findings(2, start=20, suppressed=True)
    first = publish(client, plain + quiet + silent, [scope(complete=False)])
    assert first.suppressed == 5
    stored = all_findings(client)
    for finding in quiet:
        got = stored[finding["Id"]]
        assert got["Workflow"]["Status"] == "SUPPRESSED"
        assert got["Note"]["Text"] == "accepted risk: test fixture"
        assert got["Note"]["UpdatedBy"] == "secpipe"
    for finding in silent:
        assert stored[finding["Id"]]["Workflow"]["Status"] == "SUPPRESSED"
        assert stored[finding["Id"]]["Note"]["Text"]
    for finding in plain:
        assert stored[finding["Id"]]["Workflow"]["Status"] == "NEW"
        assert "Note" not in stored[finding["Id"]]
    notes_before = {i: f["Note"] for i, f in stored.items() if "Note" in f}

    second = publish(client, plain + quiet + silent, [scope(complete=False)])
    assert second.suppressed == 0
    after = all_findings(client)
    assert {i: f["Note"] for i, f in after.items() if "Note" in f} == notes_before
    assert all(after[f["Id"]]["Workflow"]["Status"] == "SUPPRESSED" for f in quiet + silent)
