"""The webhook history of the Redis store, under :class:`~twhooks.store.redis.RedisStore`.

The history is one sorted set, by id, and a sorted set of the ids of each kind, each capped by
the size (each kind has room of its own): a record is written with the next batch
(:mod:`twhooks.store.history_buffer`), in one script that numbers, adds and trims; reading
writes the queued records first, so that the newest are seen.

The dead letters (:mod:`twhooks.store.dead_letters`) are three hashes by key (the record, its
attempts, its first failure) and a sorted set of the keys by expiry, written and trimmed by one
script; the history records of requests that succeeded take theirs off with their batch.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import redis

from ..kinds import KINDS
from .errors import StoreUnavailable
from .history_buffer import HistoryBuffer
from .records import FailedWebhook, HistoryRecord
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
        last = int(
            self._run(
                self._scripts.add_history,
                keys=[self._key("history-id"), self._key("history"), *kinds],
                args=[size, size * _ROOMS, *(json.dumps(r.to_json()) for r in records)],
            )
        )
        settled = [(r.failure_key, repr(r.at)) for r in records if r.failure_key is not None]
        if settled:  # the dead letters of requests that succeeded
            self._run(
                self._scripts.settle_failed,
                keys=self._failed_keys(),
                args=[value for pair in settled for value in pair],
            )
        return last

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

    # -- dead letters ----------------------------------------------------------------------

    def _failed_keys(self) -> list[str]:
        return [self._key(f"failed-{part}") for part in ("data", "attempts", "first", "index")]

    @guarded
    def add_failed(self, record: FailedWebhook, size: int, ttl: float) -> None:
        self._run(
            self._scripts.add_failed,
            keys=self._failed_keys(),
            args=[
                record.key,
                json.dumps(record.to_json()),
                repr(record.last_at),
                size,
                repr(time.time()),
                int(ttl * 1000),
                repr(record.last_at + ttl),
            ],
        )

    def _failed(self, keys: list[Any]) -> list[FailedWebhook]:
        if not keys:
            return []
        data, attempts, first, _ = self._failed_keys()
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hmget(data, keys)
            pipe.hmget(attempts, keys)
            pipe.hmget(first, keys)
            records, counts, firsts = pipe.execute()
        found = []
        for value, count, at in zip(records, counts, firsts, strict=True):
            if value is None:
                continue
            record = FailedWebhook.from_json(json.loads(value))
            record.attempts = int(count or 1)
            record.at = float(at) if at is not None else record.at
            found.append(record)
        return found

    @guarded
    def failed_webhooks(self, limit: int) -> list[FailedWebhook]:
        self._history_buffer.flush()  # the successes queued in this process take theirs off first
        index = self._failed_keys()[3]
        keys = self.client.zrevrangebyscore(index, "+inf", f"({time.time()!r}", 0, limit)
        return self._failed(keys)

    @guarded
    def get_failed(self, key: str) -> FailedWebhook | None:
        self._history_buffer.flush()
        expires = self.client.zscore(self._failed_keys()[3], key)
        if expires is None or float(expires) <= time.time():
            return None
        found = self._failed([key])
        return found[0] if found else None

    @guarded
    def remove_failed(self, key: str) -> bool:
        data, attempts, first, index = self._failed_keys()
        with self.client.pipeline(transaction=True) as pipe:
            pipe.zrem(index, key)
            pipe.hdel(data, key)
            pipe.hdel(attempts, key)
            pipe.hdel(first, key)
            removed = pipe.execute()
        return bool(removed[0])
