"""The SQLite store's connections and upkeep, on the standard library's :mod:`sqlite3`.

- **One connection per thread** of each process, opened on first use in that thread with
  the store's pragmas: ``journal_mode=WAL`` (readers never wait for the writer),
  ``synchronous=NORMAL`` (a commit writes the WAL without an fsync; a power cut may lose the
  last commits, never corrupt the file), ``journal_size_limit`` and ``wal_autocheckpoint``
  (below). A connection never crosses a fork: a child opens its own, and leaves the ones it
  inherited alone (never used, never closed: they are the parent's).
- **Autocommit**: each write on the request path is one statement that commits by itself
  (the claim, the reply); the few writes of several statements run in ``BEGIN IMMEDIATE``,
  which takes the write lock first so that two writers never deadlock upgrading.
- **Waiting for the write lock**: SQLite's own busy handler sleeps 1, 2, 5, 10… ms between
  tries, and with several workers writing that sleep, not the write, would set the pace. The
  threads of one process take turns on a lock of their own (the history thread's batch never
  makes a request sleep: the request is woken as soon as the batch commits); across
  processes, the connections have no busy timeout: a statement refused with ``SQLITE_BUSY``
  (nothing done) is tried again after 50 µs, doubling up to 1 ms, for at most
  :data:`BUSY_TIMEOUT` seconds.
- **Upkeep, off the request path**: every :data:`UPKEEP_EVERY` writes of a process, a daemon
  thread (which then waits :data:`UPKEEP_LINGER` seconds for the next upkeep, its connection
  open, before it ends) deletes the expired rows, :data:`SWEEP_BATCH` at a time (each batch a
  short transaction of its own, so request writes interleave; the claims among the
  :data:`CLAIMS_WINDOW` oldest, as they have no index on their expiry), then copies the WAL
  into the database (``wal_checkpoint(PASSIVE)``: it never waits for a writer). SQLite truncates the
  WAL file to :data:`JOURNAL_SIZE_LIMIT` when it starts it over; under writes that never
  pause, it never does, so once the file passes twice that size the upkeep waits (up to
  :data:`TRUNCATE_WAIT`) for the write lock and checkpoints it whole, truncating it
  (``wal_checkpoint(TRUNCATE)``). A commit checkpoints by itself only past
  :data:`AUTOCHECKPOINT_BYTES` of WAL, should the upkeep fall behind.
- **Small pages**: a new file is made with pages of :data:`PAGE_SIZE` bytes, not SQLite's 4
  KiB. Each of a webhook's two autocommit writes appends whole pages to the WAL (a leaf of
  the table and one of its key's index, at least), so smaller pages mean fewer bytes written
  and fewer for the checkpoints to copy: 6.5 KB of WAL a webhook against 16 KB (history
  included), and 15 to 32 µs less a webhook in-process (``docs/performance.rst``). A file
  made with other pages keeps them (SQLite cannot change them in WAL mode).
- **Errors**: :class:`sqlite3.Error` becomes :class:`~twhooks.store.StoreUnavailable`
  (:func:`guarded`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from ..exceptions import ConfigurationError
from .errors import StoreUnavailable, first_line, guard
from .sqlite_schema import create_tables, expiring

__all__ = [
    "AUTOCHECKPOINT_BYTES",
    "BUSY_TIMEOUT",
    "CLAIMS_WINDOW",
    "JOURNAL_SIZE_LIMIT",
    "PAGE_SIZE",
    "SWEEP_BATCH",
    "TRUNCATE_WAIT",
    "UPKEEP_EVERY",
    "UPKEEP_LINGER",
    "SQLiteConnections",
    "guarded",
]

logger = logging.getLogger("twhooks.store")

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="SQLiteConnections")

#: How long a statement waits for another connection's write lock, in seconds.
BUSY_TIMEOUT = 5.0
#: The upkeep (expired rows deleted, WAL checkpointed) runs once every this many writes of a
#: process.
UPKEEP_EVERY = 500
#: Expired rows deleted per transaction of the upkeep.
SWEEP_BATCH = 500
#: The WAL file is truncated to this many bytes when SQLite starts it over.
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024
#: A commit checkpoints by itself past this many bytes of pages in the WAL.
AUTOCHECKPOINT_BYTES = 16 * 1024 * 1024
#: The page size of a new database file, in bytes (see the module docstring).
PAGE_SIZE = 1024
#: When the WAL file has grown past twice :data:`JOURNAL_SIZE_LIMIT` (writes never paused
#: long enough for it to start over), the upkeep waits up to this long, in seconds, for the
#: write lock to checkpoint it whole and truncate it.
TRUNCATE_WAIT = 0.2
#: The upkeep deletes the expired claims among this many of the oldest (see :meth:`sweep`).
CLAIMS_WINDOW = 4 * SWEEP_BATCH
#: How long :meth:`close` waits for the background upkeep to end, at most.
UPKEEP_CLOSE_WAIT = 10.0
#: The upkeep's thread ends when it was not needed for this long, in seconds (the next
#: upkeep starts another). Until then it waits for the next one with its connection open:
#: a thread (and a connection, which reads the schema and prepares its statements again)
#: per upkeep cost more than the upkeep's work.
UPKEEP_LINGER = 5.0

_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referenced (a thread's, dropped when it ends)."""


#: Connections a forked child inherited: never used, never closed (they are the parent's).
_inherited: list[sqlite3.Connection] = []


def _failure(store: Any, exc: Exception) -> str | None:
    if not isinstance(exc, sqlite3.Error):
        return None
    return f"the SQLite store failed: {type(exc).__name__}: {first_line(exc)}"


#: Turn :class:`sqlite3.Error` into :class:`~twhooks.store.StoreUnavailable` (reported to
#: :mod:`twhooks.observability.store`, with the call, when traces or metrics are on).
guarded = guard(_failure)


def _busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY
    return "locked" in str(error)


def patiently(run: Callable[[], R]) -> R:
    """*run* (one statement, or ``BEGIN IMMEDIATE``), tried again while the database is busy
    (see the module docstring), for at most :data:`BUSY_TIMEOUT` seconds."""
    try:
        return run()
    except sqlite3.OperationalError as error:
        if not _busy(error):
            raise
    delay, deadline = 0.00005, time.monotonic() + BUSY_TIMEOUT
    while True:
        time.sleep(delay)
        delay = min(delay * 2, 0.001)
        try:
            return run()
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() > deadline:
                raise


class SQLiteConnections:
    """The connections and upkeep of the SQLite store in the file *path*;
    :class:`~twhooks.store.sqlite.SQLiteStore` adds the records.

    :param path: the database file (created, with its tables, if missing).
    :param prefix: put before every table name.
    """

    def __init__(self, path: str | os.PathLike[str], *, prefix: str = "twhooks_") -> None:
        if sqlite3.sqlite_version_info < (3, 35):
            raise ConfigurationError(
                f"TWHOOKS_STORE: the SQLite store needs SQLite 3.35 or later (RETURNING); "
                f"this Python has {sqlite3.sqlite_version}"
            )
        self.path = os.fspath(path)
        if not prefix.replace("_", "").isalnum():
            raise ConfigurationError(f"TWHOOKS_STORE: the table prefix {prefix!r} is not a name")
        self.prefix = prefix
        self._local = threading.local()
        # Every thread's, for close(); a thread's goes (and closes) when the thread ends.
        self._opened: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._writes = 0
        # Held from an upkeep's start to its end; its thread (and the event that wakes it)
        # stays for UPKEEP_LINGER seconds after, for the next.
        self._upkeep = threading.Lock()
        self._upkeep_thread: threading.Thread | None = None
        self._upkeep_due = threading.Event()
        # Held by this process's writer: its threads (a request, the history batch, the
        # upkeep) take turns here, woken at once, instead of sleeping on SQLITE_BUSY.
        self._writer = threading.Lock()
        self._created = False
        self.connection()  # the file and its tables now: a bad path fails at startup

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    # -- connections -----------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened (and the tables created) on first use."""
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            return conn
        return self._open()

    def _open(self) -> sqlite3.Connection:
        pid = os.getpid()
        with self._lock:
            if self._pid != pid:  # forked: what the parent opened is not ours
                _inherited.extend(self._opened)
                self._opened = weakref.WeakSet()
                self._pid = pid
                self._upkeep = threading.Lock()
                self._upkeep_thread, self._upkeep_due = None, threading.Event()
                self._writer = threading.Lock()
                self._forked()
        try:
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                cached_statements=256,
                factory=_Connection,
            )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"the SQLite store cannot open {self.path!r}: {exc}") from exc
        try:
            conn.execute("PRAGMA busy_timeout = 0")  # we wait for locks ourselves
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a new, empty file only
            patiently(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
            (page_size,) = conn.execute("PRAGMA page_size").fetchone()
            pages = AUTOCHECKPOINT_BYTES // page_size
            conn.execute(f"PRAGMA wal_autocheckpoint = {pages}")
            if not self._created:
                with self._transaction(conn):
                    create_tables(conn, self.prefix)
                self._created = True
        except BaseException:
            conn.close()
            raise
        with self._lock:
            self._opened.add(conn)
        self._local.conn, self._local.pid = conn, pid
        return conn

    def _forked(self) -> None:
        """Called in a forked child before its first connection (caches to drop)."""

    @contextmanager
    def _transaction(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` (waiting for the lock as every statement
        does), committed at the end, rolled back on error."""
        conn = conn if conn is not None else self.connection()
        with self._writer:
            patiently(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """:meth:`_transaction`, counted for the upkeep."""
        with self._transaction() as conn:
            yield conn
        self._wrote()

    def _execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        """One statement that commits by itself (autocommit), counted for the upkeep."""
        conn = self.connection()
        with self._writer:
            cursor = patiently(lambda: conn.execute(sql, params))
        self._wrote()
        return cursor

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of a read (a snapshot of its own in WAL mode)."""
        conn = self.connection()
        return patiently(lambda: conn.execute(sql, params).fetchall())

    # -- upkeep ----------------------------------------------------------------------------

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes % UPKEEP_EVERY == 0 and self._upkeep.acquire(blocking=False):
            with self._lock:  # the thread decides to end under this lock too
                self._upkeep_due.set()
                if self._upkeep_thread is not None:
                    return  # waiting for it: it runs the upkeep
                thread = threading.Thread(
                    target=self._run_upkeep, name="twhooks-sqlite", daemon=True
                )
                self._upkeep_thread = thread
            thread.start()

    def _run_upkeep(self) -> None:
        """The upkeep's thread: an upkeep each time :meth:`_wrote` asks (with
        :attr:`_upkeep` held), until none was asked for :data:`UPKEEP_LINGER` seconds."""
        due = self._upkeep_due
        try:
            while True:
                if not due.wait(UPKEEP_LINGER):
                    with self._lock:
                        if not due.is_set():  # decided under the lock _wrote takes
                            self._upkeep_thread = None  # the next upkeep starts another
                            return
                due.clear()
                try:
                    self.maintain()
                except Exception:
                    logger.exception("the SQLite store could not delete expired rows")
                finally:
                    self._upkeep.release()
        finally:
            with self._lock:  # (ended by an error)
                if self._upkeep_thread is threading.current_thread():
                    self._upkeep_thread = None
            self._close_thread()

    def _close_thread(self) -> None:
        """Close this thread's connection (a thread that ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            return
        self._local.conn = None
        with self._lock:
            self._opened.discard(conn)
        conn.close()

    @guarded
    def maintain(self) -> None:
        """Delete the expired rows, then checkpoint the WAL (passively): what the store does
        in the background every :data:`UPKEEP_EVERY` writes of a process."""
        self.sweep()
        conn = self.connection()
        try:
            wal = os.path.getsize(f"{self.path}-wal")
        except OSError:
            wal = 0
        if wal <= 2 * JOURNAL_SIZE_LIMIT:
            patiently(lambda: conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall())
            return
        # Under steady writes a passive checkpoint never lets SQLite start the WAL over: wait
        # (briefly) for the write lock, copy what is left and truncate the file.
        conn.execute(f"PRAGMA busy_timeout = {int(TRUNCATE_WAIT * 1000)}")
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            conn.execute("PRAGMA busy_timeout = 0")

    @guarded
    def sweep(self) -> None:
        """Delete every expired row now, :data:`SWEEP_BATCH` rows per transaction.

        A message's statuses go with it (those of earlier generations too). Claims are
        looked for among the :data:`CLAIMS_WINDOW` oldest, which the expired ones are: a
        claim still held (a long handler's, renewed) stays among them until it ends, and
        more than that many held at once would hold back the sweep of the claims until the
        first of them end (at most :data:`~twhooks.store.renewal.MAX_HOLD`).
        """
        now, p = time.time(), self.prefix
        by_expiry = "SELECT rowid FROM {t} WHERE expires_at < ? LIMIT " + str(SWEEP_BATCH)
        # Claims have no index on expires_at: the expired among the oldest CLAIMS_WINDOW
        # rows, in the order they were made (replies all live as long, so the oldest expire
        # first). Looking further, past the live ones, read the whole table — tens of
        # thousands of rows under load, with the write lock held — on every upkeep.
        by_age = (
            f"SELECT rowid FROM (SELECT rowid, expires_at FROM {p}claims ORDER BY rowid "
            f"LIMIT {CLAIMS_WINDOW}) WHERE expires_at < ? LIMIT "
        )
        statuses = (
            f"DELETE FROM {p}message_statuses WHERE sid IN (SELECT sid FROM {p}messages "
            f"WHERE expires_at < ? LIMIT {SWEEP_BATCH})"
        )
        for table in expiring(p):
            rows = by_age + str(SWEEP_BATCH) if table == f"{p}claims" else by_expiry
            delete = f"DELETE FROM {table} WHERE rowid IN ({rows.format(t=table)})"
            while True:
                with self._transaction() as conn:
                    if table == f"{p}messages":
                        conn.execute(statuses, (now,))
                    deleted = conn.execute(delete, (now,)).rowcount
                if deleted < SWEEP_BATCH:
                    break

    def close(self) -> None:
        """Close this process's connections (the store opens them again on next use).

        It waits for the background upkeep first, and closes while no write runs: a
        connection closed while another thread runs a statement on it crashes the process.
        """
        upkeep_done = self._upkeep.acquire(timeout=UPKEEP_CLOSE_WAIT)
        try:
            with self._lock:
                opened, self._opened = list(self._opened), weakref.WeakSet()
                mine = self._pid == os.getpid()
            if mine:
                with self._writer:
                    for conn in opened:
                        with contextlib.suppress(sqlite3.Error):
                            conn.close()
            else:
                _inherited.extend(opened)
            # Before the upkeep may run again: its thread, waiting for the next, then opens
            # a new connection rather than use the closed one.
            self._local = threading.local()
        finally:
            if upkeep_done:
                self._upkeep.release()
