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


class Statements:
    """The statements of one store's tables.

    :param insert: the dialect's ``insert`` (SQLite's or PostgreSQL's, for ``ON CONFLICT``).
    """

    def __init__(self, tables: Tables, insert: Callable[[sa.Table], Any]) -> None:
        c, m, h, t = tables.claims, tables.messages, tables.message_statuses, tables.history

        fresh_claim = {
            "owner": _p("owner"),
            "expires_at": _p("expires"),
            "status": sa.null(),
            "headers": sa.null(),
            "body": sa.null(),
        }
        #: Claim a key that is free or whose claim or reply expired (one row written: won).
        self.claim = (
            insert(c)
            .values(key=_p("key"), **fresh_claim)
            .on_conflict_do_update(
                index_elements=[c.c.key], set_=fresh_claim, where=c.c.expires_at <= _p("now")
            )
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
        self.record_history = (
            insert(h)
            .values(
                sid=_p("sid"),
                status=_p("status"),
                at=_p("at"),
                error_code=_p("error", h.c.error_code.type),
                generation=_p("generation"),
            )
            .on_conflict_do_update(
                index_elements=[h.c.sid, h.c.status],
                set_={
                    "at": _p("at"),
                    "error_code": _p("error", h.c.error_code.type),
                    "generation": _p("generation"),
                },
                where=h.c.generation < _p("generation"),
            )
        )
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
        #: Trim the history to its size.
        self.trim_history = t.delete().where(t.c.id <= _p("floor"))
