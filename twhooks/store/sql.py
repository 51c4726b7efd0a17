"""The SQL store: one implementation on SQLAlchemy Core for SQLite and PostgreSQL.

Atomic writes are single statements — ``INSERT … ON CONFLICT`` (the same syntax in SQLite ≥ 3.24
and PostgreSQL), conditional ``UPDATE``\\ s whose row count says who won — or short
transactions that lock what they read first (``BEGIN IMMEDIATE`` in SQLite, ``SELECT … FOR
UPDATE`` in PostgreSQL). SQLite runs in WAL mode with a busy timeout and ``synchronous=NORMAL``.

This module holds the records; the engine, the connections, the write locks and the upkeep
are :mod:`twhooks.store.sql_connections`, the webhook history :mod:`twhooks.store.sql_history`.
A status callback's write — the hottest — runs on the driver's own cursor with SQL compiled
once per dialect (:mod:`twhooks.store.sql_raw`), on a connection the store keeps between two
uses; the webhook history is written in batches (:mod:`twhooks.store.history_buffer`); expired
rows are swept and SQLite's WAL checkpointed in the background.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from ..replies import Reply
from .polling import PENDING, Pending, poll
from .records import (
    CallEvent,
    ConversationRecord,
    Delivery,
    OptOut,
    StatusChange,
    message_status_order,
)
from .sql_connections import guarded
from .sql_history import SQLHistory
from .sqlite_cache import StampedTable, live

__all__ = ["SQLStore"]


class SQLStore(SQLHistory):
    """A :class:`~twhooks.store.Store` in an SQLite or PostgreSQL database.

    :param bind: a database URL (``sqlite:///path``, ``postgresql+psycopg://…``) or an
        :class:`~sqlalchemy.engine.Engine` of the app's own (Flask-SQLAlchemy's ``db.engine``).
    :param prefix: put before every table name.
    """

    #: Its calls wait on the database: an event loop makes them from a worker thread.
    blocking = True

    def __init__(self, bind: str | sa.URL | sa.Engine, *, prefix: str = "twhooks_") -> None:
        super().__init__(bind, prefix=prefix)
        # The block list as this process last read it: no change counter here (stamp
        # ``None``), so it is read again once a second (see is_blocked).
        self._blocked: StampedTable[Any] = StampedTable(lambda: None, self._load_blocklist)

    # -- replays ---------------------------------------------------------------------------

    @guarded
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

    @guarded
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

    @guarded
    def renew(self, key: str, owner: str, lease: float) -> bool:
        now = time.time()
        params = {"p_key": key, "p_owner": owner, "p_expires": now + lease, "p_now": now}
        return self._hot_write("renew", params) == 1

    @guarded
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

    @guarded
    def load_conversation(self, key: str) -> ConversationRecord | None:
        with self._read() as conn:
            row = conn.execute(
                self.statements.load_conversation, {"p_key": key, "p_now": time.time()}
            ).first()
        if row is None:
            return None
        return ConversationRecord(key, row.state, json.loads(row.data), row.version, row.updated_at)

    @guarded
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

    @guarded
    def delete_conversation(self, key: str) -> None:
        with self._write(single=True) as conn:
            conn.execute(self.statements.delete_conversation, {"p_key": key})

    @guarded
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
        compiled = self._hot()
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

    @guarded
    def furthest_status(self, sid: str) -> str | None:
        """The furthest status of message *sid* (``None``: unknown, or only tracked)."""
        params = {"p_sid": sid, "p_now": time.time()}
        with self._cursor(transaction=False) as cursor:
            row = self._hot()["furthest_status"].run(cursor, params).fetchone()
        return None if row is None else row[0]

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

    @guarded
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

    @guarded
    def recent_messages(self, limit: int, status: str | None) -> list[Delivery]:
        m = self.tables.messages
        query = sa.select(m).where(m.c.expires_at > time.time())
        if status is not None:
            query = query.where(m.c.status == status)
        query = query.order_by(m.c.updated_at.desc()).limit(limit)
        with self._read() as conn:
            return [self._delivery(row) for row in conn.execute(query)]

    @guarded
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

    @guarded
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
        compiled = self._hot()
        with self._cursor(transaction=True) as cursor:
            new: bool = compiled["record_call_event"].run(cursor, params).rowcount == 1
            compiled["touch_call"].run(cursor, params)
        return new

    @guarded
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

    @guarded
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

    @guarded
    def clear_opt_out(self, number: str, sender: str | None) -> None:
        t = self.tables.opt_outs
        which = t.c.number == number
        if sender is not None:
            which &= t.c.sender.in_([sender, ""])
        with self._write(single=True) as conn:
            conn.execute(t.delete().where(which))

    @guarded
    def opt_outs_of(self, number: str) -> list[OptOut]:
        t = self.tables.opt_outs
        with self._read() as conn:
            rows = conn.execute(sa.select(t).where((t.c.number == number) & self._live(t))).all()
        return [OptOut(r.number, r.sender, r.at, r.source) for r in rows]

    @guarded
    def recent_opt_outs(self, limit: int) -> list[OptOut]:
        t = self.tables.opt_outs
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t).where(self._live(t)).order_by(t.c.at.desc()).limit(limit)
            ).all()
        return [OptOut(r.number, r.sender, r.at, r.source) for r in rows]

    @guarded
    def add_to_counter(self, key: str, amount: int, window: float) -> tuple[int, float]:
        t, now = self.tables.counters, time.time()
        if not amount:
            with self._read() as conn:
                row = conn.execute(
                    sa.select(t.c.count, t.c.expires_at).where(
                        (t.c.key == key) & (t.c.expires_at > now)
                    )
                ).first()
        else:
            new = self._insert(t).values(key=key, count=amount, expires_at=now + window)
            ended = t.c.expires_at <= now
            upsert = new.on_conflict_do_update(
                index_elements=[t.c.key],
                set_={
                    "count": sa.case((ended, new.excluded.count), else_=t.c.count + amount),
                    "expires_at": sa.case((ended, new.excluded.expires_at), else_=t.c.expires_at),
                },
            ).returning(t.c.count, t.c.expires_at)
            with self._write(single=True) as conn:
                row = conn.execute(upsert).first()
        if row is None:
            return 0, 0.0
        count, expires_at = row
        return int(count), max(0.0, float(expires_at) - now)

    @guarded
    def block(self, number: str, at: float, ttl: float | None) -> None:
        t = self.tables.blocklist
        values = {"at": at, "expires_at": None if ttl is None else at + ttl}
        with self._write(single=True) as conn:
            conn.execute(
                self._insert(t)
                .values(number=number, **values)
                .on_conflict_do_update(index_elements=[t.c.number], set_=values)
            )
        self._blocked.drop()

    @guarded
    def unblock(self, number: str) -> None:
        t = self.tables.blocklist
        with self._write(single=True) as conn:
            conn.execute(t.delete().where(t.c.number == number))
        self._blocked.drop()

    @guarded
    def is_blocked(self, number: str) -> bool:
        """Whether *number* is blocked, from this process's copy of the block list: reloaded
        at most once every :data:`~twhooks.store.sqlite_cache.STALENESS` second (a change
        made by another process is seen within it; one made by this one at once), and not
        kept when the table has more than :data:`~twhooks.store.sqlite_cache.MAX_ROWS` rows
        (then every check is a query, as before)."""
        copy = self._blocked.rows()
        if copy is not None:
            return number in copy and live(copy[number], time.time())
        with self._read() as conn:
            found = conn.execute(
                self.statements.is_blocked, {"p_number": number, "p_now": time.time()}
            ).first()
        return found is not None

    def _load_blocklist(self, limit: int) -> dict[str, Any] | None:
        t = self.tables.blocklist
        with self._read() as conn:
            rows = conn.execute(sa.select(t.c.number, t.c.expires_at).limit(limit + 1)).all()
        return {number: expires for number, expires in rows} if len(rows) <= limit else None


def _rows(
    conn: sa.Connection, statement: sa.Executable, params: dict[str, Any] | None = None
) -> int:
    """How many rows *statement* wrote (kept for every statement, INSERT … ON CONFLICT too)."""
    options = {"preserve_rowcount": True}
    return int(conn.execute(statement, params, execution_options=options).rowcount)


def _reply(row: Any) -> Reply:
    headers = [(str(k), str(v)) for k, v in json.loads(row.headers)]
    return Reply(row.status, headers, bytes(row.body))
