"""The in-process store: every kind of record in this process's memory. For tests and one
process; every worker of a multi-process server would have its own."""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..replies import Reply
from .dead_letters import MemoryDeadLetters
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
from .replays import MemoryReplayStore

__all__ = ["MemoryStore"]


class _Message:
    __slots__ = ("delivery", "expires", "order")

    def __init__(self, delivery: Delivery, order: int, expires: float) -> None:
        self.delivery = delivery
        self.order = order
        self.expires = expires


class MemoryStore:
    """A :class:`~twhooks.store.Store` in this process's memory, thread-safe.

    :param claims: how many replay claims and stored replies to keep at most.
    """

    #: Its calls return at once (all but ``wait``): an event loop may make them itself.
    blocking = False

    def __init__(self, claims: int = 10_000) -> None:
        self._claims = claims
        self._lock = threading.Lock()
        self._empty()

    def _empty(self) -> None:
        self._replays = MemoryReplayStore(self._claims)
        self._conversations: dict[str, tuple[ConversationRecord, float]] = {}
        self._messages: OrderedDict[str, _Message] = OrderedDict()
        self._calls: dict[str, tuple[dict[tuple[str, str], CallEvent], float]] = {}
        self._opt_outs: dict[tuple[str, str], tuple[OptOut, float]] = {}
        self._blocked: dict[str, float] = {}
        self._counters: dict[str, tuple[int, float]] = {}
        self._history: OrderedDict[int, HistoryRecord] = OrderedDict()
        self._history_kinds: dict[str | None, deque[int]] = {}
        self._ids = itertools.count(1)
        self._failed = MemoryDeadLetters()

    def clear(self) -> None:
        """Forget everything it holds (the test fixtures empty an app's own store before
        each test: see :mod:`twhooks.isolation`)."""
        with self._lock:
            self._empty()

    # -- replays ---------------------------------------------------------------------------

    def claim(self, key: str, owner: str, lease: float) -> Reply | bool:
        return self._replays.claim(key, owner, lease)

    def finish(self, key: str, owner: str, reply: Reply | None, ttl: float) -> None:
        self._replays.finish(key, owner, reply, ttl)

    def renew(self, key: str, owner: str, lease: float) -> bool:
        return self._replays.renew(key, owner, lease)

    def wait(self, key: str, timeout: float) -> Reply | None:
        return self._replays.wait(key, timeout)

    # -- conversations ---------------------------------------------------------------------

    def load_conversation(self, key: str) -> ConversationRecord | None:
        with self._lock:
            found = self._conversations.get(key)
            if found is None or found[1] <= time.time():
                return None
            return found[0]

    def save_conversation(
        self, key: str, state: str | None, data: Mapping[str, Any], version: int, ttl: float
    ) -> int | None:
        now = time.time()
        with self._lock:
            self._sweep_conversations(now)
            found = self._conversations.get(key)
            current = found[0].version if found is not None and found[1] > now else 0
            if current != version:
                return None
            record = ConversationRecord(key, state, dict(data), version + 1, now)
            self._conversations[key] = (record, now + ttl)
            return version + 1

    def delete_conversation(self, key: str) -> None:
        with self._lock:
            self._conversations.pop(key, None)

    def recent_conversations(self, limit: int) -> list[ConversationRecord]:
        now = time.time()
        with self._lock:
            found = [r for r, exp in self._conversations.values() if exp > now]
        return sorted(found, key=lambda r: r.updated_at, reverse=True)[:limit]

    def _sweep_conversations(self, now: float) -> None:
        if len(self._conversations) % 64 == 0:
            for key in [k for k, (_, exp) in self._conversations.items() if exp <= now]:
                del self._conversations[key]

    # -- deliveries ------------------------------------------------------------------------

    def _message(self, sid: str, now: float) -> _Message | None:
        found = self._messages.get(sid)
        if found is not None and found.expires <= now:
            del self._messages[sid]
            return None
        return found

    def _sweep_messages(self, now: float) -> None:
        # Kept in update order, so the expired ones are at the front.
        while self._messages:
            sid, oldest = next(iter(self._messages.items()))
            if oldest.expires > now:
                break
            del self._messages[sid]

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
        now = time.time()
        with self._lock:
            self._sweep_messages(now)
            found = self._message(sid, now)
            if found is None:
                found = _Message(Delivery(sid, None, None, to, from_, at), -1, at + ttl)
                self._messages[sid] = found
            d = found.delivery
            previous = d.status
            advanced = order > found.order
            history = d.history
            if all(change.status != status for change in history):
                history = (*history, StatusChange(status, at, error_code))
            d = replace(d, to=d.to or to, from_=d.from_ or from_, history=history)
            if advanced:
                d = replace(d, status=status, error_code=error_code, updated_at=at)
                found.order = order
            found.delivery = d
            found.expires = at + ttl
            self._messages.move_to_end(sid)
            return previous, advanced

    def furthest_status(self, sid: str) -> str | None:
        """The furthest status of message *sid* (``None``: unknown, or only tracked)."""
        with self._lock:
            found = self._message(sid, time.time())
            return None if found is None else found.delivery.status

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
        with self._lock:
            found = self._message(sid, time.time())
            if found is None:
                found = _Message(Delivery(sid, None, None, to, from_, at), -1, at + ttl)
                self._messages[sid] = found
            d = found.delivery
            found.delivery = replace(
                d, to=to or d.to, from_=from_ or d.from_, meta={**d.meta, **meta}
            )
            found.expires = at + ttl
            self._messages.move_to_end(sid)

    def get_message(self, sid: str) -> Delivery | None:
        with self._lock:
            found = self._message(sid, time.time())
            if found is None:
                return None
            d = found.delivery
            history = tuple(sorted(d.history, key=lambda c: (message_status_order(c.status), c.at)))
            return replace(d, history=history)

    def recent_messages(self, limit: int, status: str | None) -> list[Delivery]:
        now = time.time()
        with self._lock:
            found = [
                replace(m.delivery, history=())
                for m in reversed(self._messages.values())
                if m.expires > now and (status is None or m.delivery.status == status)
            ]
        found.sort(key=lambda d: d.updated_at, reverse=True)
        return found[:limit]

    def message_summary(self, since: float | None) -> dict[str, int]:
        now = time.time()
        counts: dict[str, int] = {}
        with self._lock:
            for m in self._messages.values():
                d = m.delivery
                if (
                    m.expires > now
                    and d.status is not None
                    and (since is None or d.updated_at >= since)
                ):
                    counts[d.status] = counts.get(d.status, 0) + 1
        return counts

    # -- calls -----------------------------------------------------------------------------

    def record_call_event(self, call_sid: str, event: CallEvent, ttl: float) -> bool:
        with self._lock:
            now = time.time()
            for sid in [s for s, (_, exp) in self._calls.items() if exp <= now]:
                del self._calls[sid]
            events, _ = self._calls.get(call_sid, ({}, 0.0))
            new = (event.kind, event.ident) not in events
            events.setdefault((event.kind, event.ident), event)
            self._calls[call_sid] = (events, now + ttl)
            return new

    def call_events(self, call_sid: str) -> list[CallEvent]:
        with self._lock:
            events, expires = self._calls.get(call_sid, ({}, 0.0))
            return list(events.values()) if expires > time.time() else []

    # -- opt-outs and block list -----------------------------------------------------------

    def set_opt_out(self, opt_out: OptOut, ttl: float | None) -> None:
        expires = float("inf") if ttl is None else opt_out.at + ttl
        with self._lock:
            self._opt_outs[(opt_out.number, opt_out.sender)] = (opt_out, expires)

    def clear_opt_out(self, number: str, sender: str | None) -> None:
        with self._lock:
            for key in list(self._opt_outs):
                if key[0] == number and (sender is None or key[1] in (sender, "")):
                    del self._opt_outs[key]

    def opt_outs_of(self, number: str) -> list[OptOut]:
        now = time.time()
        with self._lock:
            return [o for (n, _), (o, exp) in self._opt_outs.items() if n == number and exp > now]

    def recent_opt_outs(self, limit: int) -> list[OptOut]:
        now = time.time()
        with self._lock:
            found = [o for o, exp in self._opt_outs.values() if exp > now]
        return sorted(found, key=lambda o: o.at, reverse=True)[:limit]

    def block(self, number: str, at: float, ttl: float | None) -> None:
        with self._lock:
            self._blocked[number] = float("inf") if ttl is None else at + ttl

    def unblock(self, number: str) -> None:
        with self._lock:
            self._blocked.pop(number, None)

    def is_blocked(self, number: str) -> bool:
        if not self._blocked:  # nobody is blocked (a dict's truth is read atomically)
            return False
        with self._lock:
            return self._blocked.get(number, 0.0) > time.time()

    # -- counters --------------------------------------------------------------------------

    def add_to_counter(self, key: str, amount: int, window: float) -> tuple[int, float]:
        now = time.monotonic()
        with self._lock:
            count, ends = self._counters.get(key, (0, now))
            if ends <= now:
                count, ends = 0, now + window
            if amount:
                count += amount
                self._counters[key] = (count, ends)
                if len(self._counters) > 10_000:  # many keys: drop the windows that ended
                    self._counters = {k: v for k, v in self._counters.items() if v[1] > now}
            return (count, ends - now) if count else (0, 0.0)

    # -- webhook history -------------------------------------------------------------------

    def add_history(self, record: HistoryRecord, size: int) -> int:
        with self._lock:
            id = next(self._ids)
            # The record is handed over (the dispatcher builds one per request and keeps none):
            # it gets its id, and a dict of its own.
            record.id = id
            record.params = dict(record.params)
            self._history[id] = record
            # Each kind keeps its newest *size*: status callbacks never push messages out.
            ids = self._history_kinds.setdefault(record.kind, deque())
            ids.append(id)
            while len(ids) > size:
                del self._history[ids.popleft()]
        self._failed.settle(record)
        return id

    def recent_history(
        self,
        limit: int,
        *,
        kind: str | None = None,
        verdict: str | None = None,
        number: str | None = None,
        sid: str | None = None,
    ) -> list[HistoryRecord]:
        with self._lock:
            records = list(reversed(self._history.values()))
        return [r for r in records if r.matches(kind, verdict, number, sid)][:limit]

    def get_history(self, id: int) -> HistoryRecord | None:
        with self._lock:
            return self._history.get(id)

    # -- dead letters (see twhooks.store.dead_letters) ---------------------------------------

    def add_failed(self, record: FailedWebhook, size: int, ttl: float) -> None:
        self._failed.add_failed(record, size, ttl)

    def failed_webhooks(self, limit: int) -> list[FailedWebhook]:
        return self._failed.failed_webhooks(limit)

    def get_failed(self, key: str) -> FailedWebhook | None:
        return self._failed.get_failed(key)

    def remove_failed(self, key: str) -> bool:
        return self._failed.remove_failed(key)

    def close(self) -> None:
        """Nothing to release."""
