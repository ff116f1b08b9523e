"""The hub's file schema: a new file is at the current version, and files of the older
versions (side tables; no facet catalog) are upgraded once with nothing lost."""
from __future__ import annotations

import json
import sqlite3

import pytest

from pipeline.hub import filters, schema
from pipeline.hub.api import HubApi
from pipeline.hub.storage import WAL_CHECKPOINT_PAGES, FindingStore
from tests.hub.conftest import PRODUCT_ARN, make_finding

# The tables as secpipe wrote them before schema version 1 (only what the upgrade reads and drops).
_VERSION_0 = """
CREATE TABLE findings (
    pk INTEGER PRIMARY KEY, product_arn TEXT NOT NULL, id TEXT NOT NULL, generator_id TEXT NOT NULL,
    aws_account_id TEXT NOT NULL, title TEXT NOT NULL, severity_label TEXT NOT NULL,
    severity_rank INTEGER NOT NULL, record_state TEXT NOT NULL, workflow_status TEXT NOT NULL,
    compliance_status TEXT NOT NULL, created_at_us INTEGER NOT NULL, updated_at_us INTEGER NOT NULL,
    customer_fields TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (product_arn, id)
);
CREATE TABLE product_fields (finding INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                             PRIMARY KEY (finding, key)) WITHOUT ROWID;
CREATE TABLE resources (finding INTEGER NOT NULL, position INTEGER NOT NULL, type TEXT NOT NULL,
                        id TEXT NOT NULL, PRIMARY KEY (finding, position)) WITHOUT ROWID;
CREATE TABLE notes (pk INTEGER PRIMARY KEY, finding INTEGER NOT NULL, text TEXT NOT NULL,
                    updated_by TEXT NOT NULL, updated_at TEXT NOT NULL, workflow_status TEXT);
"""


def _write_version_0(path, findings):
    with sqlite3.connect(path) as db:
        db.executescript(_VERSION_0)
        for pk, finding in enumerate(findings, start=1):
            db.execute(
                "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, 2, 'ACTIVE', 'NEW', '', 0, 0, '[]', ?)",
                (pk, finding["ProductArn"], finding["Id"], finding["GeneratorId"], finding["AwsAccountId"],
                 finding["Title"], finding["Severity"]["Label"], json.dumps(finding)))
            db.executemany("INSERT INTO product_fields VALUES (?, ?, ?)",
                           [(pk, k, v) for k, v in finding.get("ProductFields", {}).items()])
            db.executemany("INSERT INTO resources VALUES (?, ?, ?, ?)",
                           [(pk, i, r["Type"], r["Id"]) for i, r in enumerate(finding.get("Resources", []))])


def _ids(api, **filters):
    return {f["Id"] for f in api.call("GetFindings", {"Filters": filters})["Findings"]}


def test_a_new_file_is_at_the_current_version_without_side_tables(tmp_path):
    store = FindingStore(tmp_path / "hub.sqlite3")
    store.close()
    with sqlite3.connect(tmp_path / "hub.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"findings", "notes", "facet_values"}


def _indexes(path):
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}


def test_an_old_file_is_upgraded_and_its_filters_still_find_every_finding(tmp_path):
    path = tmp_path / "hub.sqlite3"
    _write_version_0(path, [
        make_finding("two-resources", Resources=[{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::bucket-a"},
                                                 {"Type": "Other", "Id": "repo@main:app.py"}],
                     ProductFields={"secpipe/tool": "semgrep", "secpipe/repo": "shop"}),
        make_finding("no-resources-no-fields", Resources=[]),
    ])
    with sqlite3.connect(path) as db:  # The finding without ProductFields at all.
        doc = json.loads(db.execute("SELECT doc FROM findings WHERE id = 'no-resources-no-fields'").fetchone()[0])
        del doc["ProductFields"]
        db.execute("UPDATE findings SET doc = ? WHERE id = 'no-resources-no-fields'", (json.dumps(doc),))
        db.execute("DELETE FROM product_fields WHERE finding = 2")

    store = FindingStore(path)
    api = HubApi(store)
    assert _ids(api, ResourceType=[{"Value": "AwsS3Bucket", "Comparison": "EQUALS"}]) == {"two-resources"}
    assert _ids(api, ResourceId=[{"Value": "repo@main:", "Comparison": "PREFIX"}]) == {"two-resources"}
    assert _ids(api, ResourceType=[{"Value": "Other", "Comparison": "NOT_EQUALS"}]) == {"no-resources-no-fields"}
    assert _ids(api, ProductFields=[{"Key": "secpipe/tool", "Value": "semgrep", "Comparison": "EQUALS"}]) == {
        "two-resources"}
    assert _ids(api, ProductFields=[{"Key": "secpipe/tool", "Value": "semgrep", "Comparison": "NOT_EQUALS"}]) == {
        "no-resources-no-fields"}
    assert store.product_field_values("secpipe/repo") == ["shop"]  # the catalog, filled from the file
    assert store.product_field_values("secpipe/tool") == ["semgrep"]
    store.close()

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = dict(db.execute("SELECT id, resources FROM findings"))
    assert tables == {"findings", "notes", "facet_values"}
    assert "findings_record_state" not in _indexes(path) and "findings_workflow" not in _indexes(path)
    assert json.loads(columns["two-resources"]) == [["AwsS3Bucket", "arn:aws:s3:::bucket-a"],
                                                    ["Other", "repo@main:app.py"]]
    assert json.loads(columns["no-resources-no-fields"]) == []


def test_opening_an_upgraded_file_again_changes_nothing(tmp_path):
    path = tmp_path / "hub.sqlite3"
    _write_version_0(path, [make_finding("kept")])
    FindingStore(path).close()
    store = FindingStore(path)
    assert _ids(HubApi(store), ProductFields=[{"Key": "secpipe/repo", "Value": "demo", "Comparison": "EQUALS"}]) == {
        "kept"}
    store.close()


def test_a_version_1_file_gets_its_facet_catalog_and_loses_the_unselective_indexes(tmp_path):
    path = tmp_path / "hub.sqlite3"
    store = FindingStore(path)
    HubApi(store).call("BatchImportFindings", {"Findings": [
        make_finding("one", ProductFields={"secpipe/tool": "zap", "secpipe/repo": "web", "secpipe/branch": "dev"}),
        make_finding("two")]})
    store.close()
    with sqlite3.connect(path) as db:  # back to what version 1 wrote
        db.execute("DROP TABLE facet_values")
        db.execute("CREATE INDEX findings_record_state ON findings (record_state)")
        db.execute("CREATE INDEX findings_workflow ON findings (workflow_status)")
        db.execute("PRAGMA user_version = 1")
    store = FindingStore(path)
    assert store.product_field_values("secpipe/tool") == ["bandit", "zap"]
    assert store.product_field_values("secpipe/branch") == ["dev", "main"]
    store.close()
    assert not {"findings_record_state", "findings_workflow"} & _indexes(path)


def test_the_catalog_grows_with_imports_and_other_keys_are_read_from_the_findings(tmp_path):
    store = FindingStore(tmp_path / "hub.sqlite3")
    api = HubApi(store)
    api.call("BatchImportFindings", {"Findings": [make_finding("a"), make_finding("b", ProductFields={
        "secpipe/tool": "checkov", "secpipe/repo": "demo", "secpipe/branch": "main", "secpipe/rule": "CKV_1"})]})
    api.call("BatchImportFindings", {"Findings": [make_finding("c", ProductFields={"secpipe/tool": "zap"})]})
    assert store.product_field_values("secpipe/tool") == ["bandit", "checkov", "zap"]
    assert store.product_field_values("secpipe/rule") == ["CKV_1"]
    store.close()


def test_the_log_is_checkpointed_rarely_and_folded_in_when_the_hub_closes(tmp_path):
    path = tmp_path / "hub.sqlite3"
    store = FindingStore(path)
    assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_PAGES
    HubApi(store).call("BatchImportFindings", {"Findings": [make_finding(f"f{n}") for n in range(50)]})
    assert (tmp_path / "hub.sqlite3-wal").stat().st_size > 0  # not checkpointed yet
    store.close()
    assert not (tmp_path / "hub.sqlite3-wal").exists()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 50


def test_a_file_of_a_newer_secpipe_is_refused_and_left_as_it_is(tmp_path):
    path = tmp_path / "hub.sqlite3"
    FindingStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    with pytest.raises(schema.NewerSchema, match="newer than this secpipe"):
        FindingStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION + 1


def test_the_planner_gets_statistics_once_the_findings_have_grown(tmp_path):
    """Without them SQLite chose the ProductArn index over the UpdatedAt order and sorted every
    finding for each page of a stale-finding query."""
    store = FindingStore(tmp_path / "hub.sqlite3")
    api = HubApi(store)
    for start in range(0, 1200, 100):
        api.call("BatchImportFindings", {"Findings": [make_finding(f"g{n}") for n in range(start, start + 100)]})
    scope = {"ProductArn": [{"Value": PRODUCT_ARN, "Comparison": "EQUALS"}],
             "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
             "ProductFields": [{"Key": "secpipe/tool", "Value": "bandit", "Comparison": "EQUALS"}]}
    assert len(api.call("GetFindings", {"Filters": scope, "MaxResults": 100})["Findings"]) == 100
    with sqlite3.connect(tmp_path / "hub.sqlite3") as db:
        counted = dict(db.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'findings'"))
    assert counted and all(stat.split()[0] == "1200" for stat in counted.values())
    query = filters.build(scope, [])
    after, params = query.after([0], 10**9)  # the next page's condition: its values do not change the plan
    plan = " ".join(row[3] for row in store._db.execute(
        f"EXPLAIN QUERY PLAN SELECT pk FROM findings AS f WHERE {query.where} AND {after} "
        f"ORDER BY {query.order_by} LIMIT 100", [*query.params, *params]))
    assert "findings_updated" in plan and "TEMP B-TREE" not in plan
    store.close()
