"""The tables of the SQL store (SQLAlchemy Core), named with a prefix (``twhooks_`` by default).

Nothing grows without bound: most tables have an ``expires_at`` column, swept now and then by
:class:`~twhooks.store.sql.SQLStore` (``NULL`` for opt-outs and block-list entries kept until
taken back); a message's statuses are swept with their message; the webhook history is capped
by size, the dead letters by size and age.
Times are Unix times in seconds (a double), so that every host compares them alike.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["SCHEMA_VERSION", "Tables"]

#: Bumped when the tables change; recorded in ``<prefix>schema``.
SCHEMA_VERSION = 1


class Tables:
    """The store's tables in their own :class:`~sqlalchemy.MetaData`.

    :param prefix: put before every table name.
    """

    def __init__(self, prefix: str = "twhooks_") -> None:
        self.prefix = prefix
        m = self.metadata = sa.MetaData()
        t = sa.Double
        self.schema = sa.Table(
            f"{prefix}schema",
            m,
            sa.Column("name", sa.String(64), primary_key=True),
            sa.Column("version", sa.Integer, nullable=False),
        )
        self.claims = sa.Table(
            f"{prefix}claims",
            m,
            sa.Column("key", sa.String(512), primary_key=True),
            sa.Column("owner", sa.String(128)),
            sa.Column("expires_at", t, nullable=False, index=True),
            sa.Column("status", sa.Integer),
            sa.Column("headers", sa.Text),
            sa.Column("body", sa.LargeBinary),
        )
        self.conversations = sa.Table(
            f"{prefix}conversations",
            m,
            sa.Column("key", sa.String(512), primary_key=True),
            sa.Column("state", sa.String(256)),
            sa.Column("data", sa.Text, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("updated_at", t, nullable=False),
            sa.Column("expires_at", t, nullable=False, index=True),
        )
        self.messages = sa.Table(
            f"{prefix}messages",
            m,
            sa.Column("sid", sa.String(64), primary_key=True),
            sa.Column("status", sa.String(32)),
            sa.Column("rank", sa.Integer, nullable=False),
            sa.Column("error_code", sa.String(16)),
            sa.Column("to", sa.String(128)),
            sa.Column("from_", sa.String(128)),
            sa.Column("meta", sa.Text, nullable=False),
            # Bumped when an expired message's SID comes back: older history rows are stale.
            sa.Column("generation", sa.Integer, nullable=False),
            # The status and rank before the last callback, handed back by its RETURNING.
            sa.Column("previous", sa.String(32)),
            sa.Column("previous_rank", sa.Integer, nullable=False),
            sa.Column("updated_at", t, nullable=False, index=True),
            sa.Column("expires_at", t, nullable=False, index=True),
        )
        self.message_statuses = sa.Table(
            f"{prefix}message_statuses",
            m,
            sa.Column("sid", sa.String(64), primary_key=True),
            sa.Column("status", sa.String(32), primary_key=True),
            sa.Column("at", t, nullable=False),
            sa.Column("error_code", sa.String(16)),
            # Swept with its message (same sid and generation), not by a time of its own.
            sa.Column("generation", sa.Integer, nullable=False),
        )
        self.call_events = sa.Table(
            f"{prefix}call_events",
            m,
            sa.Column("call_sid", sa.String(64), primary_key=True),
            sa.Column("kind", sa.String(16), primary_key=True),
            sa.Column("ident", sa.String(128), primary_key=True),
            sa.Column("order", sa.Integer, nullable=False),
            sa.Column("at", t, nullable=False),
            sa.Column("params", sa.Text, nullable=False),
            sa.Column("expires_at", t, nullable=False, index=True),
        )
        self.opt_outs = sa.Table(
            f"{prefix}opt_outs",
            m,
            sa.Column("number", sa.String(128), primary_key=True),
            sa.Column("sender", sa.String(128), primary_key=True),
            sa.Column("at", t, nullable=False, index=True),
            sa.Column("source", sa.String(32), nullable=False),
            sa.Column("expires_at", t),
        )
        self.blocklist = sa.Table(
            f"{prefix}blocklist",
            m,
            sa.Column("number", sa.String(128), primary_key=True),
            sa.Column("at", t, nullable=False),
            sa.Column("expires_at", t),
        )
        self.counters = sa.Table(
            f"{prefix}counters",
            m,
            sa.Column("key", sa.String(255), primary_key=True),
            sa.Column("count", sa.Integer, nullable=False),
            sa.Column("expires_at", t, nullable=False, index=True),
        )
        self.history = sa.Table(
            f"{prefix}history",
            m,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", t, nullable=False),
            sa.Column("kind", sa.String(32)),
            sa.Column("verdict", sa.String(32), nullable=False),
            sa.Column("sid", sa.String(64), index=True),
            sa.Column("from_", sa.String(128), index=True),
            sa.Column("to", sa.String(128), index=True),
            sa.Column("data", sa.Text, nullable=False),
            # Each kind is trimmed to its own size: its newest first.
            sa.Index(f"{prefix}history_kind_id", "kind", "id"),
            sqlite_autoincrement=True,
        )
        #: The dead letters (:mod:`twhooks.store.dead_letters`): *data* is the record as JSON,
        #: but for its first failure and its attempts, counted here.
        self.failed = sa.Table(
            f"{prefix}failed",
            m,
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("at", t, nullable=False),
            sa.Column("last_at", t, nullable=False, index=True),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Column("data", sa.Text, nullable=False),
            sa.Column("expires_at", t, nullable=False, index=True),
        )

    @property
    def expiring(self) -> tuple[sa.Table, ...]:
        """The tables with an ``expires_at`` column."""
        return (
            self.claims,
            self.conversations,
            self.messages,
            self.call_events,
            self.opt_outs,
            self.blocklist,
            self.counters,
            self.failed,
        )
