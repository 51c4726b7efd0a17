"""The webhook history of the Redis store, under :class:`~twhooks.store.redis.RedisStore`.

The history is one sorted set, by id, and a sorted set of the ids of each kind, each capped by
the size (each kind has room of its own): a record is written with the next batch
(:mod:`twhooks.store.history_buffer`), in one script that numbers, adds and trims; reading
writes the queued records first, so that the newest are seen.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

from ..kinds import KINDS
from .errors import StoreUnavailable
from .history_buffer import HistoryBuffer
from .records import HistoryRecord
from .redis_client import RedisClient, guarded, text

__all__ = ["RedisHistory"]

logger = logging.getLogger("twhooks.store")

#: How many kinds the history keeps room for (each webhook kind, and requests of no kind).
_ROOMS = len(KINDS) + 1


class RedisHistory(RedisClient):
    """A Redis store's client with its webhook history (see the module docstring)."""

    def __init__(self, client: str | redis.Redis, *, prefix: str = "twhooks:") -> None:
        super().__init__(client, prefix=prefix)
        self._history_buffer = HistoryBuffer(self._add_histories)

    def close(self) -> None:
        try:
            self.flush_history()
        except StoreUnavailable:
            logger.exception("the webhook history could not be written")
        super().close()

    def delete_all(self) -> int:
        """Delete every key under this store's prefix (its data is lost).

        :returns: how many keys were deleted.
        """
        self.flush_history()
        return super().delete_all()

    def _add_histories(self, records: list[HistoryRecord], size: int) -> int:
        kinds = [self._key("history-kind", r.kind or "-") for r in records]
        return int(
            self._run(
                self._scripts.add_history,
                keys=[self._key("history-id"), self._key("history"), *kinds],
                args=[size, size * _ROOMS, *(json.dumps(r.to_json()) for r in records)],
            )
        )

    @guarded
    def add_history(self, record: HistoryRecord, size: int) -> int:
        self._history_buffer.flush()  # ids in the order the records came
        return self._add_histories([record], size)

    def queue_history(self, record: HistoryRecord, size: int) -> None:
        """Store *record* with the next batch (see :mod:`twhooks.store.history_buffer`)."""
        self._history_buffer.add(record, size)

    @guarded
    def flush_history(self) -> None:
        """Write the queued history records now."""
        self._history_buffer.flush()

    @staticmethod
    def _history(member: Any) -> HistoryRecord:
        id, _, data = text(member).partition(":")
        record = HistoryRecord.from_json(json.loads(data))
        record.id = int(id)
        return record

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
        # The history is capped by size, so reading it all is bounded.
        self._history_buffer.flush()
        found = []
        for member in self.client.zrevrange(self._key("history"), 0, -1):
            record = self._history(member)
            if record.matches(kind, verdict, number, sid):
                found.append(record)
                if len(found) >= limit:
                    break
        return found

    @guarded
    def get_history(self, id: int) -> HistoryRecord | None:
        self._history_buffer.flush()
        members = self.client.zrangebyscore(self._key("history"), id, id)
        return self._history(members[0]) if members else None
