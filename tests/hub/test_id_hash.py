"""A finding is found by a 64-bit hash of its Id, then (ProductArn, Id) compared: findings whose
hashes collide stay distinct findings, and each import and update reaches the right one."""
from __future__ import annotations

import sqlite3

import pytest

from pipeline.hub import storage
from pipeline.hub.api import HubApi
from pipeline.hub.storage import FindingStore
from tests.hub.conftest import OTHER_PRODUCT_ARN, PRODUCT_ARN, make_finding

COLLIDING = -42


@pytest.fixture
def colliding(tmp_path, monkeypatch):
    """A hub where every finding has the same Id hash."""
    monkeypatch.setattr(storage, "id_hash", lambda finding_id: COLLIDING)
    store = FindingStore(tmp_path / "hub.sqlite3")
    yield HubApi(store)
    store.close()


def _ids(api: HubApi, **filters) -> dict[str, str]:
    return {f["Id"]: f["Title"] for f in api.call("GetFindings", {"Filters": filters})["Findings"]}


def test_findings_whose_hashes_collide_stay_two_findings(colliding):
    colliding.call("BatchImportFindings", {"Findings": [make_finding("a", Title="A"), make_finding("b", Title="B")]})
    colliding.call("BatchImportFindings", {"Findings": [make_finding("c", Title="C")]})
    assert _ids(colliding) == {"a": "A", "b": "B", "c": "C"}
    store = colliding.store
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT DISTINCT id_hash FROM findings").fetchall() == [(COLLIDING,)]
    found = store.fetch_by_keys([(PRODUCT_ARN, "b")])
    assert list(found) == [(PRODUCT_ARN, "b")] and found[(PRODUCT_ARN, "b")].doc["Title"] == "B"


def test_a_reimport_rewrites_only_its_own_finding_among_colliding_ones(colliding):
    colliding.call("BatchImportFindings", {"Findings": [make_finding("a", Title="A"), make_finding("b", Title="B"),
                                                        make_finding("a", ProductArn=OTHER_PRODUCT_ARN, Title="other A")]})
    colliding.call("BatchImportFindings", {"Findings": [make_finding("b", Title="B again")]})
    assert colliding.store.count_all() == 3
    assert _ids(colliding, ProductArn=[{"Value": PRODUCT_ARN, "Comparison": "EQUALS"}]) == {"a": "A", "b": "B again"}
    assert _ids(colliding, ProductArn=[{"Value": OTHER_PRODUCT_ARN, "Comparison": "EQUALS"}]) == {"a": "other A"}


def test_an_update_reaches_only_its_own_finding_among_colliding_ones(colliding):
    colliding.call("BatchImportFindings", {"Findings": [make_finding("a"), make_finding("b")]})
    result = colliding.call("BatchUpdateFindings", {
        "FindingIdentifiers": [{"Id": "b", "ProductArn": PRODUCT_ARN}, {"Id": "missing", "ProductArn": PRODUCT_ARN}],
        "Workflow": {"Status": "SUPPRESSED"}, "Note": {"Text": "accepted risk", "UpdatedBy": "alice"}})
    assert [u["FindingIdentifier"]["Id"] for u in result["UnprocessedFindings"]] == ["missing"]
    statuses = {f["Id"]: f["Workflow"]["Status"] for f in colliding.call("GetFindings", {})["Findings"]}
    assert statuses == {"a": "NEW", "b": "SUPPRESSED"}
    # A re-import keeps the customer's status on the finding it was set on.
    colliding.call("BatchImportFindings", {"Findings": [make_finding("a"), make_finding("b")]})
    statuses = {f["Id"]: f["Workflow"]["Status"] for f in colliding.call("GetFindings", {})["Findings"]}
    assert statuses == {"a": "NEW", "b": "SUPPRESSED"}
    pk = colliding.store.fetch_by_keys([(PRODUCT_ARN, "b")])[(PRODUCT_ARN, "b")].pk
    assert [note.text for note in colliding.store.notes(pk)] == ["accepted risk"]


def test_a_finding_sent_twice_in_one_batch_is_one_finding(colliding):
    colliding.call("BatchImportFindings", {"Findings": [make_finding("a", Title="first"),
                                                        make_finding("a", Title="second")]})
    assert _ids(colliding) == {"a": "second"}


def test_an_upsert_outside_the_transaction_that_read_its_findings_is_refused(tmp_path):
    store = FindingStore(tmp_path / "hub.sqlite3")
    staged = storage.StagedFinding(make_finding("a"), frozenset())
    with pytest.raises(RuntimeError, match="exclusive"):
        store.upsert([staged], {})
    with store.exclusive():
        store.upsert([staged], store.fetch_by_keys([staged.key]))
    assert store.count_all() == 1
    store.close()
