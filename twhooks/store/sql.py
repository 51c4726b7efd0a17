"""The SQL store: one implementation on SQLAlchemy Core for SQLite and PostgreSQL.

Atomic writes are single statements — ``INSERT … ON CONFLICT`` (the same syntax in SQLite ≥ 3.24
and PostgreSQL), conditional ``UPDATE``\\ s whose row count says who won — or short
transactions that lock what they read first (``BEGIN IMMEDIATE`` in SQLite, ``SELECT … FOR
UPDATE`` in PostgreSQL). SQLite runs in WAL mode with a busy timeout and ``synchronous=NORMAL``.

A status callback's write — the hottest — runs on the driver's own cursor with SQL compiled
once per dialect (:mod:`twhooks.store.sql_raw`), on a connection the store keeps between two
uses; the webhook history is written in batches (:mod:`twhooks.store.history_buffer`); expired
rows are swept and SQLite's WAL checkpointed in the background.

The engine is created on first use in each process, so a store made before a server forks its
workers (gunicorn's ``--preload``) never shares a connection across the fork.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..exceptions import ConfigurationError
from ..replies import Reply
from .errors import StoreUnavailable
from .history_buffer import HistoryBuffer
from .keys import normalize_address
from .polling import PENDING, Pending, poll
from .records import (
    CallEvent,
    ConversationRecord,
    Delivery,
    HistoryRecord,
    OptOut,
    StatusChange,
    message_status_order,
)
from .sql_raw import Compiled
from .sql_schema import SCHEMA_VERSION, Tables
from .sql_statements import Statements

__all__ = ["SQLStore"]

logger = logging.getLogger("twhooks.store")

P = ParamSpec("P")
R = TypeVar("R")

#: Expired rows are deleted once every this many writes of a process.
SWEEP_EVERY = 500
#: How long an SQLite writer waits for another's lock, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 5000
#: SQLite's WAL is copied into the database (a checkpoint, with its fsyncs) by the store in
#: the background every :data:`SWEEP_EVERY` writes; a commit does it itself only past this
#: many pages in the WAL (4 KiB each).
SQLITE_AUTOCHECKPOINT_PAGES = 10000


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn the backend's errors into :class:`~twhooks.store.StoreUnavailable`."""

    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            if not isinstance(exc, (sa.exc.SQLAlchemyError, *_DBAPI_ERRORS)):
                raise
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            reason = f"the SQL store failed: {type(exc).__name__}: {detail[0] if detail else ''}"
            raise StoreUnavailable(reason) from exc

    return guarded


#: The drivers' own error classes (the hot statements run on the driver's cursor).
_DBAPI_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error,)
#: How many DBAPI connections a store keeps checked out of its pool between two uses (none
#: when the engine is the app's own: its pool may hand one connection to several users, as
#: SQLite's in-memory pools do, and the store's settings must not leak to the app's).
IDLE_CONNECTIONS = 4
#: Connections a forked child inherited: never used, never closed (they are the parent's).
_inherited: list[Any] = []


def _begin_immediate(dbapi: Any, *, held: bool = False) -> None:
    """``BEGIN IMMEDIATE``, waiting for another process's write lock in short steps.

    SQLite's own busy handler sleeps 1, 2, 5, 10… ms between tries: with several workers
    writing a few rows each per request, those sleeps, not the writes, would set the pace.
    Here the wait starts at 50 µs and doubles up to 1 ms, for at most the busy timeout.

    :param held: *dbapi* is one of the store's held connections, whose busy timeout is
        already 0 (otherwise it is set to 0 for the wait and back after).
    """
    cursor = dbapi.cursor()
    try:
        if not held:
            cursor.execute("PRAGMA busy_timeout = 0")
        delay, deadline = 0.00005, time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.001)
    finally:
        if not held:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    """The store checkpoints in the background (see :meth:`SQLStore.maintain`); a commit does
    only past this bound, should that fall behind. (Not set on an app's own engine, whose
    other writers may rely on SQLite's default.)"""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_AUTOCHECKPOINT_PAGES}")
    cursor.close()


class SQLStore:
    """A :class:`~twhooks.store.Store` in an SQLite or PostgreSQL database.

    :param bind: a database URL (``sqlite:///path``, ``postgresql+psycopg://…``) or an
        :class:`~sqlalchemy.engine.Engine` of the app's own (Flask-SQLAlchemy's ``db.engine``).
    :param prefix: put before every table name.
    """

    #: Its calls wait on the database: an event loop makes them from a worker thread.
    blocking = True

    def __init__(self, bind: str | sa.URL | sa.Engine, *, prefix: str = "twhooks_") -> None:
        self._given = bind if isinstance(bind, sa.Engine) else None
        self.url = bind.url if isinstance(bind, sa.Engine) else sa.make_url(bind)
        if self.url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ConfigurationError(
                f"TWHOOKS_STORE: the SQL store supports SQLite and PostgreSQL, "
                f"not {self.url.get_backend_name()!r}"
            )
        if self._given is None:
            try:
                self.url.get_dialect().import_dbapi()
            except ImportError as exc:
                extra = "" if self.url.get_backend_name() == "sqlite" else "[postgresql]"
                raise ConfigurationError(
                    f"TWHOOKS_STORE: the database driver {self.url.get_driver_name()!r} is not "
                    f"installed: pip install 'twhooks{extra}'"
                ) from exc
        if self.url.get_backend_name() == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
            raise ConfigurationError(
                f"TWHOOKS_STORE: the SQL store needs SQLite 3.35 or later (RETURNING); this "
                f"Python has {sqlite3.sqlite_version}"
            )
        self.tables = Tables(prefix)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self._insert: Callable[[sa.Table], Any] = (
            sqlite.insert if self.sqlite else postgresql.insert
        )
        self.statements = Statements(self.tables, self._insert, supports_dml_cte=not self.sqlite)
        self._engine: sa.Engine | None = None
        self._compiled: dict[str, Compiled] = {}
        # DBAPI connections of this process kept between two hot writes (a pool checkout and
        # its reset cost as much as SQLite's write).
        self._idle: list[Any] = []
        self._history_buffer = HistoryBuffer(self._write_history)
        self._base: sa.Engine | None = None  # before execution options
        self._pid = 0
        self._init_lock = threading.Lock()
        self._writes = 0
        self._maintaining = threading.Lock()

    def __repr__(self) -> str:
        return f"SQLStore({self.url.render_as_string(hide_password=True)!r})"

    # -- connections -----------------------------------------------------------------------

    def engine(self) -> sa.Engine:
        """This process's engine, created (and the tables with it) on first use."""
        engine = self._engine
        if engine is not None and self._pid == os.getpid():
            return engine
        with self._init_lock:
            if self._engine is None or self._pid != os.getpid():
                self._engine = self._connect()
                self._pid = os.getpid()
            return self._engine

    def _connect(self) -> sa.Engine:
        if self._pid and self._base is not None:
            # Forked: the parent's connections are not ours to use, nor to close.
            self._base.dispose(close=False)
            _inherited.extend(self._idle)
            self._maintaining = threading.Lock()  # a sweep running at the fork is not ours
        self._idle = []
        if self._given is not None:
            engine = self._given
        else:
            kwargs: dict[str, Any] = {}
            if self.sqlite:
                kwargs["connect_args"] = {"check_same_thread": False}
            engine = sa.create_engine(self.url, **kwargs)
        self._base = engine
        if self.sqlite:
            if not sa.event.contains(engine, "connect", _sqlite_pragmas):
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            if self._given is None and not sa.event.contains(
                engine, "connect", _sqlite_checkpoints
            ):
                sa.event.listen(engine, "connect", _sqlite_checkpoints)
            # Transactions are begun by hand (BEGIN IMMEDIATE), not by the driver.
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._create_tables(engine)
        dialect = self._dialect = engine.dialect
        global _DBAPI_ERRORS
        error = getattr(dialect.loaded_dbapi, "Error", None)
        if (
            isinstance(error, type)
            and issubclass(error, BaseException)
            and not issubclass(error, _DBAPI_ERRORS)
        ):
            _DBAPI_ERRORS = (*_DBAPI_ERRORS, error)
        statements = self.statements
        hot = {
            "record_status": statements.record_status,
            "record_history": statements.record_history,
            "add_history": statements.add_history,
            "trim_history_to": statements.trim_history_to,
            "claim": statements.claim,
            "finish_reply": statements.finish_reply,
            "finish_none": statements.finish_none,
            "record_call_event": statements.record_call_event,
            "touch_call": statements.touch_call,
        }
        if statements.record_status_and_history is not None:
            hot["record_status_and_history"] = statements.record_status_and_history
        self._compiled = {name: Compiled(stmt, dialect) for name, stmt in hot.items()}
        return engine

    # -- the hot path: the driver's connection and cursor ----------------------------------

    def _take(self) -> Any:
        """A DBAPI connection (SQLAlchemy's pooled one) in autocommit mode."""
        engine = self.engine()
        try:
            return self._idle.pop()
        except IndexError:
            pooled = engine.raw_connection()
            dbapi = pooled.dbapi_connection
            assert dbapi is not None
            engine.dialect.set_isolation_level(dbapi, "AUTOCOMMIT")
            if self.sqlite:  # held: _begin_immediate waits for the lock by itself
                dbapi.cursor().execute("PRAGMA busy_timeout = 0")
            return pooled

    def _give_back(self, pooled: Any, *, broken: bool = False) -> None:
        keep = IDLE_CONNECTIONS if self._given is None else 0
        if not broken and self._pid == os.getpid() and len(self._idle) < keep:
            self._idle.append(pooled)
            return
        try:
            dbapi = pooled.dbapi_connection
            assert dbapi is not None
            if self.sqlite:
                dbapi.cursor().execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            self._dialect.reset_isolation_level(dbapi)
            pooled.close()  # back to the pool, which rolls back anything left
        except Exception:
            pooled.invalidate()

    @contextmanager
    def _cursor(self, *, transaction: bool) -> Iterator[Any]:
        """A DBAPI cursor; *transaction*: in a write transaction (``BEGIN IMMEDIATE`` on
        SQLite, ``BEGIN`` on PostgreSQL), committed at the end; otherwise each statement
        commits by itself."""
        pooled = self._take()
        try:
            dbapi = pooled.dbapi_connection
            cursor = dbapi.cursor()
            if transaction:
                if self.sqlite:
                    _begin_immediate(dbapi, held=True)
                else:
                    cursor.execute("BEGIN")
                try:
                    yield cursor
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT")
            else:
                yield cursor
            cursor.close()
        except BaseException:
            self._give_back(pooled, broken=True)
            raise
        self._give_back(pooled)
        self._wrote()

    def _wrote(self) -> None:
        """Count a write; every :data:`SWEEP_EVERY` writes, start :meth:`maintain`."""
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0 and self._maintaining.acquire(blocking=False):
            threading.Thread(target=self._maintain, name="twhooks-sweep", daemon=True).start()

    def _maintain(self) -> None:
        try:
            self.maintain()
        except Exception:
            logger.exception("the SQL store could not delete expired rows")
        finally:
            self._maintaining.release()

    @_guarded
    def maintain(self) -> None:
        """Delete every expired row and, on SQLite, copy the WAL into the database (a passive
        checkpoint): what the store does in the background every :data:`SWEEP_EVERY` writes
        of a process, off the request path."""
        self.sweep()
        if self.sqlite:
            with self.engine().connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def _create_tables(self, engine: sa.Engine) -> None:
        with self._transaction(engine) as conn:
            if not self.sqlite:  # several workers may start at once
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(0x7477686F6F6B73)))
            self.tables.metadata.create_all(conn, checkfirst=True)
            schema = self.tables.schema
            found = conn.execute(
                sa.select(schema.c.version).where(schema.c.name == "twhooks")
            ).scalar()
            if found is None:
                conn.execute(schema.insert().values(name="twhooks", version=SCHEMA_VERSION))
            elif found > SCHEMA_VERSION:
                raise ConfigurationError(
                    f"TWHOOKS_STORE: the tables {self.tables.prefix}* were made by a newer "
                    f"twhooks (schema {found}; this one knows {SCHEMA_VERSION})"
                )

    @contextmanager
    def _transaction(self, engine: sa.Engine) -> Iterator[sa.Connection]:
        if not self.sqlite:
            with engine.begin() as conn:
                yield conn
            return
        with engine.connect() as conn:
            # IMMEDIATE takes the write lock first: two writers never deadlock upgrading.
            _begin_immediate(conn.connection.dbapi_connection)
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")

    @contextmanager
    def _write(self, *, single: bool = False) -> Iterator[sa.Connection]:
        """A write transaction; *single*: for one statement, atomic by itself, which PostgreSQL
        then runs without the round trips of BEGIN and COMMIT."""
        if single and not self.sqlite:
            with self.engine().connect() as conn:
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            with self._transaction(self.engine()) as conn:
                yield conn
        self._wrote()

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.engine().connect() as conn:
            yield conn

    @_guarded
    def sweep(self) -> None:
        """Delete every expired row now (done by itself every few hundred writes).

        Each ``DELETE`` finds its rows through an index (``expires_at``; a message's statuses
        through its SID), so the write lock is held for the expired rows only, however many
        live ones there are. A message's statuses go with it — those of an earlier generation
        too (when its SID came back after it expired: never read, they are deleted when it
        expires again).
        """
        now = time.time()
        m, h = self.tables.messages, self.tables.message_statuses
        expired = sa.select(m.c.sid).where(m.c.expires_at < now)
        with self._transaction(self.engine()) as conn:
            conn.execute(h.delete().where(h.c.sid.in_(expired)))
            for table in self.tables.expiring:
                conn.execute(table.delete().where(table.c.expires_at < now))

    def drop_tables(self) -> None:
        """Drop every table of this store (its data is lost)."""
        self.flush_history()
        self.tables.metadata.drop_all(self.engine())
        self.close()

    def close(self) -> None:
        try:
            self.flush_history()
        except StoreUnavailable:
            logger.exception("the webhook history could not be written")
        if self._pid == os.getpid():
            idle, self._idle = self._idle, []
            for pooled in idle:
                self._give_back(pooled, broken=True)
        if self._base is not None and self._given is None:
            self._base.dispose()
        self._engine = self._base = None
        self._pid = 0

    # -- replays ---------------------------------------------------------------------------

    @_guarded
    def claim(self, key: str, owner: str, lease: float) -> Reply | bool:
        for _ in range(5):
            now = time.time()
            params = {"p_key": key, "p_owner": owner, "p_expires": now + lease, "p_now": now}
            if self._hot_write("claim", params) == 1:
                return True
            with self._read() as conn:
                row = conn.execute(self.statements.claim_row, {"p_key": key}).first()
            if row is not None and row.expires_at > time.time():
                return _reply(row) if row.status is not None else False
            # Finished without a reply or expired between the two statements: try again.
        return False

    @_guarded
    def finish(self, key: str, owner: str, reply: Reply | None, ttl: float) -> None:
        if reply is None:
            self._hot_write("finish_none", {"p_key": key, "p_owner": owner})
            return
        params = {
            "p_key": key,
            "p_owner": owner,
            "p_expires": time.time() + ttl,
            "p_status": reply.status,
            "p_headers": json.dumps(reply.headers),
            "p_body": reply.body,
        }
        self._hot_write("finish_reply", params)

    @_guarded
    def wait(self, key: str, timeout: float) -> Reply | None:
        query, params = self.statements.claim_reply, {"p_key": key}

        def attempt() -> Reply | Pending | None:
            with self._read() as conn:
                row = conn.execute(query, params).first()
            if row is None or row.expires_at <= time.time():
                return None
            return _reply(row) if row.status is not None else PENDING

        result = poll(attempt, timeout)
        return result if isinstance(result, Reply) else None

    # -- conversations ---------------------------------------------------------------------

    @_guarded
    def load_conversation(self, key: str) -> ConversationRecord | None:
        with self._read() as conn:
            row = conn.execute(
                self.statements.load_conversation, {"p_key": key, "p_now": time.time()}
            ).first()
        if row is None:
            return None
        return ConversationRecord(key, row.state, json.loads(row.data), row.version, row.updated_at)

    @_guarded
    def save_conversation(
        self, key: str, state: str | None, data: Mapping[str, Any], version: int, ttl: float
    ) -> int | None:
        now = time.time()
        params = {
            "p_key": key,
            "p_state": state,
            "p_data": json.dumps(data),
            "p_version": version + 1,
            "p_now": now,
            "p_expires": now + ttl,
            "p_read_version": version,
        }
        # Version 0: new, or taking the place of an expired one.
        statements = self.statements
        stmt = statements.insert_conversation if version == 0 else statements.update_conversation
        with self._write(single=True) as conn:
            return version + 1 if _rows(conn, stmt, params) == 1 else None

    @_guarded
    def delete_conversation(self, key: str) -> None:
        with self._write(single=True) as conn:
            conn.execute(self.statements.delete_conversation, {"p_key": key})

    @_guarded
    def recent_conversations(self, limit: int) -> list[ConversationRecord]:
        t = self.tables.conversations
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t)
                .where(t.c.expires_at > time.time())
                .order_by(t.c.updated_at.desc())
                .limit(limit)
            ).all()
        return [
            ConversationRecord(r.key, r.state, json.loads(r.data), r.version, r.updated_at)
            for r in rows
        ]

    # -- deliveries ------------------------------------------------------------------------

    def _start_message(
        self,
        conn: sa.Connection,
        sid: str,
        to: str | None,
        from_: str | None,
        at: float,
        ttl: float,
    ) -> Any:
        """Make sure *sid* has a live row and lock it: insert one, or start afresh over an
        expired one (a new generation, so that the old history rows no longer count).

        :returns: the row as it is now (status, rank, generation, meta).
        """
        m = self.tables.messages
        now = time.time()
        fresh = {
            "status": None,
            "rank": -1,
            "error_code": None,
            "to": to,
            "from_": from_,
            "meta": "{}",
            "previous": None,
            "previous_rank": -1,
            "updated_at": at,
            "expires_at": at + ttl,
        }
        conn.execute(
            self._insert(m)
            .values(sid=sid, generation=0, **fresh)
            .on_conflict_do_update(
                index_elements=[m.c.sid],
                set_={**fresh, "generation": m.c.generation + 1},
                where=m.c.expires_at <= now,
            )
        )
        # Locked until commit (FOR UPDATE; SQLite already holds the write lock).
        return conn.execute(
            sa.select(m.c.status, m.c.rank, m.c.generation, m.c.meta)
            .where(m.c.sid == sid)
            .with_for_update()
        ).one()

    @_guarded
    def record_message_status(
        self,
        sid: str,
        status: str,
        *,
        error_code: str | None,
        to: str | None,
        from_: str | None,
        at: float,
        ttl: float,
    ) -> tuple[str | None, bool]:
        order = message_status_order(status)
        params = {
            "p_sid": sid,
            "p_status": status,
            "p_order": order,
            "p_error": error_code,
            "p_to": to,
            "p_from": from_,
            "p_at": at,
            "p_expires": at + ttl,
            "p_now": time.time(),
        }
        compiled = self._compiled if self._pid == os.getpid() else self._recompiled()
        if self.sqlite:
            with self._cursor(transaction=True) as cursor:
                previous, previous_rank, generation = (
                    compiled["record_status"].run(cursor, params).fetchone()
                )
                params["p_generation"] = generation
                compiled["record_history"].run(cursor, params)
        else:  # one statement, atomic by itself
            with self._cursor(transaction=False) as cursor:
                previous, previous_rank, _ = (
                    compiled["record_status_and_history"].run(cursor, params).fetchone()
                )
        return previous, order > previous_rank

    def _hot_write(self, name: str, params: dict[str, Any]) -> int:
        """Run one of the compiled statements, atomic by itself; how many rows it wrote."""
        compiled = self._compiled if self._pid == os.getpid() else self._recompiled()
        # SQLite: in BEGIN IMMEDIATE, whose wait for the lock is ours, not SQLite's.
        with self._cursor(transaction=self.sqlite) as cursor:
            return int(compiled[name].run(cursor, params).rowcount)

    def _recompiled(self) -> dict[str, Compiled]:
        self.engine()
        return self._compiled

    @_guarded
    def track_message(
        self,
        sid: str,
        *,
        to: str | None,
        from_: str | None,
        meta: Mapping[str, Any],
        at: float,
        ttl: float,
    ) -> None:
        m = self.tables.messages
        with self._write() as conn:
            row = self._start_message(conn, sid, to, from_, at, ttl)
            conn.execute(
                m.update()
                .where(m.c.sid == sid)
                .values(
                    to=sa.func.coalesce(to, m.c.to),
                    from_=sa.func.coalesce(from_, m.c.from_),
                    meta=json.dumps({**json.loads(row.meta), **meta}),
                    expires_at=at + ttl,
                )
            )

    def _delivery(self, row: Any, history: tuple[StatusChange, ...] = ()) -> Delivery:
        return Delivery(
            row.sid,
            row.status,
            row.error_code,
            row.to,
            row.from_,
            row.updated_at,
            history,
            json.loads(row.meta),
        )

    @_guarded
    def get_message(self, sid: str) -> Delivery | None:
        m, h = self.tables.messages, self.tables.message_statuses
        now = time.time()
        with self._read() as conn:
            row = conn.execute(
                sa.select(m).where((m.c.sid == sid) & (m.c.expires_at > now))
            ).first()
            if row is None:
                return None
            changes = conn.execute(
                sa.select(h.c.status, h.c.at, h.c.error_code).where(
                    (h.c.sid == sid) & (h.c.generation == row.generation)
                )
            ).all()
        history = sorted(
            (StatusChange(c.status, c.at, c.error_code) for c in changes),
            key=lambda c: (message_status_order(c.status), c.at),
        )
        return self._delivery(row, tuple(history))

    @_guarded
    def recent_messages(self, limit: int, status: str | None) -> list[Delivery]:
        m = self.tables.messages
        query = sa.select(m).where(m.c.expires_at > time.time())
        if status is not None:
            query = query.where(m.c.status == status)
        query = query.order_by(m.c.updated_at.desc()).limit(limit)
        with self._read() as conn:
            return [self._delivery(row) for row in conn.execute(query)]

    @_guarded
    def message_summary(self, since: float | None) -> dict[str, int]:
        m = self.tables.messages
        query = (
            sa.select(m.c.status, sa.func.count())
            .where(m.c.status.is_not(None) & (m.c.expires_at > time.time()))
            .group_by(m.c.status)
        )
        if since is not None:
            query = query.where(m.c.updated_at >= since)
        with self._read() as conn:
            return {row[0]: int(row[1]) for row in conn.execute(query)}

    # -- calls -----------------------------------------------------------------------------

    @_guarded
    def record_call_event(self, call_sid: str, event: CallEvent, ttl: float) -> bool:
        params = {
            "p_call_sid": call_sid,
            "p_kind": event.kind,
            "p_ident": event.ident,
            "p_order": event.order,
            "p_at": event.at,
            "p_params": json.dumps(dict(event.params)),
            "p_expires": time.time() + ttl,
        }
        compiled = self._compiled if self._pid == os.getpid() else self._recompiled()
        with self._cursor(transaction=True) as cursor:
            new: bool = compiled["record_call_event"].run(cursor, params).rowcount == 1
            compiled["touch_call"].run(cursor, params)
        return new

    @_guarded
    def call_events(self, call_sid: str) -> list[CallEvent]:
        t = self.tables.call_events
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t).where((t.c.call_sid == call_sid) & (t.c.expires_at > time.time()))
            ).all()
        return [CallEvent(r.kind, r.ident, r.order, r.at, json.loads(r.params)) for r in rows]

    # -- opt-outs and block list -----------------------------------------------------------

    def _live(self, table: sa.Table) -> sa.ColumnElement[bool]:
        return table.c.expires_at.is_(None) | (table.c.expires_at > time.time())

    @_guarded
    def set_opt_out(self, opt_out: OptOut, ttl: float | None) -> None:
        t = self.tables.opt_outs
        values = {
            "at": opt_out.at,
            "source": opt_out.source,
            "expires_at": None if ttl is None else opt_out.at + ttl,
        }
        with self._write(single=True) as conn:
            conn.execute(
                self._insert(t)
                .values(number=opt_out.number, sender=opt_out.sender, **values)
                .on_conflict_do_update(index_elements=[t.c.number, t.c.sender], set_=values)
            )

    @_guarded
    def clear_opt_out(self, number: str, sender: str | None) -> None:
        t = self.tables.opt_outs
        which = t.c.number == number
        if sender is not None:
            which &= t.c.sender.in_([sender, ""])
        with self._write(single=True) as conn:
            conn.execute(t.delete().where(which))

    @_guarded
    def opt_outs_of(self, number: str) -> list[OptOut]:
        t = self.tables.opt_outs
        with self._read() as conn:
            rows = conn.execute(sa.select(t).where((t.c.number == number) & self._live(t))).all()
        return [OptOut(r.number, r.sender, r.at, r.source) for r in rows]

    @_guarded
    def recent_opt_outs(self, limit: int) -> list[OptOut]:
        t = self.tables.opt_outs
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t).where(self._live(t)).order_by(t.c.at.desc()).limit(limit)
            ).all()
        return [OptOut(r.number, r.sender, r.at, r.source) for r in rows]

    @_guarded
    def block(self, number: str, at: float, ttl: float | None) -> None:
        t = self.tables.blocklist
        values = {"at": at, "expires_at": None if ttl is None else at + ttl}
        with self._write(single=True) as conn:
            conn.execute(
                self._insert(t)
                .values(number=number, **values)
                .on_conflict_do_update(index_elements=[t.c.number], set_=values)
            )

    @_guarded
    def unblock(self, number: str) -> None:
        t = self.tables.blocklist
        with self._write(single=True) as conn:
            conn.execute(t.delete().where(t.c.number == number))

    @_guarded
    def is_blocked(self, number: str) -> bool:
        with self._read() as conn:
            found = conn.execute(
                self.statements.is_blocked, {"p_number": number, "p_now": time.time()}
            ).first()
        return found is not None

    # -- webhook history -------------------------------------------------------------------

    def _history_params(self, record: HistoryRecord) -> dict[str, Any]:
        return {
            "p_at": record.at,
            "p_kind": record.kind,
            "p_verdict": record.verdict,
            "p_sid": record.sid,
            "p_from": _number(record.from_),
            "p_to": _number(record.to),
            "p_data": json.dumps(record.to_json()),
        }

    @_guarded
    def add_history(self, record: HistoryRecord, size: int) -> int:
        self.flush_history()  # ids in the order the records came
        with self._write() as conn:
            key = conn.execute(
                self.statements.add_history, self._history_params(record)
            ).inserted_primary_key
            id = int(key[0]) if key is not None else 0
            conn.execute(self.statements.trim_history, {"p_floor": id - size})
        return id

    def queue_history(self, record: HistoryRecord, size: int) -> None:
        """Store *record* with the next batch (see :mod:`twhooks.store.history_buffer`)."""
        self._history_buffer.add(record, size)

    @_guarded
    def flush_history(self) -> None:
        """Write the queued history records now."""
        self._history_buffer.flush()

    def _write_history(self, records: list[HistoryRecord], size: int) -> None:
        """One transaction for a batch of history records, then the history trimmed."""
        compiled = self._compiled if self._pid == os.getpid() else self._recompiled()
        add, trim = compiled["add_history"], compiled["trim_history_to"]
        rows = [add.params(self._history_params(r)) for r in records]  # before the lock
        with self._cursor(transaction=True) as cursor:
            cursor.executemany(add.sql, rows)
            trim.run(cursor, {"p_size": size})

    @_guarded
    def recent_history(
        self,
        limit: int,
        *,
        kind: str | None = None,
        verdict: str | None = None,
        number: str | None = None,
        sid: str | None = None,
    ) -> list[HistoryRecord]:
        t = self.tables.history
        query = sa.select(t.c.id, t.c.data)
        if kind is not None:
            query = query.where(t.c.kind == kind)
        if verdict is not None:
            query = query.where(t.c.verdict == verdict)
        if number is not None:
            n = _number(number)
            query = query.where((t.c.from_ == n) | (t.c.to == n))
        if sid is not None:
            query = query.where(t.c.sid == sid)
        self.flush_history()
        with self._read() as conn:
            rows = conn.execute(query.order_by(t.c.id.desc()).limit(limit)).all()
        return [_history(row.id, row.data) for row in rows]

    @_guarded
    def get_history(self, id: int) -> HistoryRecord | None:
        t = self.tables.history
        self.flush_history()
        with self._read() as conn:
            data = conn.execute(sa.select(t.c.data).where(t.c.id == id)).scalar()
        return None if data is None else _history(id, data)


def _rows(
    conn: sa.Connection, statement: sa.Executable, params: dict[str, Any] | None = None
) -> int:
    """How many rows *statement* wrote (kept for every statement, INSERT … ON CONFLICT too)."""
    options = {"preserve_rowcount": True}
    return int(conn.execute(statement, params, execution_options=options).rowcount)


def _number(address: str | None) -> str | None:
    return None if address is None else normalize_address(address)


def _history(id: int, data: str) -> HistoryRecord:
    record = HistoryRecord.from_json(json.loads(data))
    record.id = id
    return record


def _reply(row: Any) -> Reply:
    headers = [(str(k), str(v)) for k, v in json.loads(row.headers)]
    return Reply(row.status, headers, bytes(row.body))
