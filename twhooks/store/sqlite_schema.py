"""The tables of the SQLite store, as plain SQL for the standard library's :mod:`sqlite3`.

The same tables, columns and indexes as :mod:`twhooks.store.sql_schema` creates on SQLite (the
DDL SQLAlchemy emits for it, byte for byte in the names and types): a file made by twhooks 0.2's
SQL store opens here unchanged, and one made here opens there. One index less, and two
additions, which 0.2 ignores and which are created on a file that lacks them:

- no index on ``<prefix>claims.expires_at`` (dropped from a 0.2 file): every claim and every
  reply would update it, a third B-tree written on each of the two writes of a webhook (it
  doubled the bytes written to the WAL per webhook). Expired claims are swept in ``rowid``
  order instead — the order they were made in, so the oldest, expired ones come first
  (:meth:`~twhooks.store.sqlite_connections.SQLiteConnections.sweep`). The SQL store of 0.2
  and 0.3 still works on such a file; its sweep of the claims then reads the whole table;

- ``<prefix>stamps``: one counter per cached table (the block list, the opt-outs), bumped by a
  trigger on every insert, update and delete of that table, whoever writes it — so that a
  process can tell that nothing changed with one read a second, not one per webhook
  (:mod:`twhooks.store.sqlite_cache`);
- the triggers that bump them.

Times are Unix times in seconds (a double), as in the SQL store.
"""

from __future__ import annotations

import sqlite3

from ..exceptions import ConfigurationError

__all__ = ["SCHEMA_VERSION", "STAMPED", "create_tables", "expiring"]

#: The schema version recorded in ``<prefix>schema`` (that of :mod:`twhooks.store.sql_schema`).
SCHEMA_VERSION = 1

#: The tables whose changes are counted in ``<prefix>stamps``.
STAMPED = ("blocklist", "opt_outs")

_TABLES = """
CREATE TABLE IF NOT EXISTS {p}schema (
	name VARCHAR(64) NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (name)
);
CREATE TABLE IF NOT EXISTS {p}claims (
	"key" VARCHAR(512) NOT NULL,
	owner VARCHAR(128),
	expires_at DOUBLE NOT NULL,
	status INTEGER,
	headers TEXT,
	body BLOB,
	PRIMARY KEY ("key")
);
DROP INDEX IF EXISTS ix_{p}claims_expires_at;
CREATE TABLE IF NOT EXISTS {p}conversations (
	"key" VARCHAR(512) NOT NULL,
	state VARCHAR(256),
	data TEXT NOT NULL,
	version INTEGER NOT NULL,
	updated_at DOUBLE NOT NULL,
	expires_at DOUBLE NOT NULL,
	PRIMARY KEY ("key")
);
CREATE INDEX IF NOT EXISTS ix_{p}conversations_expires_at ON {p}conversations (expires_at);
CREATE TABLE IF NOT EXISTS {p}messages (
	sid VARCHAR(64) NOT NULL,
	status VARCHAR(32),
	rank INTEGER NOT NULL,
	error_code VARCHAR(16),
	"to" VARCHAR(128),
	from_ VARCHAR(128),
	meta TEXT NOT NULL,
	generation INTEGER NOT NULL,
	previous VARCHAR(32),
	previous_rank INTEGER NOT NULL,
	updated_at DOUBLE NOT NULL,
	expires_at DOUBLE NOT NULL,
	PRIMARY KEY (sid)
);
CREATE INDEX IF NOT EXISTS ix_{p}messages_expires_at ON {p}messages (expires_at);
CREATE INDEX IF NOT EXISTS ix_{p}messages_updated_at ON {p}messages (updated_at);
CREATE TABLE IF NOT EXISTS {p}message_statuses (
	sid VARCHAR(64) NOT NULL,
	status VARCHAR(32) NOT NULL,
	at DOUBLE NOT NULL,
	error_code VARCHAR(16),
	generation INTEGER NOT NULL,
	PRIMARY KEY (sid, status)
);
CREATE TABLE IF NOT EXISTS {p}call_events (
	call_sid VARCHAR(64) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	ident VARCHAR(128) NOT NULL,
	"order" INTEGER NOT NULL,
	at DOUBLE NOT NULL,
	params TEXT NOT NULL,
	expires_at DOUBLE NOT NULL,
	PRIMARY KEY (call_sid, kind, ident)
);
CREATE INDEX IF NOT EXISTS ix_{p}call_events_expires_at ON {p}call_events (expires_at);
CREATE TABLE IF NOT EXISTS {p}opt_outs (
	number VARCHAR(128) NOT NULL,
	sender VARCHAR(128) NOT NULL,
	at DOUBLE NOT NULL,
	source VARCHAR(32) NOT NULL,
	expires_at DOUBLE,
	PRIMARY KEY (number, sender)
);
CREATE INDEX IF NOT EXISTS ix_{p}opt_outs_at ON {p}opt_outs (at);
CREATE TABLE IF NOT EXISTS {p}blocklist (
	number VARCHAR(128) NOT NULL,
	at DOUBLE NOT NULL,
	expires_at DOUBLE,
	PRIMARY KEY (number)
);
CREATE TABLE IF NOT EXISTS {p}history (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	at DOUBLE NOT NULL,
	kind VARCHAR(32),
	verdict VARCHAR(32) NOT NULL,
	sid VARCHAR(64),
	from_ VARCHAR(128),
	"to" VARCHAR(128),
	data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_{p}history_from_ ON {p}history (from_);
CREATE INDEX IF NOT EXISTS ix_{p}history_to ON {p}history ("to");
CREATE INDEX IF NOT EXISTS ix_{p}history_sid ON {p}history (sid);
CREATE INDEX IF NOT EXISTS {p}history_kind_id ON {p}history (kind, id);
CREATE TABLE IF NOT EXISTS {p}counters (
	"key" VARCHAR(255) NOT NULL,
	count INTEGER NOT NULL,
	expires_at DOUBLE NOT NULL,
	PRIMARY KEY ("key")
);
CREATE INDEX IF NOT EXISTS ix_{p}counters_expires_at ON {p}counters (expires_at);
CREATE TABLE IF NOT EXISTS {p}failed (
	"key" VARCHAR(64) NOT NULL,
	at DOUBLE NOT NULL,
	last_at DOUBLE NOT NULL,
	attempts INTEGER NOT NULL,
	data TEXT NOT NULL,
	expires_at DOUBLE NOT NULL,
	PRIMARY KEY ("key")
);
CREATE INDEX IF NOT EXISTS ix_{p}failed_last_at ON {p}failed (last_at);
CREATE INDEX IF NOT EXISTS ix_{p}failed_expires_at ON {p}failed (expires_at);
CREATE TABLE IF NOT EXISTS {p}stamps (
	name VARCHAR(64) NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (name)
);
"""

_STAMP = """
INSERT OR IGNORE INTO {p}stamps (name, version) VALUES ('{t}', 0);
CREATE TRIGGER IF NOT EXISTS {p}{t}_stamp_{op} AFTER {op} ON {p}{t}
BEGIN UPDATE {p}stamps SET version = version + 1 WHERE name = '{t}'; END;
"""


def expiring(prefix: str) -> tuple[str, ...]:
    """The tables with an ``expires_at`` column (swept of their expired rows)."""
    names = (
        *("claims", "conversations", "messages", "call_events", "opt_outs", "blocklist"),
        "counters",
        "failed",
    )
    return tuple(prefix + name for name in names)


def create_tables(conn: sqlite3.Connection, prefix: str) -> None:
    """Create what is missing, in one write transaction (*conn* in autocommit mode, its write
    lock taken by the caller's ``BEGIN IMMEDIATE``), and check the schema's version.

    :raises ~twhooks.ConfigurationError: the tables were made by a newer twhooks.
    """
    script = _TABLES.format(p=prefix)
    for table in STAMPED:
        for op in ("INSERT", "UPDATE", "DELETE"):
            script += _STAMP.format(p=prefix, t=table, op=op)
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)
    found = conn.execute(f"SELECT version FROM {prefix}schema WHERE name = 'twhooks'").fetchone()
    if found is None:
        conn.execute(
            f"INSERT INTO {prefix}schema (name, version) VALUES ('twhooks', ?)", (SCHEMA_VERSION,)
        )
    elif found[0] > SCHEMA_VERSION:
        raise ConfigurationError(
            f"TWHOOKS_STORE: the tables {prefix}* were made by a newer twhooks "
            f"(schema {found[0]}; this one knows {SCHEMA_VERSION})"
        )
