"""The local hub's SQLite schema: created on a new file, brought up to date on an old one.

`PRAGMA user_version` records the schema a file has, and opening an older file brings it
up to date once, in one transaction:

- version 1 keeps ProductFields and the resources' Type and Id as JSON columns of the
  findings table; version 0 kept them in side tables.
- version 2 adds the catalog of the console's filter values (pipeline.hub.facets), and
  drops the indexes on RecordState and WorkflowStatus: nearly every finding is ACTIVE and
  NEW, so those indexes found nearly everything, yet the planner preferred them to the
  UpdatedAt order and sorted every finding for one page (0.6 s at 100,000 findings).
- version 3 finds a finding by id_hash, a 64-bit hash of its Id, instead of a UNIQUE index
  of the texts of (ProductArn, Id): the table is rebuilt with every pk kept. It drops the
  index on GeneratorId, and orders the severity index by UpdatedAt within a severity.
"""
from __future__ import annotations

import hashlib
import sqlite3
from functools import lru_cache

from pipeline.errors import ConfigError
from pipeline.hub.facets import FACET_KEYS

VERSION = 3

# The findings table, created under another name when an upgrade rebuilds it. A finding is
# (ProductArn, Id), found through id_hash, a 64-bit hash of its Id (id_hash()): an index of
# small integers costs far less on every import than the UNIQUE index of the two texts did
# (a page of it per new finding, most of each COMMIT). The hash is not unique: findings of
# two products with one Id share it, as may two Ids, so every lookup then compares
# ProductArn and Id exactly. Of the Id alone, so that a query for an Id can use it too.
# Small columns first, the finding's JSON last, so reading a column never walks over it.
_FINDINGS_COLUMNS = """(
    pk INTEGER PRIMARY KEY,
    id_hash INTEGER NOT NULL,
    product_arn TEXT NOT NULL,
    id TEXT NOT NULL,
    generator_id TEXT NOT NULL,
    aws_account_id TEXT NOT NULL,
    title TEXT NOT NULL,
    severity_label TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    record_state TEXT NOT NULL,
    workflow_status TEXT NOT NULL,
    compliance_status TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    customer_fields TEXT NOT NULL,
    product_fields TEXT NOT NULL,
    resources TEXT NOT NULL,
    doc TEXT NOT NULL
)"""

TABLES = f"""
CREATE TABLE IF NOT EXISTS findings {_FINDINGS_COLUMNS};
CREATE TABLE IF NOT EXISTS notes (
    pk INTEGER PRIMARY KEY,
    finding INTEGER NOT NULL,
    text TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    workflow_status TEXT
);
CREATE INDEX IF NOT EXISTS notes_finding ON notes (finding);
CREATE TABLE IF NOT EXISTS facet_values (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (key, value)
) WITHOUT ROWID;
"""

# Made after the upgrades, which may rebuild the findings table (and so drop its indexes).
# An index whose values arrive in order (UpdatedAt; UpdatedAt within each of the five
# severities) adds a page or a few to a batch's COMMIT; one in random order (id_hash, and
# GeneratorId, which version 2 indexed) adds nearly a page per finding. The console's
# default order, severity then UpdatedAt, is read from its index; GeneratorId is filtered
# by scanning (no query of secpipe or its console filters on it: 9 ms for a page of 50 at
# 100,000 findings, 60 ms to count them).
INDEXES = """
CREATE INDEX IF NOT EXISTS findings_id_hash ON findings (id_hash);
CREATE INDEX IF NOT EXISTS findings_updated ON findings (updated_at_us);
CREATE INDEX IF NOT EXISTS findings_severity_updated ON findings (severity_rank, updated_at_us);
"""

HASH_FUNCTION = "secpipe_id_hash"


# An import hashes each Id twice, to read the batch's stored findings and to insert the new ones.
@lru_cache(maxsize=1024)
def id_hash(finding_id: str) -> int:
    """The id_hash of a finding's Id: the first 8 bytes of its BLAKE2b digest, as a signed
    64-bit integer (SQLite's). Stable across processes and Python versions, unlike hash();
    a collision only costs a row read and compared for nothing."""
    digest = hashlib.blake2b(finding_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_FROM_SIDE_TABLES = """
ALTER TABLE findings ADD COLUMN product_fields TEXT NOT NULL DEFAULT '{}';
ALTER TABLE findings ADD COLUMN resources TEXT NOT NULL DEFAULT '[]';
UPDATE findings SET
    product_fields = coalesce(json_extract(doc, '$.ProductFields'), '{}'),
    resources = (SELECT json_group_array(json_array(coalesce(resource.value ->> 'Type', ''),
                                                    coalesce(resource.value ->> 'Id', '')))
                 FROM json_each(doc, '$.Resources') AS resource);
DROP TABLE IF EXISTS product_fields;
DROP TABLE IF EXISTS resources;
"""


_FACET_CATALOG = f"""
INSERT OR IGNORE INTO facet_values (key, value)
    SELECT entry.key, entry.value FROM findings, json_each(findings.product_fields) AS entry
    WHERE entry.key IN ({", ".join("'" + key + "'" for key in FACET_KEYS)}) AND entry.type = 'text';
DROP INDEX IF EXISTS findings_record_state;
DROP INDEX IF EXISTS findings_workflow;
"""

_V2_COLUMNS = ("pk, product_arn, id, generator_id, aws_account_id, title, severity_label, severity_rank, "
               "record_state, workflow_status, compliance_status, created_at_us, updated_at_us, customer_fields, "
               "product_fields, resources, doc")

# SQLite cannot drop a UNIQUE constraint: the table is copied, keeping every pk (notes name it).
_REBUILT_WITH_ID_HASH = f"""
CREATE TABLE findings_v3 {_FINDINGS_COLUMNS};
INSERT INTO findings_v3 (id_hash, {_V2_COLUMNS})
    SELECT {HASH_FUNCTION}(id), {_V2_COLUMNS} FROM findings ORDER BY pk;
DROP TABLE findings;
ALTER TABLE findings_v3 RENAME TO findings;
"""

# The steps from each older version to the next one, run after TABLES has made what is missing.
_UPGRADES = {0: _FROM_SIDE_TABLES, 1: _FACET_CATALOG, 2: _REBUILT_WITH_ID_HASH}


class NewerSchema(ConfigError):
    """The file was written by a newer secpipe: reading it with this one could lose what it keeps."""


def prepare(db: sqlite3.Connection, name: str = "the hub database") -> None:
    """Create the tables, or upgrade a file an older secpipe wrote. `db` is in autocommit mode."""
    if _version(db) == VERSION:
        return
    if _version(db) > VERSION:
        raise NewerSchema(f"{name} has schema version {_version(db)}, newer than this secpipe's ({VERSION}): "
                          "upgrade secpipe, or choose another file with --db")
    # Two processes may open an old file at once: the write lock makes one of them upgrade it.
    db.execute("BEGIN IMMEDIATE")
    try:
        if _version(db) != VERSION:
            older = bool(_columns(db, "findings"))  # else a new file
            _run(db, TABLES)
            if older:
                db.create_function(HASH_FUNCTION, 1, id_hash, deterministic=True)
                for version in range(_version(db), VERSION):
                    _run(db, _UPGRADES[version])
            _run(db, INDEXES)
            db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _run(db: sqlite3.Connection, script: str) -> None:
    # One statement at a time: executescript would commit the transaction first.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
