"""The SQLite store on the standard library's :mod:`sqlite3`: the default store.

The same records and behaviour as :class:`~twhooks.store.sql.SQLStore` on SQLite, in the same
tables (a file of twhooks 0.2 opens unchanged), without SQLAlchemy: each operation is one or a
few prepared statements (:mod:`sqlite3` keeps them prepared, by their SQL, per connection).

On the request path of a webhook with an idempotency token, the store writes twice, one
autocommit statement each: the claim before the handler, its completion with the reply's
bytes after. Everything else is off that path or costs no query: the webhook history is written
in batches by a thread (:mod:`twhooks.store.history_buffer`); the block-list and opt-out checks
read a copy refreshed only when the table changed (:mod:`twhooks.store.sqlite_cache`); expired
rows are swept and the WAL checkpointed in the background
(:mod:`twhooks.store.sqlite_connections`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any, NamedTuple, cast

from ..replies import Reply
from .errors import StoreUnavailable
from .history_buffer import HistoryBuffer
from .keys import normalize_address
from .polling import PENDING, Pending, poll
from .records import (
    CallEvent,
    ConversationRecord,
    Delivery,
    FailedWebhook,
    HistoryRecord,
    OptOut,
    StatusChange,
    message_status_order,
)
from .sqlite_cache import StampedTable, live
from .sqlite_connections import SQLiteConnections, guarded

__all__ = ["SQLiteStore"]

logger = logging.getLogger("twhooks.store")

_BlockRows = dict[str, Any]  # number -> expires_at
_OptOutRows = dict[str, list[tuple[str, float, str, Any]]]  # number -> (sender, at, source, exp)


class SQLiteStore(SQLiteConnections):
    """A :class:`~twhooks.store.Store` in an SQLite file, on the standard library's
    :mod:`sqlite3` (what ``TWHOOKS_STORE`` unset and ``sqlite:///path`` open).

    :param path: the database file (created, with its tables, if missing).
    :param prefix: put before every table name.
    """

    #: Its calls wait on the disk and on other workers' write lock: an event loop makes them
    #: from a worker thread.
    blocking = True

    def __init__(self, path: str | os.PathLike[str], *, prefix: str = "twhooks_") -> None:
        p = prefix
        self._sql = _statements(p)
        self._blocked: StampedTable[Any] = StampedTable(
            lambda: self._stamp("blocklist"), self._load_blocklist
        )
        self._opted_out: StampedTable[list[tuple[str, float, str, Any]]] = StampedTable(
            lambda: self._stamp("opt_outs"), self._load_opt_outs
        )
        self._history_buffer = HistoryBuffer(self._write_history)
        super().__init__(path, prefix=p)

    # -- replays ---------------------------------------------------------------------------

    @guarded
    def claim(self, key: str, owner: str, lease: float) -> Reply | bool:
        sql = self._sql
        for _ in range(5):
            now = time.time()
            if self._execute(sql["claim"], (key, owner, now + lease, now)).rowcount == 1:
                return True
            rows = self._query(sql["claim_row"], (key,))
            if rows and rows[0][0] > time.time():
                return _reply(rows[0]) if rows[0][1] is not None else False
            # Finished without a reply or expired between the two statements: try again.
        return False

    @guarded
    def finish(self, key: str, owner: str, reply: Reply | None, ttl: float) -> None:
        if reply is None:
            self._execute(self._sql["finish_none"], (key, owner))
            return
        headers = json.dumps(reply.headers, separators=(",", ":"))
        params = (time.time() + ttl, reply.status, headers, reply.body, key, owner)
        self._execute(self._sql["finish_reply"], params)

    @guarded
    def renew(self, key: str, owner: str, lease: float) -> bool:
        now = time.time()
        return self._execute(self._sql["renew"], (now + lease, key, owner, now)).rowcount == 1

    @guarded
    def wait(self, key: str, timeout: float) -> Reply | None:
        sql = self._sql["claim_row"]

        def attempt() -> Reply | Pending | None:
            rows = self._query(sql, (key,))
            if not rows or rows[0][0] <= time.time():
                return None
            return _reply(rows[0]) if rows[0][1] is not None else PENDING

        result = poll(attempt, timeout)
        return result if isinstance(result, Reply) else None

    # -- conversations ---------------------------------------------------------------------

    @guarded
    def load_conversation(self, key: str) -> ConversationRecord | None:
        rows = self._query(self._sql["load_conversation"], (key, time.time()))
        if not rows:
            return None
        state, data, version, updated_at = rows[0]
        return ConversationRecord(key, state, json.loads(data), version, updated_at)

    @guarded
    def save_conversation(
        self, key: str, state: str | None, data: Mapping[str, Any], version: int, ttl: float
    ) -> int | None:
        now = time.time()
        params = {
            "key": key,
            "state": state,
            "data": json.dumps(data),
            "version": version + 1,
            "now": now,
            "expires": now + ttl,
            "read_version": version,
        }
        # Version 0: new, or taking the place of an expired one.
        sql = self._sql["insert_conversation" if version == 0 else "update_conversation"]
        return version + 1 if self._execute(sql, params).rowcount == 1 else None

    @guarded
    def delete_conversation(self, key: str) -> None:
        self._execute(f'DELETE FROM {self.prefix}conversations WHERE "key" = ?', (key,))

    @guarded
    def recent_conversations(self, limit: int) -> list[ConversationRecord]:
        rows = self._query(
            f'SELECT "key", state, data, version, updated_at FROM {self.prefix}conversations '
            f"WHERE expires_at > ? ORDER BY updated_at DESC LIMIT ?",
            (time.time(), limit),
        )
        return [ConversationRecord(k, s, json.loads(d), v, u) for k, s, d, v, u in rows]

    # -- deliveries ------------------------------------------------------------------------

    @guarded
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
            "sid": sid,
            "status": status,
            "order": order,
            "error": error_code,
            "to": to,
            "from": from_,
            "at": at,
            "expires": at + ttl,
            "now": time.time(),
        }
        with self._write() as conn:
            (previous, previous_rank, generation), *_ = conn.execute(
                self._sql["record_status"], params
            ).fetchall()
            history = (sid, status, at, error_code, generation)
            conn.execute(self._sql["record_history"], history)
        return previous, order > previous_rank

    @guarded
    def furthest_status(self, sid: str) -> str | None:
        """The furthest status of message *sid* (``None``: unknown, or only tracked)."""
        rows = self._query(
            f"SELECT status FROM {self.prefix}messages WHERE sid = ? AND expires_at > ?",
            (sid, time.time()),
        )
        return rows[0][0] if rows else None

    @guarded
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
        m = f"{self.prefix}messages"
        params = {"sid": sid, "to": to, "from": from_, "at": at, "expires": at + ttl}
        with self._write() as conn:
            conn.execute(self._sql["start_message"], {**params, "now": time.time()})
            (found,), *_ = conn.execute(f"SELECT meta FROM {m} WHERE sid = ?", (sid,)).fetchall()
            params["meta"] = json.dumps({**json.loads(found), **meta})
            conn.execute(
                f'UPDATE {m} SET "to" = coalesce(:to, "to"), from_ = coalesce(:from, from_), '
                f"meta = :meta, expires_at = :expires WHERE sid = :sid",
                params,
            )

    @guarded
    def get_message(self, sid: str) -> Delivery | None:
        p = self.prefix
        rows = self._query(
            f"SELECT {_MESSAGE}, generation FROM {p}messages WHERE sid = ? AND expires_at > ?",
            (sid, time.time()),
        )
        if not rows:
            return None
        row = rows[0]
        changes = self._query(
            f"SELECT status, at, error_code FROM {p}message_statuses "
            f"WHERE sid = ? AND generation = ?",
            (sid, row[-1]),
        )
        history = sorted(
            (StatusChange(s, a, e) for s, a, e in changes),
            key=lambda c: (message_status_order(c.status), c.at),
        )
        return _delivery(row, tuple(history))

    @guarded
    def recent_messages(self, limit: int, status: str | None) -> list[Delivery]:
        where, params = "expires_at > ?", list[Any]([time.time()])
        if status is not None:
            where += " AND status = ?"
            params.append(status)
        rows = self._query(
            f"SELECT {_MESSAGE} FROM {self.prefix}messages WHERE {where} "
            f"ORDER BY updated_at DESC LIMIT ?",
            (*params, limit),
        )
        return [_delivery(row) for row in rows]

    @guarded
    def message_summary(self, since: float | None) -> dict[str, int]:
        where, params = "status IS NOT NULL AND expires_at > ?", [time.time()]
        if since is not None:
            where += " AND updated_at >= ?"
            params.append(since)
        rows = self._query(
            f"SELECT status, count(*) FROM {self.prefix}messages WHERE {where} GROUP BY status",
            params,
        )
        return {status: int(count) for status, count in rows}

    # -- calls -----------------------------------------------------------------------------

    @guarded
    def record_call_event(self, call_sid: str, event: CallEvent, ttl: float) -> bool:
        e = f"{self.prefix}call_events"
        expires = time.time() + ttl
        with self._write() as conn:
            new = (
                conn.execute(
                    f'INSERT INTO {e} (call_sid, kind, ident, "order", at, params, expires_at) '
                    f"VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (
                        call_sid,
                        event.kind,
                        event.ident,
                        event.order,
                        event.at,
                        json.dumps(dict(event.params)),
                        expires,
                    ),
                ).rowcount
                == 1
            )
            conn.execute(f"UPDATE {e} SET expires_at = ? WHERE call_sid = ?", (expires, call_sid))
        return new

    @guarded
    def call_events(self, call_sid: str) -> list[CallEvent]:
        rows = self._query(
            f'SELECT kind, ident, "order", at, params FROM {self.prefix}call_events '
            f"WHERE call_sid = ? AND expires_at > ?",
            (call_sid, time.time()),
        )
        return [CallEvent(k, i, o, a, json.loads(p)) for k, i, o, a, p in rows]

    # -- opt-outs and block list -----------------------------------------------------------

    def _stamp(self, table: str) -> int | None:
        rows = self._query(f"SELECT version FROM {self.prefix}stamps WHERE name = ?", (table,))
        return int(rows[0][0]) if rows else None

    def _load_blocklist(self, limit: int) -> _BlockRows | None:
        rows = self._query(
            f"SELECT number, expires_at FROM {self.prefix}blocklist LIMIT ?", (limit + 1,)
        )
        return dict(rows) if len(rows) <= limit else None

    def _load_opt_outs(self, limit: int) -> _OptOutRows | None:
        rows = self._query(
            f"SELECT number, sender, at, source, expires_at FROM {self.prefix}opt_outs LIMIT ?",
            (limit + 1,),
        )
        if len(rows) > limit:
            return None
        found: _OptOutRows = {}
        for number, sender, at, source, expires_at in rows:
            found.setdefault(number, []).append((sender, at, source, expires_at))
        return found

    @guarded
    def set_opt_out(self, opt_out: OptOut, ttl: float | None) -> None:
        expires = None if ttl is None else opt_out.at + ttl
        self._execute(
            f"INSERT INTO {self.prefix}opt_outs (number, sender, at, source, expires_at) "
            f"VALUES (?, ?, ?, ?, ?) ON CONFLICT (number, sender) DO UPDATE SET "
            f"at = excluded.at, source = excluded.source, expires_at = excluded.expires_at",
            (opt_out.number, opt_out.sender, opt_out.at, opt_out.source, expires),
        )
        self._opted_out.drop()

    @guarded
    def clear_opt_out(self, number: str, sender: str | None) -> None:
        t = f"{self.prefix}opt_outs"
        if sender is None:
            self._execute(f"DELETE FROM {t} WHERE number = ?", (number,))
        else:
            self._execute(
                f"DELETE FROM {t} WHERE number = ? AND sender IN (?, '')", (number, sender)
            )
        self._opted_out.drop()

    @guarded
    def opt_outs_of(self, number: str) -> list[OptOut]:
        copy = self._opted_out.rows()
        if copy is not None:
            found = copy.get(number, ())
        else:
            found = self._query(
                f"SELECT sender, at, source, expires_at FROM {self.prefix}opt_outs "
                f"WHERE number = ?",
                (number,),
            )
        now = time.time()
        return [OptOut(number, s, a, src) for s, a, src, exp in found if live(exp, now)]

    @guarded
    def recent_opt_outs(self, limit: int) -> list[OptOut]:
        rows = self._query(
            f"SELECT number, sender, at, source FROM {self.prefix}opt_outs "
            f"WHERE expires_at IS NULL OR expires_at > ? ORDER BY at DESC LIMIT ?",
            (time.time(), limit),
        )
        return [OptOut(n, s, a, src) for n, s, a, src in rows]

    # -- counters --------------------------------------------------------------------------

    @guarded
    def add_to_counter(self, key: str, amount: int, window: float) -> tuple[int, float]:
        t, now = f"{self.prefix}counters", time.time()
        if not amount:
            rows = self._query(
                f'SELECT count, expires_at FROM {t} WHERE "key" = ? AND expires_at > ?',
                (key, now),
            )
        else:
            ended = f"{t}.expires_at <= :now"
            with self._write() as conn:
                rows = conn.execute(
                    f'INSERT INTO {t} ("key", count, expires_at) VALUES (:key, :amount, :end) '
                    f'ON CONFLICT ("key") DO UPDATE SET '
                    f"count = CASE WHEN {ended} THEN :amount ELSE {t}.count + :amount END, "
                    f"expires_at = CASE WHEN {ended} THEN :end ELSE {t}.expires_at END "
                    f"RETURNING count, expires_at",
                    {"key": key, "amount": amount, "end": now + window, "now": now},
                ).fetchall()
        if not rows:
            return 0, 0.0
        count, expires_at = rows[0]
        return int(count), max(0.0, float(expires_at) - now)

    @guarded
    def block(self, number: str, at: float, ttl: float | None) -> None:
        self._execute(
            f"INSERT INTO {self.prefix}blocklist (number, at, expires_at) VALUES (?, ?, ?) "
            f"ON CONFLICT (number) DO UPDATE SET at = excluded.at, "
            f"expires_at = excluded.expires_at",
            (number, at, None if ttl is None else at + ttl),
        )
        self._blocked.drop()

    @guarded
    def unblock(self, number: str) -> None:
        self._execute(f"DELETE FROM {self.prefix}blocklist WHERE number = ?", (number,))
        self._blocked.drop()

    @guarded
    def is_blocked(self, number: str) -> bool:
        copy = self._blocked.rows()
        if copy is not None:
            return number in copy and live(copy[number], time.time())
        rows = self._query(
            f"SELECT expires_at FROM {self.prefix}blocklist WHERE number = ?", (number,)
        )
        return bool(rows) and live(rows[0][0], time.time())

    # -- webhook history -------------------------------------------------------------------

    @guarded
    def add_history(self, record: HistoryRecord, size: int) -> int:
        self.flush_history()  # ids in the order the records came
        with self._write() as conn:
            row = _history_params(record)
            id = conn.execute(self._sql["add_history"], row[:7]).lastrowid or 0
            conn.execute(self._sql["trim_history"], (record.kind, record.kind, size))
            if row.failure_key is not None:
                conn.execute(self._sql["settle_failed"], (row.failure_key, row.at))
        return id

    def queue_history(self, record: HistoryRecord, size: int) -> None:
        """Store *record* with the next batch (see :mod:`twhooks.store.history_buffer`).

        Its row (its JSON) is made here, in the request's thread: the batch's thread then only
        hands rows to SQLite, which it does without the GIL — a thread that held the GIL to
        encode a hundred records would hold up every request of its worker that waited for
        it (up to the interpreter's 5 ms switch interval each time).
        """
        row = cast(HistoryRecord, _history_params(record))
        self._history_buffer.add(row, size)

    @guarded
    def flush_history(self) -> None:
        """Write the queued history records now."""
        self._history_buffer.flush()

    def _write_history(self, records: list[Any], size: int) -> None:
        """One transaction for a batch of history rows (made by :meth:`queue_history`), then
        the history trimmed."""
        rows = [_history_params(r) if isinstance(r, HistoryRecord) else r for r in records]
        kinds = sorted({row.kind for row in rows}, key=lambda k: k or "")
        settled = [(row.failure_key, row.at) for row in rows if row.failure_key is not None]
        with self._write() as conn:
            for chunk in _chunks(rows):
                conn.execute(_insert_history(self.prefix, len(chunk)), _flat(chunk))
            for kind in kinds:  # each kind has room of its own
                conn.execute(self._sql["trim_history"], (kind, kind, size))
            # The dead letters of requests that succeeded; usually there are none, and a
            # statement per record (each a step, the GIL let go and taken back) is not paid.
            if settled and conn.execute(self._sql["any_failed"]).fetchone() is not None:
                conn.executemany(self._sql["settle_failed"], settled)

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
        where, params = ["1"], []
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if verdict is not None:
            where.append("verdict = ?")
            params.append(verdict)
        if number is not None:
            n = normalize_address(number)
            where.append('(from_ = ? OR "to" = ?)')
            params += [n, n]
        if sid is not None:
            where.append("sid = ?")
            params.append(sid)
        self.flush_history()
        rows = self._query(
            f"SELECT id, data FROM {self.prefix}history WHERE {' AND '.join(where)} "
            f"ORDER BY id DESC LIMIT ?",
            (*params, limit),
        )
        return [_history(id, data) for id, data in rows]

    @guarded
    def get_history(self, id: int) -> HistoryRecord | None:
        self.flush_history()
        rows = self._query(f"SELECT data FROM {self.prefix}history WHERE id = ?", (id,))
        return _history(id, rows[0][0]) if rows else None

    # -- dead letters ----------------------------------------------------------------------

    @guarded
    def add_failed(self, record: FailedWebhook, size: int, ttl: float) -> None:
        f = f"{self.prefix}failed"
        now = time.time()
        params = {
            "key": record.key,
            "at": record.at,
            "last_at": record.last_at,
            "data": json.dumps(record.to_json()),
            "expires": record.last_at + ttl,
        }
        with self._write() as conn:
            conn.execute(
                f'INSERT INTO {f} ("key", at, last_at, attempts, data, expires_at) '
                f"VALUES (:key, :at, :last_at, 1, :data, :expires) "
                f'ON CONFLICT ("key") DO UPDATE SET last_at = :last_at, data = :data, '
                f"expires_at = :expires, attempts = {f}.attempts + 1",
                params,
            )
            conn.execute(f"DELETE FROM {f} WHERE expires_at <= ?", (now,))
            conn.execute(
                f'DELETE FROM {f} WHERE "key" IN (SELECT "key" FROM {f} '
                f"ORDER BY last_at DESC LIMIT -1 OFFSET ?)",
                (size,),
            )

    @guarded
    def failed_webhooks(self, limit: int) -> list[FailedWebhook]:
        self.flush_history()  # the successes queued in this process take theirs off first
        rows = self._query(
            f"SELECT at, attempts, data FROM {self.prefix}failed WHERE expires_at > ? "
            f"ORDER BY last_at DESC LIMIT ?",
            (time.time(), limit),
        )
        return [_failed(row) for row in rows]

    @guarded
    def get_failed(self, key: str) -> FailedWebhook | None:
        self.flush_history()
        rows = self._query(
            f'SELECT at, attempts, data FROM {self.prefix}failed WHERE "key" = ? '
            f"AND expires_at > ?",
            (key, time.time()),
        )
        return _failed(rows[0]) if rows else None

    @guarded
    def remove_failed(self, key: str) -> bool:
        f = f"{self.prefix}failed"
        # Read first: the webhooks that succeed (nearly all) then take no write lock.
        if not self._query(f'SELECT 1 FROM {f} WHERE "key" = ?', (key,)):
            return False
        with self._write() as conn:
            return bool(conn.execute(f'DELETE FROM {f} WHERE "key" = ?', (key,)).rowcount)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        try:
            self.flush_history()
        except StoreUnavailable:
            logger.exception("the webhook history could not be written")
        super().close()

    @guarded
    def drop_tables(self) -> None:
        """Drop every table of this store (its data is lost)."""
        self.flush_history()
        p = self.prefix
        names = [
            *("claims", "conversations", "messages", "message_statuses", "call_events"),
            *("opt_outs", "blocklist", "history", "counters", "failed", "stamps", "schema"),
        ]
        with self._transaction() as conn:
            for name in names:
                conn.execute(f"DROP TABLE IF EXISTS {p}{name}")
        self.close()


_MESSAGE = 'sid, status, error_code, "to", from_, updated_at, meta'


def _delivery(row: Any, history: tuple[StatusChange, ...] = ()) -> Delivery:
    sid, status, error_code, to, from_, updated_at, meta = row[:7]
    return Delivery(sid, status, error_code, to, from_, updated_at, history, json.loads(meta))


def _reply(row: Any) -> Reply:
    _, status, headers, body = row
    return Reply(status, [(str(k), str(v)) for k, v in json.loads(headers)], bytes(body))


def _number(address: str | None) -> str | None:
    return None if address is None else normalize_address(address)


class _HistoryRow(NamedTuple):
    """A history record's row, made in the request's thread (``queue_history``)."""

    at: float
    kind: str | None
    verdict: str
    sid: str | None
    from_: str | None
    to: str | None
    data: str
    #: Not a column: the dead letter this record's success takes off the list.
    failure_key: str | None = None


def _history_params(record: HistoryRecord) -> _HistoryRow:
    return _HistoryRow(
        record.at,
        record.kind,
        record.verdict,
        record.sid,
        _number(record.from_),
        _number(record.to),
        json.dumps(record.to_json()),
        record.failure_key,
    )


def _failed(row: Any) -> FailedWebhook:
    at, attempts, data = row
    record = FailedWebhook.from_json(json.loads(data))
    record.at, record.attempts = at, attempts
    return record


#: The most rows one ``INSERT`` of a history batch carries (7 parameters each).
_HISTORY_CHUNK = 64


def _chunks(rows: list[_HistoryRow]) -> list[list[_HistoryRow]]:
    """*rows* in order, in chunks of :data:`_HISTORY_CHUNK`, 32, 16, … 1 rows: a batch is
    written with a few statements of a few shapes (each kept prepared)."""
    chunks, start, size = [], 0, _HISTORY_CHUNK
    while start < len(rows):
        while size > len(rows) - start:
            size //= 2
        chunks.append(rows[start : start + size])
        start += size
    return chunks


def _flat(rows: list[_HistoryRow]) -> list[Any]:
    return [value for row in rows for value in row[:7]]  # the columns, not failure_key


@functools.lru_cache(maxsize=32)
def _insert_history(prefix: str, count: int) -> str:
    """One ``INSERT`` of *count* history rows, in order: one step of SQLite for the lot.

    :meth:`sqlite3.Cursor.executemany` steps once per row, and lets go of the GIL around each
    step: a batch of a hundred rows then took the GIL back a hundred times from the requests
    of its process (a thread switch each time), which cost more than the rows' writing."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * count)
    columns = 'at, kind, verdict, sid, from_, "to", data'
    return f"INSERT INTO {prefix}history ({columns}) VALUES {values}"


def _history(id: int, data: str) -> HistoryRecord:
    record = HistoryRecord.from_json(json.loads(data))
    record.id = id
    return record


def _statements(p: str) -> dict[str, str]:
    """The store's statements that run most, by name (*p*: the table prefix)."""
    c, m, h = f"{p}claims", f"{p}messages", f"{p}message_statuses"
    expired = f"{m}.expires_at <= :now"
    moves = f"({expired} OR {m}.rank < :order)"
    return {
        # Claim a key that is free or whose claim or reply expired (one row written: won).
        "claim": (
            f'INSERT INTO {c} ("key", owner, expires_at, status, headers, body) '
            f"VALUES (?1, ?2, ?3, NULL, NULL, NULL) "
            f'ON CONFLICT ("key") DO UPDATE SET owner = ?2, expires_at = ?3, status = NULL, '
            f"headers = NULL, body = NULL WHERE {c}.expires_at <= ?4"
        ),
        "claim_row": f'SELECT expires_at, status, headers, body FROM {c} WHERE "key" = ?',
        # Store the reply of the owner's claim (nothing if it is no longer the owner's).
        "finish_reply": (
            f"UPDATE {c} SET owner = NULL, expires_at = ?, status = ?, headers = ?, body = ? "
            f'WHERE "key" = ? AND owner = ? AND status IS NULL'
        ),
        "finish_none": f'DELETE FROM {c} WHERE "key" = ? AND owner = ? AND status IS NULL',
        "renew": (
            f'UPDATE {c} SET expires_at = ? WHERE "key" = ? AND owner = ? AND status IS NULL '
            f"AND expires_at > ?"
        ),
        "load_conversation": (
            f'SELECT state, data, version, updated_at FROM {p}conversations WHERE "key" = ? '
            f"AND expires_at > ?"
        ),
        # A new conversation, or one taking the place of an expired one (one row written).
        "insert_conversation": (
            f'INSERT INTO {p}conversations ("key", state, data, version, updated_at, '
            f"expires_at) VALUES (:key, :state, :data, :version, :now, :expires) "
            f'ON CONFLICT ("key") DO UPDATE SET state = :state, data = :data, '
            f"version = :version, updated_at = :now, expires_at = :expires "
            f"WHERE {p}conversations.expires_at <= :now"
        ),
        # The next version of a live conversation still at the version it was read at.
        "update_conversation": (
            f"UPDATE {p}conversations SET state = :state, data = :data, version = :version, "
            f'updated_at = :now, expires_at = :expires WHERE "key" = :key '
            f"AND version = :read_version AND expires_at > :now"
        ),
        # Insert a message, start it afresh over an expired one (a new generation), or move
        # it forward if this status is further along; the status and rank it had are kept
        # in columns of their own, so that RETURNING hands them back.
        "record_status": (
            f'INSERT INTO {m} (sid, status, rank, error_code, "to", from_, meta, generation, '
            f"previous, previous_rank, updated_at, expires_at) VALUES (:sid, :status, :order, "
            f":error, :to, :from, '{{}}', 0, NULL, -1, :at, :expires) "
            f"ON CONFLICT (sid) DO UPDATE SET "
            f"previous = CASE WHEN {expired} THEN NULL ELSE {m}.status END, "
            f"previous_rank = CASE WHEN {expired} THEN -1 ELSE {m}.rank END, "
            f"generation = CASE WHEN {expired} THEN {m}.generation + 1 ELSE {m}.generation END, "
            f"status = CASE WHEN {moves} THEN :status ELSE {m}.status END, "
            f"rank = CASE WHEN {moves} THEN :order ELSE {m}.rank END, "
            f"error_code = CASE WHEN {moves} THEN :error ELSE {m}.error_code END, "
            f"updated_at = CASE WHEN {moves} THEN :at ELSE {m}.updated_at END, "
            f'"to" = CASE WHEN {expired} THEN :to ELSE coalesce({m}."to", :to) END, '
            f"from_ = CASE WHEN {expired} THEN :from ELSE coalesce({m}.from_, :from) END, "
            f"meta = CASE WHEN {expired} THEN '{{}}' ELSE {m}.meta END, "
            f"expires_at = :expires "
            f"RETURNING previous, previous_rank, generation"
        ),
        # Each status once per generation of a message: a duplicate keeps the first's time.
        "record_history": (
            f"INSERT INTO {h} (sid, status, at, error_code, generation) VALUES (?, ?, ?, ?, ?) "
            f"ON CONFLICT (sid, status) DO UPDATE SET at = excluded.at, "
            f"error_code = excluded.error_code, generation = excluded.generation "
            f"WHERE {h}.generation < excluded.generation"
        ),
        # Make sure a message has a live row: insert one, or start afresh over an expired one.
        "start_message": (
            f'INSERT INTO {m} (sid, generation, status, rank, error_code, "to", from_, meta, '
            f"previous, previous_rank, updated_at, expires_at) VALUES (:sid, 0, NULL, -1, NULL, "
            f":to, :from, '{{}}', NULL, -1, :at, :expires) ON CONFLICT (sid) DO UPDATE SET "
            f'status = NULL, rank = -1, error_code = NULL, "to" = :to, from_ = :from, '
            f"meta = '{{}}', previous = NULL, previous_rank = -1, updated_at = :at, "
            f"expires_at = :expires, generation = {m}.generation + 1 "
            f"WHERE {m}.expires_at <= :now"
        ),
        "add_history": (
            f'INSERT INTO {p}history (at, kind, verdict, sid, from_, "to", data) '
            f"VALUES (?, ?, ?, ?, ?, ?, ?)"
        ),
        # Trim the history of one kind to its newest *size* records (each kind has room of
        # its own: a flood of status callbacks never pushes the messages out).
        "trim_history": (
            f"DELETE FROM {p}history WHERE kind IS ?1 AND id <= (SELECT id FROM {p}history "
            f"WHERE kind IS ?2 ORDER BY id DESC LIMIT 1 OFFSET ?3)"
        ),
        # Take a dead letter off the list: a copy of it succeeded after its last failure.
        "settle_failed": f'DELETE FROM {p}failed WHERE "key" = ? AND last_at <= ?',
        "any_failed": f"SELECT 1 FROM {p}failed LIMIT 1",
    }
