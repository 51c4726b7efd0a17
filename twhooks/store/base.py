"""The :class:`Store` interface: what a backend keeps for every worker and host to share.

A store is the :class:`~twhooks.store.replays.ReplayStore` of the dispatcher plus one small
group of methods per kind of record. The methods are low-level and take their retention
(``ttl`` in seconds, ``size``) as arguments, so a backend holds no settings; the facades
(:class:`~twhooks.store.Deliveries`, :class:`~twhooks.store.Conversations` …) are what an app
uses. Every write that must be atomic is one atomic operation in the backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from .records import CallEvent, ConversationRecord, Delivery, HistoryRecord, OptOut
from .replays import ReplayStore

__all__ = ["Store", "blocks", "has_store_methods"]


@runtime_checkable
class Store(ReplayStore, Protocol):
    """Where twhooks keeps state shared by all workers: one of :mod:`twhooks.store`'s
    backends, or a class of your own with these methods.

    ``claim``/``finish``/``renew``/``wait`` are those of
    :class:`~twhooks.store.replays.ReplayStore`; a conversation lock is a claim of the key
    ``conv-lock:<conversation key>``.

    :attr:`blocking` says whether its calls may wait on I/O; a store of your own that leaves
    it out is taken to block (:func:`blocks`). It may leave out ``renew`` too: its claims and
    locks are then not renewed while a handler runs and end with their lease, so set
    ``TWHOOKS_REPLAY_LEASE`` above your slowest handler's time.
    """

    @property
    def blocking(self) -> bool:
        """Whether its calls may wait on I/O. ``False`` (as in the memory stores, usually a
        class attribute ``blocking = False``) says that every call but ``wait`` returns at
        once: the asyncio request path
        (:class:`~twhooks.dispatch.AsyncDispatcher`, the Quart extension) and the
        voice sockets then make them on the event loop instead of in a worker thread."""
        ...

    # -- conversations ---------------------------------------------------------------------

    def load_conversation(self, key: str) -> ConversationRecord | None:
        """The unexpired conversation stored under *key*, if any."""
        ...

    def save_conversation(
        self, key: str, state: str | None, data: Mapping[str, Any], version: int, ttl: float
    ) -> int | None:
        """Store a conversation if it is still at *version* (``0``: if there is none).

        :returns: its new version, or ``None`` if someone saved it since (nothing written).
            The expiry slides to *ttl* seconds from now.
        """
        ...

    def delete_conversation(self, key: str) -> None:
        """Forget the conversation under *key*."""
        ...

    def recent_conversations(self, limit: int) -> list[ConversationRecord]:
        """The unexpired conversations, the most recently saved first."""
        ...

    # -- message deliveries ----------------------------------------------------------------

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
        """Record one status callback of message *sid*, atomically.

        The message's status moves to *status* only if that is further along
        (:func:`~twhooks.store.records.message_status_order`); the status is added to the
        history once (the first callback of each status is kept).

        :returns: the furthest status before this callback (``None`` if none) and whether this
            callback moved it forward.
        """
        ...

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
        """Register an outgoing message before its first callback (keeps any status)."""
        ...

    def get_message(self, sid: str) -> Delivery | None:
        """The delivery record of *sid*, with its history."""
        ...

    def recent_messages(self, limit: int, status: str | None) -> list[Delivery]:
        """The most recently updated messages first (without history)."""
        ...

    def message_summary(self, since: float | None) -> dict[str, int]:
        """How many messages are at each status (updated at or after *since*, if given)."""
        ...

    # -- calls -----------------------------------------------------------------------------

    def record_call_event(self, call_sid: str, event: CallEvent, ttl: float) -> bool:
        """Add one callback to a call; a second one of the same kind and ident is ignored.

        :returns: whether it was new.
        """
        ...

    def call_events(self, call_sid: str) -> list[CallEvent]:
        """Every callback recorded for the call, in no particular order."""
        ...

    # -- opt-outs and block list -----------------------------------------------------------

    def set_opt_out(self, opt_out: OptOut, ttl: float | None) -> None:
        """Record that *opt_out.number* opted out of *opt_out.sender* (``""``: of all)."""
        ...

    def clear_opt_out(self, number: str, sender: str | None) -> None:
        """Forget the opt-out of *number* from *sender* and from all; every one if ``None``."""
        ...

    def opt_outs_of(self, number: str) -> list[OptOut]:
        """Every unexpired opt-out of *number*."""
        ...

    def recent_opt_outs(self, limit: int) -> list[OptOut]:
        """The most recent opt-outs first."""
        ...

    def block(self, number: str, at: float, ttl: float | None) -> None:
        """Put *number* on the block list."""
        ...

    def unblock(self, number: str) -> None:
        """Take *number* off the block list."""
        ...

    def is_blocked(self, number: str) -> bool:
        """Whether *number* is on the block list."""
        ...

    # -- counters --------------------------------------------------------------------------

    def add_to_counter(self, key: str, amount: int, window: float) -> tuple[int, float]:
        """Add *amount* to the counter *key*, in one atomic operation.

        A counter starts at zero with its first addition and is gone *window* seconds later
        (a fixed window); an *amount* of 0 reads it and starts nothing. The inspector counts
        its failed logins with it (:mod:`twhooks.inspector.throttle`). A store of your own
        may leave it out: the inspector then counts in each process.

        :returns: the count, and the seconds left until the counter is gone (0 when none).
        """
        ...

    # -- webhook history -------------------------------------------------------------------

    def add_history(self, record: HistoryRecord, size: int) -> int:
        """Store *record*, keeping only the newest *size* records of its kind (each kind has
        room of its own: a flood of status callbacks never pushes the messages out).

        :returns: its id (increasing).
        """
        ...

    def recent_history(
        self,
        limit: int,
        *,
        kind: str | None = None,
        verdict: str | None = None,
        number: str | None = None,
        sid: str | None = None,
    ) -> list[HistoryRecord]:
        """The newest records first, filtered."""
        ...

    def get_history(self, id: int) -> HistoryRecord | None:
        """The record with *id*, if still kept."""
        ...

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Release connections (a store opened again after this works)."""
        ...


def blocks(store: object) -> bool:
    """Whether *store*'s calls may wait on I/O (its ``blocking`` attribute): a store that does
    not say is taken to block. For a :class:`Store`, a replay store or a voice call store."""
    return bool(getattr(store, "blocking", True))


#: The methods every :class:`Store` has (``blocking`` may be left out: see :func:`blocks`;
#: ``renew`` too: see :mod:`twhooks.store.renewal`; and ``add_to_counter``, see
#: :meth:`Store.add_to_counter`).
_METHODS = tuple(
    name
    for protocol in (ReplayStore, Store)
    for name, value in vars(protocol).items()
    if callable(value) and not name.startswith("_") and name not in ("renew", "add_to_counter")
)


def has_store_methods(value: object) -> bool:
    """Whether *value* has every method of :class:`Store`: a store of your own, which may
    leave out ``blocking`` and ``renew``."""
    return all(callable(getattr(value, name, None)) for name in _METHODS)
