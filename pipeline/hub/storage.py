"""SQLite storage of the local hub: one row per (ProductArn, Id), found through a hash of the
Id (pipeline.hub.schema.id_hash) and then compared exactly.

The finding is kept whole as JSON; the fields GetFindings filters and sorts on are
copied into columns, indexed where an index narrows a query (pipeline.hub.schema). The
multi-valued ones (ProductFields, Resources' Type and Id) are small JSON columns beside
them that a filter reads with json_each: side tables of one row per key cost two thirds
of an import's write time, and a local hub's filters scan fast enough without them. The
console's filter values have a catalog of their own (pipeline.hub.facets). Notes added
through BatchUpdateFindings are kept as a history in their own table.

One connection guarded by a lock: SQLite has a single writer anyway, the hub's
requests are short, and one connection keeps every read consistent with the last
write. WAL lets other processes read the file while the hub writes; a
read-modify-write is one BEGIN IMMEDIATE transaction, so another process on the
same file waits instead of writing in between.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import jsonin
from pipeline.hub import schema
from pipeline.hub.facets import FACET_KEYS
from pipeline.hub.schema import id_hash
from pipeline.hub.timestamps import to_microseconds

SEVERITY_RANK = {"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}

_COLUMNS = (
    "product_arn", "id", "generator_id", "aws_account_id", "title", "severity_label", "severity_rank",
    "record_state", "workflow_status", "compliance_status", "created_at_us", "updated_at_us",
    "customer_fields", "product_fields", "resources", "doc",
)
_INSERT = (f"INSERT INTO findings (id_hash, {', '.join(_COLUMNS)}) "
           f"VALUES (?, {', '.join('?' for _ in _COLUMNS)})")
# A finding's identity (ProductArn, Id, so its id_hash) never changes: the rest is rewritten.
_REWRITTEN = _COLUMNS[2:]
_REWRITE = f"UPDATE findings SET {', '.join(f'{c} = ?' for c in _REWRITTEN)} WHERE pk = ?"
# A new file's pages (SQLite fixes the size when it writes the first page): a finding's row is
# about 2.8 KB, one to a 4 KB page with a third of it empty; five share a 16 KB page, so a
# batch's COMMIT writes fewer, fuller pages (a sixth less CPU per imported finding).
PAGE_SIZE = 16_384
WAL_CHECKPOINT_BYTES = 40_000_000
#: How long opening the file or writing to it waits for another process that holds its lock.
BUSY_TIMEOUT_S = 30
MIN_ROWS_FOR_ANALYZE = 1_000
# SQLite allows 32766 bound variables: Id hashes looked up per query.
_KEY_CHUNK = 500


@dataclass(frozen=True)
class StoredFinding:
    pk: int
    doc: dict[str, Any]
    customer_fields: frozenset[str]


@dataclass(frozen=True)
class Note:
    text: str
    updated_by: str
    updated_at: str
    workflow_status: str | None


@dataclass(frozen=True)
class StagedFinding:
    """A finding ready to write, with the names of fields a customer has set (kept on re-import)."""

    doc: dict[str, Any]
    customer_fields: frozenset[str]

    @property
    def key(self) -> tuple[str, str]:
        return self.doc["ProductArn"], self.doc["Id"]


def _customer_fields(stored: str) -> frozenset[str]:
    return frozenset(json.loads(stored)) if stored != "[]" else frozenset()


def _row(staged: StagedFinding) -> tuple[Any, ...]:
    """The values of _COLUMNS, in their order."""
    doc = staged.doc
    label = doc["Severity"]["Label"]
    return (
        doc["ProductArn"], doc["Id"], doc["GeneratorId"], doc["AwsAccountId"], doc["Title"], label,
        SEVERITY_RANK[label], doc.get("RecordState", "ACTIVE"), (doc.get("Workflow") or {}).get("Status", "NEW"),
        (doc.get("Compliance") or {}).get("Status", ""), to_microseconds(doc["CreatedAt"]),
        to_microseconds(doc["UpdatedAt"]),
        json.dumps(sorted(staged.customer_fields)) if staged.customer_fields else "[]",
        jsonin.dumps_compact_text(doc.get("ProductFields") or {}),
        jsonin.dumps_compact_text([[r.get("Type", ""), r.get("Id", "")] for r in doc.get("Resources") or []]),
        jsonin.dumps_compact_text(doc),
    )


class FindingStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        # Another process may hold the file's lock (its import of one batch, its upgrade of an old
        # file, its switch to WAL): wait for it. First, so that the switch to WAL below waits too.
        self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        self._db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL, which keeps the size a file has
        _use_wal(self._db)
        self._db.execute("PRAGMA synchronous=NORMAL")
        # Statement and savepoint journals in memory, not temporary files: a request inside a group
        # commit is a savepoint (exclusive()), whose journal copies each page the request first
        # changes, 5 KB a finding written to /var/tmp and never read unless the request fails.
        self._db.execute("PRAGMA temp_store=MEMORY")
        # Checkpoint at about 40 MB of log, not SQLite's 1,000 pages: each checkpoint copies every page
        # changed since the last, and an import changes the same index pages batch after batch
        # (a seventh of a 100,000-finding import's CPU at 4 KB pages; at 16 KB, 160 MB of log cost
        # the same as 40). The log goes when the hub closes.
        self.wal_checkpoint_pages = WAL_CHECKPOINT_BYTES // self._db.execute("PRAGMA page_size").fetchone()[0]
        self._db.execute(f"PRAGMA wal_autocheckpoint={self.wal_checkpoint_pages}")
        try:
            schema.prepare(self._db, str(self.path))
        except BaseException:
            self._db.close()
            raise
        self._analyzed_rows = self._rows_in_statistics()
        # A file never analyzed (a new one, or one an older secpipe wrote) counts all its findings as new.
        self._written_since_analyze = 0 if self._analyzed_rows else self.count_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold while reading findings and writing them back, so nothing writes in between: not
        another request of this process (the lock), nor another process on the same file
        (`hub serve` and a `scan` both open it), which only a transaction that takes SQLite's
        write lock before the read (BEGIN IMMEDIATE) keeps out. Inside another exclusive() (a
        caller that commits several requests together, pipeline.hub.direct_client) it is a
        savepoint: a request that fails undoes its own writes, not the others'."""
        with self._lock, (_Savepoint(self._db) if self._db.in_transaction else _Transaction(self._db)):
            yield

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- reads -------------------------------------------------------------------------

    def fetch_by_keys(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], StoredFinding]:
        """The stored findings of these (ProductArn, Id) keys: the rows of their Ids' hashes, less
        any other finding that shares a hash."""
        wanted = {key: id_hash(key[1]) for key in keys}
        hashes = list(set(wanted.values()))
        found: dict[tuple[str, str], StoredFinding] = {}
        with self._lock:
            for start in range(0, len(hashes), _KEY_CHUNK):
                chunk = hashes[start:start + _KEY_CHUNK]
                for pk, arn, ident, customer, doc in self._db.execute(
                        "SELECT pk, product_arn, id, customer_fields, doc FROM findings "
                        f"WHERE id_hash IN ({', '.join('?' * len(chunk))})", chunk):
                    if (arn, ident) in wanted:
                        found[(arn, ident)] = StoredFinding(pk, jsonin.loads(doc), _customer_fields(customer))
        return found

    def fetch_by_pk(self, pk: int) -> StoredFinding | None:
        with self._lock:
            row = self._db.execute("SELECT pk, customer_fields, doc FROM findings WHERE pk = ?", (pk,)).fetchone()
        if row is None:
            return None
        return StoredFinding(row[0], jsonin.loads(row[2]), _customer_fields(row[1]))

    def select(self, where: str, params: Sequence[Any], order_by: str, limit: int,
               sort_columns: Sequence[str]) -> list[tuple[int, list[Any], dict[str, Any]]]:
        """(pk, values of the sort columns, finding) for one page of a filtered query."""
        columns = ", ".join(sort_columns) if sort_columns else "NULL"
        sql = f"SELECT pk, doc, {columns} FROM findings AS f WHERE {where} ORDER BY {order_by} LIMIT ?"
        with self._lock:
            self._keep_statistics_fresh()
            rows = self._db.execute(sql, [*params, limit]).fetchall()
        return [(row[0], list(row[2:2 + len(sort_columns)]), jsonin.loads(row[1])) for row in rows]

    def count_all(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM findings").fetchone()[0])

    def count(self, where: str = "1", params: Sequence[Any] = ()) -> int:
        with self._lock:
            self._keep_statistics_fresh()
            return self._db.execute(f"SELECT count(*) FROM findings AS f WHERE {where}", params).fetchone()[0]

    def product_field_values(self, key: str) -> list[str]:
        """Every value `key` has had. A facet's from its catalog (which keeps a value after the last
        finding holding it changed: findings are never deleted, so that is rare); any other key's
        from every finding."""
        with self._lock:
            if key in FACET_KEYS:
                rows = self._db.execute("SELECT value FROM facet_values WHERE key = ? ORDER BY value", (key,)).fetchall()
                return [row[0] for row in rows]
            rows = self._db.execute(
                "SELECT DISTINCT field.value FROM findings, json_each(findings.product_fields) AS field "
                "WHERE field.key = ? ORDER BY field.value", (key,)
            ).fetchall()
        return [row[0] for row in rows]

    def notes(self, pk: int) -> list[Note]:
        with self._lock:
            rows = self._db.execute(
                "SELECT text, updated_by, updated_at, workflow_status FROM notes WHERE finding = ? ORDER BY pk DESC",
                (pk,),
            ).fetchall()
        return [Note(*row) for row in rows]

    # -- writes ------------------------------------------------------------------------

    def upsert(self, staged: Sequence[StagedFinding], stored: Mapping[tuple[str, str], StoredFinding]) -> None:
        """Write a batch: the findings, and the facet values they name. `stored` is what
        fetch_by_keys gave for these keys inside the exclusive() the caller still holds: those
        findings are rewritten in place (by pk), the others inserted. Read in this transaction,
        it cannot miss a finding another writer added, which would become a second row."""
        # The last copy of a finding sent twice in one batch wins, as it would one request later.
        staged = list({s.key: s for s in staged}.values())
        if not staged:
            return
        fields = [s.doc.get("ProductFields") or {} for s in staged]
        # Distinct values first: a batch has one or a few of each (its scope).
        facets = {(key, value) for key in FACET_KEYS for value in {f.get(key) for f in fields} if isinstance(value, str)}
        with self._lock:
            if not self._db.in_transaction:
                raise RuntimeError("upsert runs inside the exclusive() that read its stored findings")
            self._written_since_analyze += len(staged)
            new = [(id_hash(s.doc["Id"]), *_row(s)) for s in staged if s.key not in stored]
            rewritten = [(*_row(s)[2:], stored[s.key].pk) for s in staged if s.key in stored]
            if new:
                self._db.executemany(_INSERT, new)
            if rewritten:
                self._db.executemany(_REWRITE, rewritten)
            self._db.executemany("INSERT OR IGNORE INTO facet_values (key, value) VALUES (?, ?)", sorted(facets))

    def update(self, updates: Sequence[tuple[int, StagedFinding]], notes: Sequence[tuple[int, Note]]) -> None:
        """Rewrite findings changed by BatchUpdateFindings and append their notes, in one transaction."""
        with self._lock, self._transaction():
            changed = ("severity_label", "severity_rank", "workflow_status", "customer_fields", "doc")
            positions = [_COLUMNS.index(name) for name in changed]
            rows = [(pk, _row(staged)) for pk, staged in updates]
            self._db.executemany(
                f"UPDATE findings SET {', '.join(f'{name} = ?' for name in changed)} WHERE pk = ?",
                [(*(row[i] for i in positions), pk) for pk, row in rows],
            )
            self._db.executemany(
                "INSERT INTO notes (finding, text, updated_by, updated_at, workflow_status) VALUES (?, ?, ?, ?, ?)",
                [(pk, n.text, n.updated_by, n.updated_at, n.workflow_status) for pk, n in notes],
            )

    def _keep_statistics_fresh(self) -> None:
        """ANALYZE before a query once the findings have doubled (and grown by 1,000) since the
        planner's statistics were taken. Without them SQLite takes any index on an equality
        (ProductArn, the same for every finding of an account) over the UpdatedAt order, and
        sorts every finding for each page: a stale-finding query paging 20,000 findings took
        17 s. A full ANALYZE takes about 50 ms at 100,000 findings."""
        if self._written_since_analyze < max(MIN_ROWS_FOR_ANALYZE, self._analyzed_rows) or self._db.in_transaction:
            return
        self._db.execute("ANALYZE findings")
        self._analyzed_rows = self._rows_in_statistics()
        self._written_since_analyze = 0

    def _rows_in_statistics(self) -> int:
        """The findings the planner's statistics counted (0 without statistics)."""
        try:
            row = self._db.execute(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'findings' AND stat IS NOT NULL LIMIT 1").fetchone()
        except sqlite3.OperationalError:  # no sqlite_stat1 table: never analyzed
            return 0
        return int(row[0].split()[0]) if row else 0

    def _transaction(self) -> AbstractContextManager[None]:
        # A write inside exclusive() is part of its transaction, not one of its own.
        return nullcontext() if self._db.in_transaction else _Transaction(self._db)


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL. Unlike other statements, the switch can be refused at once, without
    the busy timeout's wait, while another process opens the same file (a new one, or one in
    rollback mode) and switches it too: try again until the timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, traceback) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


class _Savepoint:
    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("SAVEPOINT request")

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self._db.execute("ROLLBACK TO request")
        self._db.execute("RELEASE request")
