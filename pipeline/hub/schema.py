"""The local hub's SQLite schema: created on a new file, brought up to date on an old one.

`PRAGMA user_version` records the schema a file has. Version 1 keeps ProductFields and
the resources' Type and Id as JSON columns of the findings table; files written
before it (version 0) kept them in side tables, and are moved over once, in one
transaction, when a hub opens them.
"""
from __future__ import annotations

import sqlite3

VERSION = 1

TABLES = """
CREATE TABLE IF NOT EXISTS findings (
    pk INTEGER PRIMARY KEY,
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
    doc TEXT NOT NULL,
    UNIQUE (product_arn, id)
);
CREATE INDEX IF NOT EXISTS findings_updated ON findings (updated_at_us);
CREATE INDEX IF NOT EXISTS findings_severity ON findings (severity_rank);
CREATE INDEX IF NOT EXISTS findings_record_state ON findings (record_state);
CREATE INDEX IF NOT EXISTS findings_workflow ON findings (workflow_status);
CREATE INDEX IF NOT EXISTS findings_generator ON findings (generator_id);
CREATE TABLE IF NOT EXISTS notes (
    pk INTEGER PRIMARY KEY,
    finding INTEGER NOT NULL,
    text TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    workflow_status TEXT
);
CREATE INDEX IF NOT EXISTS notes_finding ON notes (finding);
"""

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


def prepare(db: sqlite3.Connection) -> None:
    """Create the tables, or upgrade a file an older secpipe wrote. `db` is in autocommit mode."""
    if _version(db) == VERSION:
        return
    # Two processes may open an old file at once: the write lock makes one of them upgrade it.
    db.execute("BEGIN IMMEDIATE")
    try:
        if _version(db) != VERSION:
            if _columns(db, "findings") and "product_fields" not in _columns(db, "findings"):
                for statement in _FROM_SIDE_TABLES.split(";"):
                    if statement.strip():
                        db.execute(statement)
            for statement in TABLES.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
