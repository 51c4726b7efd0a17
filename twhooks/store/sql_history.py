"""The webhook history of the SQL store, under :class:`~twhooks.store.sql.SQLStore`.

A record is written with the next batch (:mod:`twhooks.store.history_buffer`): one
transaction of compiled inserts on the driver's cursor, then the history of each kind written
trimmed to its size (each kind has room of its own).
Reading writes the queued records first, so that the newest are seen; a record is found by
kind, verdict, number (either end, normalized) or SID through the table's indexed columns.

The dead letters (:mod:`twhooks.store.dead_letters`) are one table by key: a failure is one
``INSERT … ON CONFLICT`` that counts the attempt, then the table trimmed to its size; the
history records of requests that succeeded take theirs off in the same batch.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import sqlalchemy as sa

from .errors import StoreUnavailable
from .history_buffer import HistoryBuffer
from .keys import normalize_address
from .records import FailedWebhook, HistoryRecord
from .sql_connections import SQLConnections, guarded
from .sql_raw import Compiled

__all__ = ["SQLHistory"]

logger = logging.getLogger("twhooks.store")

#: The most rows one ``INSERT`` of a history batch carries.
HISTORY_CHUNK = 64


def _chunk(left: int) -> int:
    """How many of the *left* rows the next ``INSERT`` carries: :data:`HISTORY_CHUNK`, or
    the largest power of two that fits (a few statement shapes, each compiled once)."""
    size = HISTORY_CHUNK
    while size > left:
        size //= 2
    return size


class SQLHistory(SQLConnections):
    """An SQL store's connections with its webhook history (see the module docstring)."""

    def __init__(self, bind: str | sa.URL | sa.Engine, *, prefix: str = "twhooks_") -> None:
        super().__init__(bind, prefix=prefix)
        self._history_buffer = HistoryBuffer(self._write_history)
        self._history_inserts: dict[tuple[int, int], Compiled] = {}

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
        super().close()

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

    @guarded
    def add_history(self, record: HistoryRecord, size: int) -> int:
        self.flush_history()  # ids in the order the records came
        with self._write() as conn:
            key = conn.execute(
                self.statements.add_history, self._history_params(record)
            ).inserted_primary_key
            id = int(key[0]) if key is not None else 0
            conn.execute(self.statements.trim_history_to, {"p_kind": record.kind, "p_size": size})
            if record.failure_key is not None:
                conn.execute(self.statements.settle_failed, _settles(record))
        return id

    def queue_history(self, record: HistoryRecord, size: int) -> None:
        """Store *record* with the next batch (see :mod:`twhooks.store.history_buffer`)."""
        self._history_buffer.add(record, size)

    @guarded
    def flush_history(self) -> None:
        """Write the queued history records now."""
        self._history_buffer.flush()

    def _write_history(self, records: list[HistoryRecord], size: int) -> None:
        """One transaction for a batch of history records, then the history of each of their
        kinds trimmed.

        The rows go in with one multi-row ``INSERT`` per :data:`HISTORY_CHUNK` (then 32, 16,
        … 1) rows, in order: ``executemany`` ran the statement once per row, and each run let
        go of the GIL (a round trip, or a step of SQLite) and took it back from the requests
        of the process — on PostgreSQL a batch of a hundred then cost the requests beside it
        ten times what it cost itself. On PostgreSQL the transaction commits without waiting
        for its WAL to reach the disk (``SET LOCAL synchronous_commit = off``): what a crash
        of the database server (not of the app) can lose is the last few hundred
        milliseconds of history rows, never a claim, a reply, a delivery or a conversation,
        which commit as before.
        """
        compiled = self._hot()
        trim, settle = compiled["trim_history_to"], compiled["settle_failed"]
        settled = [settle.params(_settles(r)) for r in records if r.failure_key is not None]
        params = [self._history_params(r) for r in records]
        chunks = []  # before the lock
        start = 0
        while start < len(params):
            count = _chunk(len(params) - start)
            add = self._history_insert(count)
            values = {f"{k}_{i}": v for i in range(count) for k, v in params[start + i].items()}
            chunks.append((add, add.params(values)))
            start += count
        kinds = sorted({r.kind for r in records}, key=lambda k: k or "")
        with self._cursor(transaction=True) as cursor:
            if self.url.get_backend_name() == "postgresql":
                cursor.execute("SET LOCAL synchronous_commit = off")
            for add, values in chunks:
                cursor.execute(add.sql, values)
            for kind in kinds:
                trim.run(cursor, {"p_kind": kind, "p_size": size})
            if settled:  # the dead letters of requests that succeeded
                cursor.executemany(settle.sql, settled)

    def _history_insert(self, count: int) -> Compiled:
        """The ``INSERT`` of *count* history rows, compiled for this store's dialect; its
        parameters are ``add_history``'s, suffixed ``_0``, ``_1``…"""
        self._hot()  # this process's engine
        key = (os.getpid(), count)
        found = self._history_inserts.get(key)
        if found is None:
            t = self.tables.history
            rows = [
                {
                    "at": sa.bindparam(f"p_at_{i}"),
                    "kind": sa.bindparam(f"p_kind_{i}", type_=t.c.kind.type),
                    "verdict": sa.bindparam(f"p_verdict_{i}"),
                    "sid": sa.bindparam(f"p_sid_{i}", type_=t.c.sid.type),
                    "from_": sa.bindparam(f"p_from_{i}", type_=t.c.from_.type),
                    "to": sa.bindparam(f"p_to_{i}", type_=t.c.to.type),
                    "data": sa.bindparam(f"p_data_{i}"),
                }
                for i in range(count)
            ]
            found = Compiled(t.insert().values(rows), self.engine().dialect)
            self._history_inserts[key] = found
        return found

    @guarded
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

    @guarded
    def get_history(self, id: int) -> HistoryRecord | None:
        t = self.tables.history
        self.flush_history()
        with self._read() as conn:
            data = conn.execute(sa.select(t.c.data).where(t.c.id == id)).scalar()
        return None if data is None else _history(id, data)

    # -- dead letters ----------------------------------------------------------------------

    @guarded
    def add_failed(self, record: FailedWebhook, size: int, ttl: float) -> None:
        t = self.tables.failed
        now = time.time()
        values = {
            "last_at": record.last_at,
            "data": json.dumps(record.to_json()),
            "expires_at": record.last_at + ttl,
        }
        newest = sa.select(t.c.key).order_by(t.c.last_at.desc()).offset(size)
        with self._write() as conn:
            conn.execute(
                self._insert(t)
                .values(key=record.key, at=record.at, attempts=1, **values)
                .on_conflict_do_update(
                    index_elements=[t.c.key], set_={**values, "attempts": t.c.attempts + 1}
                )
            )
            conn.execute(t.delete().where(t.c.expires_at <= now))
            conn.execute(t.delete().where(t.c.key.in_(newest.scalar_subquery())))

    @guarded
    def failed_webhooks(self, limit: int) -> list[FailedWebhook]:
        self.flush_history()  # the successes queued in this process take theirs off first
        t = self.tables.failed
        query = sa.select(t.c.at, t.c.attempts, t.c.data).where(t.c.expires_at > time.time())
        with self._read() as conn:
            rows = conn.execute(query.order_by(t.c.last_at.desc()).limit(limit)).all()
        return [_failed(row) for row in rows]

    @guarded
    def get_failed(self, key: str) -> FailedWebhook | None:
        self.flush_history()
        t = self.tables.failed
        query = sa.select(t.c.at, t.c.attempts, t.c.data).where(
            (t.c.key == key) & (t.c.expires_at > time.time())
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return None if row is None else _failed(row)

    @guarded
    def remove_failed(self, key: str) -> bool:
        t = self.tables.failed
        # Read first: the webhooks that succeed (nearly all) then take no write lock.
        with self._read() as conn:
            if conn.execute(sa.select(t.c.key).where(t.c.key == key)).first() is None:
                return False
        with self._write() as conn:
            return bool(conn.execute(t.delete().where(t.c.key == key)).rowcount)


def _settles(record: HistoryRecord) -> dict[str, Any]:
    return {"p_key": record.failure_key, "p_at": record.at}


def _failed(row: Any) -> FailedWebhook:
    record = FailedWebhook.from_json(json.loads(row.data))
    record.at, record.attempts = row.at, row.attempts
    return record


def _number(address: str | None) -> str | None:
    return None if address is None else normalize_address(address)


def _history(id: int, data: str) -> HistoryRecord:
    record = HistoryRecord.from_json(json.loads(data))
    record.id = id
    return record
