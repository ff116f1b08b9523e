"""Batches committed together (a hub in this process): accepted only once the transaction has
committed, and nothing of a group counted as stored when its commit fails."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pipeline.hub import start_local_hub
from pipeline.hub.direct_client import DirectHubClient
from pipeline.sinks import importer as importer_module
from pipeline.sinks.importer import BATCHES_PER_TRANSACTION, FindingImporter
from pipeline.sinks.pacing import UNLIMITED, TokenBucket
from pipeline.sinks.retrying import CallStats, RetryPolicy
from tests.hub.conftest import make_finding


def _importer(client, transaction) -> FindingImporter:
    policy = RetryPolicy(max_attempts=2)
    return FindingImporter(client, TokenBucket(UNLIMITED), CallStats(breaker=policy.breaker()), policy,
                           max_in_flight=1, transaction=transaction)


def test_groups_of_batches_are_committed_together_and_all_are_stored(tmp_path):
    commits = []
    with start_local_hub(tmp_path / "hub.sqlite3") as hub:
        client = DirectHubClient(hub.app)

        @contextlib.contextmanager
        def counted() -> Iterator[None]:
            with client.transaction():
                yield
            commits.append(1)

        count = 100 * BATCHES_PER_TRANSACTION + 150  # one full group and a part of the next
        report = _importer(client, counted).import_findings([make_finding(f"f{i}") for i in range(count)])
        assert report.sent == report.accepted == count and not report.failed
        assert len(commits) == 2
        assert hub.store.count_all() == count


def test_when_the_commit_fails_no_finding_of_its_group_counts_as_accepted(tmp_path, monkeypatch):
    monkeypatch.setattr(importer_module, "BATCHES_PER_TRANSACTION", 2)
    with start_local_hub(tmp_path / "hub.sqlite3") as hub:
        client = DirectHubClient(hub.app)
        groups = []

        @contextlib.contextmanager
        def second_fails() -> Iterator[None]:
            groups.append(1)
            with client.transaction():
                yield
                if len(groups) == 2:
                    raise OSError("disk full")  # as a COMMIT that fails: the transaction is rolled back

        findings = [make_finding(f"f{i}") for i in range(500)]  # groups of 200, 200 and 100
        report = _importer(client, second_fails).import_findings(findings)
        assert report.sent == 500
        assert report.accepted_ids == [f"f{i}" for i in range(200)] + [f"f{i}" for i in range(400, 500)]
        assert [f.id for f in report.failed] == [f"f{i}" for i in range(200, 400)]
        assert {f.error_code for f in report.failed} == {"NotStored"}
        assert "disk full" in report.failed[0].error_message
        assert hub.store.count_all() == 300
