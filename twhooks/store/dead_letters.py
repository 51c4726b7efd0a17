"""The dead-letter list: webhooks whose handler failed, kept so that they can be run again.

A handler that raised did not consume its webhook: nothing of it is kept as done (its claim
is released, its status callback not recorded), so Twilio's retry runs it again. But Twilio
does not retry most webhooks after a 5xx, so the dispatcher also keeps each failed webhook
here — enough to send it again (method, path, body, kind), with what went wrong and how
often. A later copy of it that succeeds (Twilio's retry, or a re-run from the inspector or
``twhooks rerun``: :mod:`twhooks.rerun`) takes it off the list: its history record names the
dead letter (:attr:`HistoryRecord.failure_key <twhooks.store.HistoryRecord.failure_key>`), and
the store removes it when it writes that record — with the history's batch in the SQL and
Redis stores, within 100 ms and with no work on the request path. A store that keeps dead
letters does so in ``add_history`` (and in its batches).

The list is bounded: :data:`DEFAULT_FAILED_SIZE` webhooks at most (the oldest failures go
first) and :data:`DEFAULT_FAILED_TTL` seconds after a webhook's last failure. A store of
your own without these methods keeps no dead letters (:func:`keeps_dead_letters`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from typing import Protocol

from .records import FailedWebhook, HistoryRecord

__all__ = [
    "DEFAULT_FAILED_SIZE",
    "DEFAULT_FAILED_TTL",
    "DeadLetterStore",
    "MemoryDeadLetters",
    "failure_key",
    "keeps_dead_letters",
]

#: How many failed webhooks are kept at most.
DEFAULT_FAILED_SIZE = 200
#: How long a failed webhook is kept after its last failure, in seconds (7 days).
DEFAULT_FAILED_TTL = 7 * 86400.0


def failure_key(method: str, path: str, query: str, body: bytes) -> str:
    """What tells a webhook apart in the dead-letter list: a digest of its method, path,
    query and body. Twilio's retry and a re-run (sent to another host, signed again) have
    the same key."""
    digest = hashlib.sha256(f"{method}\0{path}\0{query}\0".encode("utf-8", "surrogatepass"))
    digest.update(body)
    return digest.hexdigest()[:40]


class DeadLetterStore(Protocol):
    """The methods of a :class:`~twhooks.store.Store` that keeps dead letters."""

    def add_failed(self, record: FailedWebhook, size: int, ttl: float) -> None:
        """Keep *record*, atomically: a webhook already kept under its key keeps its first
        :attr:`~FailedWebhook.at`, counts one more attempt and takes the rest from
        *record*. Keeps the newest *size*; each one *ttl* seconds after its last failure."""
        ...

    def failed_webhooks(self, limit: int) -> list[FailedWebhook]:
        """The unexpired failed webhooks, the most recently failed first."""
        ...

    def get_failed(self, key: str) -> FailedWebhook | None:
        """The failed webhook under *key*, if kept."""
        ...

    def remove_failed(self, key: str) -> bool:
        """Take *key* off the list; whether it was there."""
        ...


_METHODS = ("add_failed", "failed_webhooks", "get_failed", "remove_failed")


def keeps_dead_letters(store: object) -> bool:
    """Whether *store* has the methods of :class:`DeadLetterStore` (every store of
    :mod:`twhooks.store` has)."""
    return all(callable(getattr(store, name, None)) for name in _METHODS)


class MemoryDeadLetters:
    """The dead-letter list of the memory store, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, tuple[FailedWebhook, float]] = OrderedDict()

    def add_failed(self, record: FailedWebhook, size: int, ttl: float) -> None:
        now = time.time()
        with self._lock:
            self._sweep(now)
            found = self._kept.pop(record.key, None)
            if found is not None:
                first = found[0]
                record = replace(record, at=first.at, attempts=first.attempts + 1)
            self._kept[record.key] = (record, record.last_at + ttl)
            while len(self._kept) > size:
                self._kept.popitem(last=False)

    def failed_webhooks(self, limit: int) -> list[FailedWebhook]:
        with self._lock:
            self._sweep(time.time())
            records = [record for record, _ in reversed(self._kept.values())]
        return sorted(records, key=lambda r: r.last_at, reverse=True)[:limit]

    def get_failed(self, key: str) -> FailedWebhook | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None or found[1] <= time.time():
                return None
            return found[0]

    def remove_failed(self, key: str) -> bool:
        with self._lock:
            return self._kept.pop(key, None) is not None

    def settle(self, record: HistoryRecord) -> None:
        """Take *record*'s :attr:`~HistoryRecord.failure_key` off the list, unless it failed
        again after *record* arrived."""
        if record.failure_key is None:
            return
        with self._lock:
            found = self._kept.get(record.failure_key)
            if found is not None and found[0].last_at <= record.at:
                del self._kept[record.failure_key]

    def _sweep(self, now: float) -> None:
        for key in [k for k, (_, expires) in self._kept.items() if expires <= now]:
            del self._kept[key]
