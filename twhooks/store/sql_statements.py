"""The SQL store's hot statements, built once per store with bound parameters.

Building a SQLAlchemy statement costs more than running it on SQLite; these are built once
and run with a dictionary of ``p_*`` parameters each time (SQLAlchemy caches their compiled
form). Everything else in :mod:`twhooks.store.sql` is built where it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from .sql_schema import Tables

__all__ = ["Statements"]


def _p(name: str, type_: Any = None) -> sa.BindParameter[Any]:
    return sa.bindparam(f"p_{name}", type_=type_)


def _first_of_generation(insert: Any, h: sa.Table) -> Any:
    """*insert* into a message's status history, a duplicate keeping the first row of its
    generation (a row of an older generation is replaced)."""
    new = insert.excluded
    return insert.on_conflict_do_update(
        index_elements=[h.c.sid, h.c.status],
        set_={"at": new.at, "error_code": new.error_code, "generation": new.generation},
        where=h.c.generation < new.generation,
    )


def _commit_without_flush() -> sa.ColumnElement[bool]:
    """A condition that is true, and makes the transaction of its statement commit without
    waiting for its WAL to reach the disk (PostgreSQL: ``set_config('synchronous_commit',
    'off', true)``, local to that transaction): ``SET LOCAL`` in the statement itself, so that
    an autocommit statement stays one round trip. Uncorrelated, it is evaluated once, before
    any row is read (a one-time filter)."""
    setting = sa.func.set_config("synchronous_commit", "off", sa.true())
    return sa.select(setting).scalar_subquery().is_not(None)


class Statements:
    """The statements of one store's tables.

    :param insert: the dialect's ``insert`` (SQLite's or PostgreSQL's, for ``ON CONFLICT``).
    :param supports_dml_cte: whether an ``INSERT`` may stand in a ``WITH`` (PostgreSQL).
    :param unflushed_claims: whether a claim and its end commit without waiting for the
        disk (PostgreSQL): a crash of the database server may then forget the last claims
        and replies, and a retry of one of those requests runs its handler again — what a
        worker's crash does too (see ``docs/store.rst``).
    """

    def __init__(
        self,
        tables: Tables,
        insert: Callable[[sa.Table], Any],
        *,
        supports_dml_cte: bool = False,
        unflushed_claims: bool = False,
    ) -> None:
        c, m, h, t = tables.claims, tables.messages, tables.message_statuses, tables.history

        fresh_claim = {
            "owner": _p("owner"),
            "expires_at": _p("expires"),
            "status": sa.null(),
            "headers": sa.null(),
            "body": sa.null(),
        }
        #: Claim a key that is free or whose claim or reply expired (one row written: won).
        if unflushed_claims:
            columns = ("key", "owner", "expires_at", "status", "headers", "body")
            row = [_p("key"), _p("owner"), _p("expires"), sa.null(), sa.null(), sa.null()]
            typed = [sa.cast(v, c.c[k].type) for k, v in zip(columns, row, strict=True)]
            proposed = insert(c).from_select(
                columns, sa.select(*typed).where(_commit_without_flush())
            )
        else:
            proposed = insert(c).values(key=_p("key"), **fresh_claim)
        self.claim = proposed.on_conflict_do_update(
            index_elements=[c.c.key], set_=fresh_claim, where=c.c.expires_at <= _p("now")
        )
        self.claim_row = sa.select(
            c.c.owner, c.c.expires_at, c.c.status, c.c.headers, c.c.body
        ).where(c.c.key == _p("key"))

        expired = m.c.expires_at <= _p("now")
        moves = expired | (m.c.rank < _p("order"))

        def pick(param: str, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
            return sa.case((moves, _p(param, column.type)), else_=column)

        #: Insert a message, start it afresh over an expired one (a new generation), or move it
        #: forward if this status is further along; the status and rank it had are kept in
        #: columns of their own, so that RETURNING hands them back in the same statement.
        self.record_status = (
            insert(m)
            .values(
                sid=_p("sid"),
                status=_p("status"),
                rank=_p("order"),
                error_code=_p("error", m.c.error_code.type),
                to=_p("to", m.c.to.type),
                from_=_p("from", m.c.from_.type),
                meta="{}",
                generation=0,
                previous=sa.null(),
                previous_rank=-1,
                updated_at=_p("at"),
                expires_at=_p("expires"),
            )
            .on_conflict_do_update(
                index_elements=[m.c.sid],
                set_={
                    "previous": sa.case((expired, sa.null()), else_=m.c.status),
                    "previous_rank": sa.case((expired, -1), else_=m.c.rank),
                    "generation": sa.case((expired, m.c.generation + 1), else_=m.c.generation),
                    "status": pick("status", m.c.status),
                    "rank": pick("order", m.c.rank),
                    "error_code": pick("error", m.c.error_code),
                    "updated_at": pick("at", m.c.updated_at),
                    "to": sa.case(
                        (expired, _p("to", m.c.to.type)),
                        else_=sa.func.coalesce(m.c.to, _p("to", m.c.to.type)),
                    ),
                    "from_": sa.case(
                        (expired, _p("from", m.c.from_.type)),
                        else_=sa.func.coalesce(m.c.from_, _p("from", m.c.from_.type)),
                    ),
                    "meta": sa.case((expired, "{}"), else_=m.c.meta),
                    "expires_at": _p("expires"),
                },
            )
            .returning(m.c.previous, m.c.previous_rank, m.c.generation)
        )
        #: Each status once per generation of a message: a duplicate keeps the first one's time.
        history = insert(h).values(
            sid=_p("sid"),
            status=_p("status"),
            at=_p("at"),
            error_code=_p("error", h.c.error_code.type),
            generation=_p("generation"),
        )
        self.record_history = _first_of_generation(history, h)
        #: Both in one statement (PostgreSQL: a data-modifying ``WITH``, one round trip): the
        #: message's upsert, then its status into the history with the generation it returned.
        self.record_status_and_history: sa.Select[Any] | None = None
        if supports_dml_cte:
            moved = self.record_status.cte("moved")
            added = insert(h).from_select(
                ["sid", "status", "at", "error_code", "generation"],
                sa.select(
                    _p("sid", h.c.sid.type),
                    _p("status", h.c.status.type),
                    _p("at", h.c.at.type),
                    _p("error", h.c.error_code.type),
                    moved.c.generation,
                ),
            )
            self.record_status_and_history = sa.select(
                moved.c.previous, moved.c.previous_rank, moved.c.generation
            ).add_cte(_first_of_generation(added, h).cte("added"))
        #: One webhook request into the history.
        self.add_history = t.insert().values(
            at=_p("at"),
            kind=_p("kind", t.c.kind.type),
            verdict=_p("verdict"),
            sid=_p("sid", t.c.sid.type),
            from_=_p("from", t.c.from_.type),
            to=_p("to", t.c.to.type),
            data=_p("data"),
        )
        #: Trim the history of one kind to its *size* newest records: each kind has room of
        #: its own, so that a flood of status callbacks never pushes out the messages.
        same_kind = t.c.kind.is_not_distinct_from(_p("kind", t.c.kind.type))
        oldest_kept = (
            sa.select(t.c.id)
            .where(same_kind)
            .order_by(t.c.id.desc())
            .limit(1)
            .offset(_p("size", sa.Integer()))
            .scalar_subquery()
        )
        self.trim_history_to = t.delete().where(same_kind & (t.c.id <= oldest_kept))
        #: The furthest status of an unexpired message (read before its handler runs).
        self.furthest_status = sa.select(m.c.status).where(
            (m.c.sid == _p("sid")) & (m.c.expires_at > _p("now"))
        )
        f = tables.failed
        #: Take a dead letter off the list: a copy of it succeeded after its last failure.
        self.settle_failed = f.delete().where((f.c.key == _p("key")) & (f.c.last_at <= _p("at")))

        mine = (c.c.key == _p("key")) & (c.c.owner == _p("owner")) & c.c.status.is_(None)
        if unflushed_claims:
            mine = mine & _commit_without_flush()
        #: Store the reply of the owner's claim (nothing if it is no longer the owner's).
        self.finish_reply = (
            c.update()
            .where(mine)
            .values(
                owner=sa.null(),
                expires_at=_p("expires"),
                status=_p("status"),
                headers=_p("headers"),
                body=_p("body", c.c.body.type),
            )
        )
        #: Drop the owner's claim without a reply.
        self.finish_none = c.delete().where(mine)
        #: Extend the owner's live claim (one row written: still the owner's).
        self.renew = (
            c.update().where(mine & (c.c.expires_at > _p("now"))).values(expires_at=_p("expires"))
        )
        #: A claim and its reply, for a retry waiting on it.
        self.claim_reply = sa.select(c.c.expires_at, c.c.status, c.c.headers, c.c.body).where(
            c.c.key == _p("key")
        )
        e = tables.call_events
        #: One callback of a call (a second one of the same kind and ident: nothing written).
        self.record_call_event = (
            insert(e)
            .values(
                call_sid=_p("call_sid"),
                kind=_p("kind"),
                ident=_p("ident"),
                order=_p("order"),
                at=_p("at"),
                params=_p("params"),
                expires_at=_p("expires"),
            )
            .on_conflict_do_nothing()
        )
        #: Every callback of a call lives as long as its newest.
        self.touch_call = (
            e.update().where(e.c.call_sid == _p("call_sid")).values(expires_at=_p("expires"))
        )
        blocklist = tables.blocklist
        #: Whether a number is on the block list (and its entry unexpired).
        self.is_blocked = sa.select(blocklist.c.number).where(
            (blocklist.c.number == _p("number"))
            & (blocklist.c.expires_at.is_(None) | (blocklist.c.expires_at > _p("now")))
        )
        conversations = tables.conversations
        #: The unexpired conversation under a key.
        self.load_conversation = sa.select(conversations).where(
            (conversations.c.key == _p("key")) & (conversations.c.expires_at > _p("now"))
        )
        saved = {
            "state": _p("state"),
            "data": _p("data"),
            "version": _p("version"),
            "updated_at": _p("now"),
            "expires_at": _p("expires"),
        }
        #: A new conversation, or one taking the place of an expired one (one row written).
        self.insert_conversation = (
            insert(conversations)
            .values(key=_p("key"), **saved)
            .on_conflict_do_update(
                index_elements=[conversations.c.key],
                set_=saved,
                where=conversations.c.expires_at <= _p("now"),
            )
        )
        #: The next version of a live conversation still at the version it was read at (one
        #: row written).
        self.update_conversation = (
            conversations.update()
            .values(**saved)
            .where(
                (conversations.c.key == _p("key"))
                & (conversations.c.version == _p("read_version"))
                & (conversations.c.expires_at > _p("now"))
            )
        )
        self.delete_conversation = conversations.delete().where(conversations.c.key == _p("key"))
