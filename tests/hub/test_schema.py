"""The hub's file schema: a new file is at the current version, and files of the older
versions (side tables; no facet catalog; a UNIQUE index of the texts of (ProductArn, Id))
are upgraded once with nothing lost."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest

from pipeline.hub import filters, schema
from pipeline.hub.api import HubApi
from pipeline.hub.imports import stage
from pipeline.hub.storage import _COLUMNS, PAGE_SIZE, WAL_CHECKPOINT_BYTES, FindingStore, _row
from tests.conftest import PROJECT
from tests.hub.conftest import OTHER_PRODUCT_ARN, PRODUCT_ARN, make_finding

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


# The findings table of schema version 2 (its other tables are those of version 3).
_VERSION_2_FINDINGS = """
CREATE TABLE findings (
    pk INTEGER PRIMARY KEY, product_arn TEXT NOT NULL, id TEXT NOT NULL, generator_id TEXT NOT NULL,
    aws_account_id TEXT NOT NULL, title TEXT NOT NULL, severity_label TEXT NOT NULL,
    severity_rank INTEGER NOT NULL, record_state TEXT NOT NULL, workflow_status TEXT NOT NULL,
    compliance_status TEXT NOT NULL, created_at_us INTEGER NOT NULL, updated_at_us INTEGER NOT NULL,
    customer_fields TEXT NOT NULL, product_fields TEXT NOT NULL, resources TEXT NOT NULL, doc TEXT NOT NULL,
    UNIQUE (product_arn, id)
);
CREATE INDEX findings_updated ON findings (updated_at_us);
CREATE INDEX findings_severity ON findings (severity_rank);
CREATE INDEX findings_generator ON findings (generator_id);
CREATE TABLE notes (pk INTEGER PRIMARY KEY, finding INTEGER NOT NULL, text TEXT NOT NULL,
                    updated_by TEXT NOT NULL, updated_at TEXT NOT NULL, workflow_status TEXT);
CREATE INDEX notes_finding ON notes (finding);
CREATE TABLE facet_values (key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, value)) WITHOUT ROWID;
PRAGMA user_version = 2;
"""


def _write_version_2(path, findings_by_pk):
    """A file as secpipe wrote it at schema version 2, its findings at the pks given, each with a note."""
    with sqlite3.connect(path) as db:
        db.executescript(_VERSION_2_FINDINGS)
        for pk, finding in findings_by_pk.items():
            db.execute(f"INSERT INTO findings (pk, {', '.join(_COLUMNS)}) VALUES (?, {', '.join('?' * len(_COLUMNS))})",
                       (pk, *_row(stage(finding, None, "2024-03-01T10:00:00.000Z"))))
            db.execute("INSERT INTO notes (finding, text, updated_by, updated_at, workflow_status) "
                       "VALUES (?, ?, 'alice', '2024-03-02T10:00:00Z', 'NOTIFIED')", (pk, f"note on {finding['Id']}"))
        db.execute("INSERT INTO facet_values VALUES ('secpipe/tool', 'bandit')")


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
        assert db.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
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
    assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_BYTES // PAGE_SIZE == 2441
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


_OLD_FINDINGS = {7: make_finding("a"), 42: make_finding("b"), 43: make_finding("a", ProductArn=OTHER_PRODUCT_ARN)}


def test_a_version_2_file_keeps_every_pk_and_note_and_finds_its_findings_by_id_hash(tmp_path):
    path = tmp_path / "hub.sqlite3"
    _write_version_2(path, _OLD_FINDINGS)
    store = FindingStore(path)
    found = store.fetch_by_keys([(PRODUCT_ARN, "a"), (PRODUCT_ARN, "b"), (OTHER_PRODUCT_ARN, "a")])
    assert {key: stored.pk for key, stored in found.items()} == {
        (PRODUCT_ARN, "a"): 7, (PRODUCT_ARN, "b"): 42, (OTHER_PRODUCT_ARN, "a"): 43}
    assert [note.text for note in store.notes(42)] == ["note on b"]
    api = HubApi(store)
    # A re-import rewrites the old rows in place; a new finding comes after them.
    api.call("BatchImportFindings", {"Findings": [make_finding("a", Title="changed"), make_finding("c")]})
    assert store.fetch_by_pk(7).doc["Title"] == "changed"  # type: ignore[union-attr]
    assert store.fetch_by_keys([(PRODUCT_ARN, "c")])[(PRODUCT_ARN, "c")].pk == 44
    assert store.count_all() == 4
    assert _ids(api, Id=[{"Value": "a", "Comparison": "EQUALS"}]) == {"a"}
    assert len(api.call("GetFindings", {"Filters": {"Id": [{"Value": "a", "Comparison": "EQUALS"}]}})["Findings"]) == 2
    assert store.product_field_values("secpipe/tool") == ["bandit"]
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION == 3
        hashes = dict(db.execute("SELECT pk, id_hash FROM findings"))
        unique = db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_findings%'").fetchone()
        page_size = db.execute("PRAGMA page_size").fetchone()
    assert (hashes[7], hashes[42], hashes[43]) == (schema.id_hash("a"), schema.id_hash("b"), schema.id_hash("a"))
    assert unique == (0,)  # the UNIQUE index of the texts is gone
    assert page_size == (4096,)  # an old file keeps its pages (a new one has PAGE_SIZE)...
    assert store.wal_checkpoint_pages == 9765  # ...and its log is checkpointed at the same size in bytes
    assert _indexes(path) == {"findings_id_hash", "findings_updated", "findings_severity_updated", "notes_finding"}


_OPEN_WHEN_TOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from pipeline.hub.storage import FindingStore

    while not Path(sys.argv[2]).exists():
        time.sleep(0.001)
    store = FindingStore(Path(sys.argv[1]))
    print(store.count_all())
    store.close()
""")


def test_two_processes_opening_a_version_2_file_at_once_upgrade_it_once(tmp_path):
    path, go = tmp_path / "hub.sqlite3", tmp_path / "go"
    findings = {pk: make_finding(f"f{pk}") for pk in range(1, 1001)}
    _write_version_2(path, findings)
    openers = [subprocess.Popen([sys.executable, "-c", _OPEN_WHEN_TOLD, str(path), str(go)], cwd=PROJECT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    go.touch()
    results = [opener.communicate(timeout=120) for opener in openers]
    assert [(opener.returncode, out.strip()) for opener, (out, _) in zip(openers, results, strict=True)] == [
        (0, "1000"), (0, "1000")], results
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
        assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 1000
        rows = db.execute("SELECT pk, id_hash, id FROM findings ORDER BY pk").fetchall()
    assert rows == [(pk, schema.id_hash(f"f{pk}"), f"f{pk}") for pk in findings]


def test_the_id_hash_is_fixed_by_the_file_format():
    """Files written by one secpipe are read by another: the hash must not depend on the process."""
    # What `printf ID | b2sum -l 64` prints (GNU coreutils), read as a signed 64-bit integer.
    assert schema.id_hash("sarif/B101/x") == int("2267452e4c4a29ff", 16)
    assert schema.id_hash("sarif/B101/z") == int("f688b5aec71fea46", 16) - 2**64


def test_an_upgrade_that_fails_leaves_the_version_2_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "hub.sqlite3"
    _write_version_2(path, _OLD_FINDINGS)

    def broken(finding_id: str) -> int:
        raise ValueError("no hash today")

    monkeypatch.setattr(schema, "id_hash", broken)
    with pytest.raises(sqlite3.OperationalError):
        FindingStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 3
        assert "id_hash" not in {row[1] for row in db.execute("PRAGMA table_info(findings)")}


def test_the_consoles_default_order_is_read_from_an_index_not_sorted(tmp_path):
    """Severity, then UpdatedAt: one index holds both, so a page reads its own rows only (with an
    index of the severity alone SQLite sorted each severity's findings: 0.2 s at 100,000)."""
    store = FindingStore(tmp_path / "hub.sqlite3")
    api = HubApi(store)
    for start in range(0, 1200, 100):
        api.call("BatchImportFindings", {"Findings": [
            make_finding(f"g{n}", Severity={"Label": ("LOW", "HIGH", "CRITICAL")[n % 3]}) for n in range(start, start + 100)]})
    sort = [{"Field": "SeverityLabel", "SortOrder": "desc"}, {"Field": "UpdatedAt", "SortOrder": "desc"}]
    scope = {"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]}
    page = api.call("GetFindings", {"Filters": scope, "SortCriteria": sort, "MaxResults": 100})
    assert {f["Severity"]["Label"] for f in page["Findings"]} == {"CRITICAL"}
    query = filters.build(scope, sort)
    plan = " ".join(row[3] for row in store._db.execute(
        f"EXPLAIN QUERY PLAN SELECT pk FROM findings AS f WHERE {query.where} ORDER BY {query.order_by} LIMIT 100",
        query.params))
    assert "findings_severity_updated" in plan and "TEMP B-TREE" not in plan
    store.close()


def test_a_query_for_an_id_is_found_through_the_id_hash(tmp_path):
    """`secpipe findings show ID` asks for one Id: the hash index finds it, where the Id column has none."""
    store = FindingStore(tmp_path / "hub.sqlite3")
    api = HubApi(store)
    api.call("BatchImportFindings", {"Findings": [make_finding(f"id-{n}") for n in range(50)]})
    wanted = {"Id": [{"Value": "id-7", "Comparison": "EQUALS"}, {"Value": "id-9", "Comparison": "EQUALS"}]}
    assert sorted(f["Id"] for f in api.call("GetFindings", {"Filters": wanted})["Findings"]) == ["id-7", "id-9"]
    other = {"Id": [{"Value": "id-1", "Comparison": "PREFIX"}]}
    assert len(api.call("GetFindings", {"Filters": other})["Findings"]) == 11  # id-1, id-10 .. id-19
    query = filters.build(wanted, [])
    plan = " ".join(row[3] for row in store._db.execute(
        f"EXPLAIN QUERY PLAN SELECT pk FROM findings AS f WHERE {query.where}", query.params))
    assert "findings_id_hash" in plan
    store.close()


def test_two_connections_switching_one_file_to_wal_at_once_both_succeed(tmp_path):
    """Two processes opening a new file (or one in rollback mode) at the same moment both switch
    it to WAL. SQLite refuses one of them at once as "locked", without the busy timeout's wait
    (each holds a shared lock the other's switch must wait for); opening tries again (storage._use_wal)."""
    from pipeline.hub.storage import _use_wal

    failures = []
    for attempt in range(100):
        path = tmp_path / f"race{attempt}.sqlite3"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE t (x)")
            db.execute("INSERT INTO t VALUES (1)")
        ready = threading.Barrier(2)

        def open_and_switch(path=path, ready=ready):
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA busy_timeout=5000")
            ready.wait()
            try:
                _use_wal(db)
            except sqlite3.Error as error:
                failures.append(error)
            finally:
                db.close()

        threads = [threading.Thread(target=open_and_switch) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
