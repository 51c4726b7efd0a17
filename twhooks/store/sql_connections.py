"""The SQL store's connections and upkeep, under :class:`~twhooks.store.sql.SQLStore`.

- **One engine per process**, created (and the tables with it) on first use, and again after a
  fork: a store made before a server forks its workers (gunicorn's ``--preload``) never shares
  a connection across the fork.
- **The hot path's connections**: a few DBAPI connections kept checked out between two uses
  (a pool checkout and its reset cost as much as SQLite's write), and the hot statements
  compiled once per dialect (:mod:`twhooks.store.sql_raw`).
- **Write locks**: SQLite's ``BEGIN IMMEDIATE``, waiting for another process's lock in short
  steps of our own; PostgreSQL's plain ``BEGIN``.
- **Upkeep**: expired rows swept and SQLite's WAL checkpointed in the background every
  :data:`SWEEP_EVERY` writes.
- **Errors**: the backend's, SQLAlchemy's and the driver's, become
  :class:`~twhooks.store.StoreUnavailable` (:func:`guarded`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..exceptions import ConfigurationError
from .errors import first_line, guard
from .sql_raw import Compiled
from .sql_schema import SCHEMA_VERSION, Tables
from .sql_statements import Statements
from .sqlite_connections import patiently

__all__ = ["SQLConnections", "guarded"]

logger = logging.getLogger("twhooks.store")

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="SQLConnections")

#: Expired rows are deleted once every this many writes of a process.
SWEEP_EVERY = 500
#: How long an SQLite writer waits for another's lock, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 5000
#: SQLite's WAL is copied into the database (a checkpoint, with its fsyncs) by the store in
#: the background every :data:`SWEEP_EVERY` writes; a commit does it itself only past this
#: many pages in the WAL (4 KiB each).
SQLITE_AUTOCHECKPOINT_PAGES = 10000


def _failure(store: Any, exc: Exception) -> str | None:
    if not isinstance(exc, (sa.exc.SQLAlchemyError, *store.dbapi_errors)):
        return None
    detail = first_line(getattr(exc, "orig", None) or exc)
    return f"the SQL store failed: {type(exc).__name__}: {detail}"


#: Turn the backend's errors into :class:`~twhooks.store.StoreUnavailable` (reported to
#: :mod:`twhooks.observability.store`, with the call, when traces or metrics are on).
guarded = guard(_failure)


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
    # Two workers opening a new file at once: SQLite refuses the second's change of journal
    # mode with SQLITE_BUSY at once, without its busy handler; try again, as the stdlib store.
    patiently(lambda: cursor.execute("PRAGMA journal_mode = WAL"))
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    """The store checkpoints in the background (see :meth:`SQLStore.maintain`); a commit does
    only past this bound, should that fall behind. (Not set on an app's own engine, whose
    other writers may rely on SQLite's default.)"""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_AUTOCHECKPOINT_PAGES}")
    cursor.close()


class SQLConnections:
    """The engine, connections and upkeep of an SQL store in an SQLite or PostgreSQL
    database; :class:`~twhooks.store.sql.SQLStore` adds the records.

    :param bind: a database URL or an :class:`~sqlalchemy.engine.Engine` of the app's own.
    :param prefix: put before every table name.
    """

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
        self.statements = Statements(
            self.tables,
            self._insert,
            supports_dml_cte=not self.sqlite,
            unflushed_claims=self.url.get_backend_name() == "postgresql",
        )
        self._engine: sa.Engine | None = None
        self._compiled: dict[str, Compiled] = {}
        # DBAPI connections of this process kept between two hot writes (a pool checkout and
        # its reset cost as much as SQLite's write).
        self._idle: list[Any] = []
        self._base: sa.Engine | None = None  # before execution options
        self._pid = 0
        self._init_lock = threading.Lock()
        self._writes = 0
        self._maintaining = threading.Lock()
        #: The errors :func:`guarded` turns into :class:`~twhooks.store.StoreUnavailable`
        #: besides SQLAlchemy's: the driver's own (the hot statements run on its cursor).
        self.dbapi_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

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
        error = getattr(dialect.loaded_dbapi, "Error", None)
        if (
            isinstance(error, type)
            and issubclass(error, BaseException)
            and not issubclass(error, self.dbapi_errors)
        ):
            self.dbapi_errors = (*self.dbapi_errors, error)
        statements = self.statements
        hot = {
            "record_status": statements.record_status,
            "record_history": statements.record_history,
            "add_history": statements.add_history,
            "trim_history_to": statements.trim_history_to,
            "claim": statements.claim,
            "finish_reply": statements.finish_reply,
            "finish_none": statements.finish_none,
            "renew": statements.renew,
            "record_call_event": statements.record_call_event,
            "touch_call": statements.touch_call,
            "furthest_status": statements.furthest_status,
            "settle_failed": statements.settle_failed,
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

    def _hot(self) -> dict[str, Compiled]:
        """The hot statements compiled for this process's engine."""
        if self._pid != os.getpid():
            self.engine()
        return self._compiled

    def _hot_write(self, name: str, params: dict[str, Any]) -> int:
        """Run one of the compiled statements, atomic by itself; how many rows it wrote."""
        # SQLite: in BEGIN IMMEDIATE, whose wait for the lock is ours, not SQLite's.
        with self._cursor(transaction=self.sqlite) as cursor:
            return int(self._hot()[name].run(cursor, params).rowcount)

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

    @guarded
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

    @guarded
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

    def close(self) -> None:
        """Release this process's connections (the store opens them again on next use)."""
        if self._pid == os.getpid():
            idle, self._idle = self._idle, []
            for pooled in idle:
                self._give_back(pooled, broken=True)
        if self._base is not None and self._given is None:
            self._base.dispose()
        self._engine = self._base = None
        self._pid = 0
