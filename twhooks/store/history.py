"""The webhook history: every request to a twhooks route, accepted or refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from .base import Store
from .dead_letters import DEFAULT_FAILED_SIZE, DEFAULT_FAILED_TTL, keeps_dead_letters
from .history_redact import hash_number, redact
from .records import FailedWebhook, HistoryRecord

__all__ = ["History"]

#: Default of ``TWHOOKS_HISTORY_SIZE``.
DEFAULT_HISTORY_SIZE = 1000


class History:
    """The newest webhook requests: ``hooks.history``.

    :param store: where they are kept.
    :param size: how many records of each kind are kept (``TWHOOKS_HISTORY_SIZE``); the
        oldest of a kind go first, and a kind never pushes out another.
    :param redact_bodies: keep no message bodies, media URLs, speech or reply bodies
        (``TWHOOKS_HISTORY_REDACT`` with ``"bodies"``).
    :param number_key: keep phone numbers only as their hash under this key
        (``TWHOOKS_HISTORY_REDACT`` with ``"numbers"``, :mod:`twhooks.store.history_redact`);
        ``None`` keeps them.

    Beside the history, the webhooks whose handler failed are kept as a dead-letter list
    (:meth:`failed`; see :mod:`twhooks.store.dead_letters`): the newest
    :data:`~twhooks.store.dead_letters.DEFAULT_FAILED_SIZE`, each for
    :data:`~twhooks.store.dead_letters.DEFAULT_FAILED_TTL` seconds after its last failure.
    With any redaction none are kept: a dead letter keeps the webhook as it came (its body,
    its numbers), to be run again.
    """

    def __init__(
        self,
        store: Store,
        *,
        size: int = DEFAULT_HISTORY_SIZE,
        redact_bodies: bool = False,
        number_key: bytes | None = None,
    ) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self.store = store
        # A store that batches its history writes has ``queue_history(record, size)``.
        self._queue: Callable[[HistoryRecord, int], None] | None = getattr(
            store, "queue_history", None
        )
        self.size = size
        self.redact_bodies = redact_bodies
        self._number_key = number_key
        self.failed_size = DEFAULT_FAILED_SIZE
        self.failed_ttl = DEFAULT_FAILED_TTL
        #: Whether failed webhooks are kept: when the store can (a store of your own may
        #: not), and nothing is redacted (a dead letter keeps the webhook as it came, to be
        #: run again).
        self.keeps_failed = keeps_dead_letters(store) and not redact_bodies and number_key is None

    @property
    def hashes_numbers(self) -> bool:
        """Whether phone numbers are kept only as their hash."""
        return self._number_key is not None

    def _prepared(self, record: HistoryRecord) -> HistoryRecord:
        # Redacted here, before the record is queued or stored anywhere.
        if not record.at:
            record = replace(record, at=time.time())
        return redact(record, bodies=self.redact_bodies, number_key=self._number_key)

    def record(self, record: HistoryRecord) -> int:
        """Keep *record* (its time set to now if it has none), written before this returns.

        :returns: its id, which :meth:`get` takes.
        """
        return self.store.add_history(self._prepared(record), self.size)

    def queue(self, record: HistoryRecord) -> None:
        """Keep *record* like :meth:`record`, but written with the next batch when the store
        batches history writes (the SQL and Redis stores do: within 100 ms, off the request
        path; a read of the history in this process writes what waits first).
        """
        record = self._prepared(record)
        if self._queue is not None:
            self._queue(record, self.size)
        else:
            self.store.add_history(record, self.size)

    def recent(
        self,
        limit: int = 50,
        *,
        kind: str | None = None,
        verdict: str | None = None,
        number: str | None = None,
        sid: str | None = None,
    ) -> list[HistoryRecord]:
        """The newest records first.

        :param kind: only this webhook kind.
        :param verdict: only this signature verdict.
        :param number: only requests from or to this number (its hash, when numbers are kept
            hashed: the number or its hash finds them).
        :param sid: only requests about this message or call.
        """
        if number is not None and self._number_key is not None:
            number = hash_number(number, self._number_key)
        return self.store.recent_history(limit, kind=kind, verdict=verdict, number=number, sid=sid)

    def get(self, id: int) -> HistoryRecord | None:
        """The record with *id*, if still kept."""
        return self.store.get_history(id)

    # -- dead letters ----------------------------------------------------------------------

    def failed(self, limit: int = 50) -> list[FailedWebhook]:
        """The webhooks whose handler failed and that no later copy (Twilio's retry, a
        re-run) handled yet, the most recently failed first: the dead-letter list. Run one
        again with :func:`twhooks.rerun`, the inspector's Failed page or ``twhooks rerun``.
        """
        if not self.keeps_failed:
            return []
        return self.store.failed_webhooks(limit)  # type: ignore[attr-defined,no-any-return]

    def get_failed(self, key: str) -> FailedWebhook | None:
        """The failed webhook under *key* (:attr:`FailedWebhook.key`), if still kept."""
        if not self.keeps_failed:
            return None
        return self.store.get_failed(key)  # type: ignore[attr-defined,no-any-return]

    def forget_failed(self, key: str) -> bool:
        """Take *key* off the dead-letter list without running it; whether it was there."""
        if not self.keeps_failed:
            return False
        return bool(self.store.remove_failed(key))  # type: ignore[attr-defined]

    def add_failed(self, record: FailedWebhook) -> None:
        """Keep a failed webhook (what the dispatcher does), unless bodies are redacted
        (``TWHOOKS_HISTORY_REDACT``): a dead letter keeps the body it came with."""
        if self.keeps_failed:
            self.store.add_failed(  # type: ignore[attr-defined]
                record, self.failed_size, self.failed_ttl
            )
