"""The Redis store, on redis-py (``pip install twhooks[redis]``).

Claims are ``SET … NX PX``; every write that reads before it writes is one Lua script, which
Redis runs atomically (:mod:`twhooks.store.redis_scripts`); every key has a TTL
(``PX``/``PEXPIRE``) except the opt-outs and block list (kept until taken back, unless given a
TTL) and the history (capped by size). Values are text (bodies base64-encoded), so a client
made with ``decode_responses=True`` works as well.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

import redis
from redis.commands.core import Script

from ..replies import Reply
from .errors import StoreUnavailable
from .history_buffer import HistoryBuffer
from .polling import PENDING, Pending, poll
from .records import (
    CallEvent,
    ConversationRecord,
    Delivery,
    HistoryRecord,
    OptOut,
    StatusChange,
    message_status_order,
)
from .redis_held import HeldConnections
from .redis_scripts import Scripts

__all__ = ["RedisStore"]

logger = logging.getLogger("twhooks.store")

#: The index of messages drops those past their TTL once every this many status callbacks
#: of a process (a reader skips them meanwhile: their hash is gone).
PRUNE_EVERY = 100

P = ParamSpec("P")
R = TypeVar("R")


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Turn redis-py's errors into :class:`~twhooks.store.StoreUnavailable`."""

    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except redis.RedisError as exc:
            raise StoreUnavailable(f"the Redis store failed: {type(exc).__name__}: {exc}") from exc

    return guarded


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _encode_reply(reply: Reply) -> str:
    return json.dumps(
        {"s": reply.status, "h": reply.headers, "b": base64.b64encode(reply.body).decode()}
    )


def _decode_reply(value: Any) -> Reply:
    d = json.loads(_text(value))
    headers = [(str(k), str(v)) for k, v in d["h"]]
    return Reply(int(d["s"]), headers, base64.b64decode(d["b"]))


class RedisStore:
    """A :class:`~twhooks.store.Store` in Redis.

    :param client: a URL (``redis://host:port/db``) or a :class:`redis.Redis` client of the
        app's own.
    :param prefix: put before every key.
    """

    #: Its calls wait on Redis: an event loop makes them from a worker thread.
    blocking = True

    def __init__(self, client: str | redis.Redis, *, prefix: str = "twhooks:") -> None:
        # redis-py's pool notices a fork and opens new connections in the child by itself.
        self.client: redis.Redis = (
            redis.Redis.from_url(client) if isinstance(client, str) else client
        )
        self._owned = isinstance(client, str)
        self.prefix = prefix
        self._scripts = Scripts(self.client)
        # The scripts run on connections the store holds, when the client is its own (one of
        # the app's runs them through the client, with its settings: retries, metrics, cache).
        self._held = HeldConnections(self.client) if self._owned else None
        self._history_buffer = HistoryBuffer(self._add_histories)
        self._callbacks = 0

    def __repr__(self) -> str:
        kwargs = self.client.connection_pool.connection_kwargs
        where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
        return f"RedisStore({where!r}, prefix={self.prefix!r})"

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _run(self, script: Script, keys: list[str], args: Sequence[Any] = ()) -> Any:
        """Run one of the store's scripts (see :mod:`twhooks.store.redis_held`)."""
        if self._held is None:
            return script(keys=keys, args=args)
        return self._held.run(script, keys, args)

    def close(self) -> None:
        try:
            self.flush_history()
        except StoreUnavailable:
            logger.exception("the webhook history could not be written")
        if self._held is not None:
            self._held.close()
        if self._owned:
            self.client.close()

    def delete_all(self) -> int:
        """Delete every key under this store's prefix (its data is lost).

        :returns: how many keys were deleted.
        """
        self.flush_history()
        deleted = 0
        for key in self.client.scan_iter(match=self.prefix + "*", count=1000):
            deleted += int(self.client.delete(key))
        return deleted

    # -- replays ---------------------------------------------------------------------------

    @_guarded
    def claim(self, key: str, owner: str, lease: float) -> Reply | bool:
        found = self._run(
            self._scripts.claim,
            keys=[self._key("claim", key), self._key("reply", key)],
            args=[owner, _ms(lease)],
        )
        if isinstance(found, int):
            return found == 1
        return _decode_reply(found)

    @_guarded
    def finish(self, key: str, owner: str, reply: Reply | None, ttl: float) -> None:
        self._run(
            self._scripts.finish,
            keys=[self._key("claim", key), self._key("reply", key)],
            args=[owner, "" if reply is None else _encode_reply(reply), _ms(ttl)],
        )

    @_guarded
    def wait(self, key: str, timeout: float) -> Reply | None:
        keys = [self._key("claim", key), self._key("reply", key)]

        def attempt() -> Reply | Pending | None:
            found = self._run(self._scripts.peek, keys=keys)
            if isinstance(found, int):
                return PENDING if found else None
            return _decode_reply(found)

        result = poll(attempt, timeout)
        return result if isinstance(result, Reply) else None

    # -- conversations ---------------------------------------------------------------------

    @_guarded
    def load_conversation(self, key: str) -> ConversationRecord | None:
        found = {_text(k): _text(v) for k, v in self.client.hgetall(self._key("conv", key)).items()}
        if "version" not in found:
            return None
        return ConversationRecord(
            key,
            json.loads(found["state"]),
            json.loads(found["data"]),
            int(found["version"]),
            float(found["updated_at"]),
        )

    @_guarded
    def save_conversation(
        self, key: str, state: str | None, data: Mapping[str, Any], version: int, ttl: float
    ) -> int | None:
        saved = int(
            self._run(
                self._scripts.save_conversation,
                keys=[self._key("conv", key), self._key("convs")],
                args=[
                    version,
                    json.dumps(state),
                    json.dumps(data),
                    repr(time.time()),
                    _ms(ttl),
                    key,
                ],
            )
        )
        return saved or None

    @_guarded
    def delete_conversation(self, key: str) -> None:
        with self.client.pipeline() as pipe:
            pipe.delete(self._key("conv", key))
            pipe.zrem(self._key("convs"), key)
            pipe.execute()

    @_guarded
    def recent_conversations(self, limit: int) -> list[ConversationRecord]:
        keys = [_text(k) for k in self.client.zrevrange(self._key("convs"), 0, limit - 1)]
        with self.client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hgetall(self._key("conv", key))
            values = pipe.execute()
        found: list[ConversationRecord] = []
        for key, value in zip(keys, values, strict=True):
            fields = {_text(k): _text(v) for k, v in value.items()}
            if "version" in fields:  # not expired since it was indexed
                found.append(
                    ConversationRecord(
                        key,
                        json.loads(fields["state"]),
                        json.loads(fields["data"]),
                        int(fields["version"]),
                        float(fields["updated_at"]),
                    )
                )
        return found

    # -- deliveries ------------------------------------------------------------------------

    @_guarded
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
        previous, advanced = self._run(
            self._scripts.record_status,
            keys=[self._key("msg", sid), self._key("msgs")],
            args=[
                sid,
                status,
                message_status_order(status),
                error_code or "",
                to or "",
                from_ or "",
                repr(at),
                _ms(ttl),
                self._prune(),
            ],
        )
        return _text(previous) or None, advanced == 1

    def _prune(self) -> str:
        """``"1"`` once every :data:`PRUNE_EVERY` callbacks of this process, else ``"0"``."""
        self._callbacks += 1
        return "1" if self._callbacks % PRUNE_EVERY == 1 else "0"

    @_guarded
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
        key = self._key("msg", sid)
        fields: dict[Any, Any] = {f"meta:{name}": json.dumps(value) for name, value in meta.items()}
        if to:
            fields["to"] = to
        if from_:
            fields["from"] = from_
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, "order", -1)
            pipe.hsetnx(key, "updated_at", repr(at))
            if fields:
                pipe.hset(key, mapping=fields)
            pipe.pexpire(key, _ms(ttl))
            pipe.zadd(self._key("msgs"), {sid: at})
            pipe.pexpire(self._key("msgs"), _ms(ttl))
            pipe.execute()

    def _delivery(self, sid: str, raw: Mapping[Any, Any]) -> Delivery | None:
        d = {_text(k): _text(v) for k, v in raw.items()}
        if "order" not in d:
            return None
        meta = {k[5:]: json.loads(v) for k, v in d.items() if k.startswith("meta:")}
        return Delivery(
            sid,
            d.get("status"),
            d.get("error_code") or None,
            d.get("to"),
            d.get("from"),
            float(d["updated_at"]),
            (),
            meta,
        )

    @_guarded
    def get_message(self, sid: str) -> Delivery | None:
        raw = self.client.hgetall(self._key("msg", sid))
        found = self._delivery(sid, raw)
        if found is None:
            return None
        history = []
        for field, value in raw.items():
            name = _text(field)
            if name.startswith("h:"):
                at, _, code = _text(value).partition("|")
                history.append(StatusChange(name[2:], float(at), code or None))
        history.sort(key=lambda c: (message_status_order(c.status), c.at))
        return Delivery(
            found.sid,
            found.status,
            found.error_code,
            found.to,
            found.from_,
            found.updated_at,
            tuple(history),
            found.meta,
        )

    def _all_messages(self, since: float | None, batch: int = 500) -> Iterator[Delivery]:
        """Every live message, most recently active first."""
        index = self._key("msgs")
        low = "-inf" if since is None else repr(since)
        start = 0
        while True:
            sids = [
                _text(s)
                for s in self.client.zrevrangebyscore(index, "+inf", low, start=start, num=batch)
            ]
            if not sids:
                return
            with self.client.pipeline(transaction=False) as pipe:
                for sid in sids:
                    pipe.hgetall(self._key("msg", sid))
                raws = pipe.execute()
            for sid, raw in zip(sids, raws, strict=False):
                found = self._delivery(sid, raw)
                if found is not None:
                    yield found
            start += batch

    @_guarded
    def recent_messages(self, limit: int, status: str | None) -> list[Delivery]:
        found: list[Delivery] = []
        for d in self._all_messages(None, batch=max(limit, 50)):
            if status is None or d.status == status:
                found.append(d)
                if len(found) >= limit:
                    break
        return sorted(found, key=lambda d: d.updated_at, reverse=True)

    @_guarded
    def message_summary(self, since: float | None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self._all_messages(since):
            if d.status is not None and (since is None or d.updated_at >= since):
                counts[d.status] = counts.get(d.status, 0) + 1
        return counts

    # -- calls -----------------------------------------------------------------------------

    @_guarded
    def record_call_event(self, call_sid: str, event: CallEvent, ttl: float) -> bool:
        key = self._key("call", call_sid)
        value = json.dumps([event.order, event.at, dict(event.params)])
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, f"{event.kind}\x1f{event.ident}", value)
            pipe.pexpire(key, _ms(ttl))
            new, _ = pipe.execute()
        return bool(new)

    @_guarded
    def call_events(self, call_sid: str) -> list[CallEvent]:
        events = []
        for field, value in self.client.hgetall(self._key("call", call_sid)).items():
            kind, _, ident = _text(field).partition("\x1f")
            order, at, params = json.loads(_text(value))
            events.append(CallEvent(kind, ident, order, at, params))
        return events

    # -- opt-outs and block list -----------------------------------------------------------

    @_guarded
    def set_opt_out(self, opt_out: OptOut, ttl: float | None) -> None:
        key = self._key("optout", opt_out.number)
        expires = None if ttl is None else opt_out.at + ttl
        value = json.dumps([opt_out.at, opt_out.source, expires])
        index = self._key("optouts")
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(key, opt_out.sender, value)
            pipe.zadd(index, {f"{opt_out.number}\x1f{opt_out.sender}": opt_out.at})
            if ttl is None:
                pipe.persist(key)
            else:
                # The key outlives none of its fields; each field's own expiry is checked on read.
                pipe.pexpire(key, _ms(ttl), gt=True)
                pipe.pexpire(key, _ms(ttl), nx=True)
            pipe.execute()

    @_guarded
    def clear_opt_out(self, number: str, sender: str | None) -> None:
        key = self._key("optout", number)
        index = self._key("optouts")
        with self.client.pipeline(transaction=True) as pipe:
            if sender is None:
                senders = [_text(s) for s in self.client.hkeys(key)]
                pipe.delete(key)
            else:
                senders = [sender, ""]
                pipe.hdel(key, *senders)
            if senders:
                pipe.zrem(index, *(f"{number}\x1f{s}" for s in senders))
            pipe.execute()

    def _opt_out(self, number: str, sender: str, value: Any) -> OptOut | None:
        at, source, expires = json.loads(_text(value))
        if expires is not None and expires <= time.time():
            return None
        return OptOut(number, sender, at, source)

    @_guarded
    def opt_outs_of(self, number: str) -> list[OptOut]:
        found = []
        for sender, value in self.client.hgetall(self._key("optout", number)).items():
            opt_out = self._opt_out(number, _text(sender), value)
            if opt_out is not None:
                found.append(opt_out)
        return found

    @_guarded
    def recent_opt_outs(self, limit: int) -> list[OptOut]:
        found: list[OptOut] = []
        start = 0
        while len(found) < limit:
            members = self.client.zrevrange(self._key("optouts"), start, start + limit - 1)
            if not members:
                break
            with self.client.pipeline(transaction=False) as pipe:
                pairs = [_text(m).partition("\x1f") for m in members]
                for number, _, sender in pairs:
                    pipe.hget(self._key("optout", number), sender)
                values = pipe.execute()
            for (number, _, sender), value in zip(pairs, values, strict=False):
                opt_out = None if value is None else self._opt_out(number, sender, value)
                if opt_out is not None:
                    found.append(opt_out)
            start += limit
        return found[:limit]

    @_guarded
    def block(self, number: str, at: float, ttl: float | None) -> None:
        self.client.set(self._key("block", number), repr(at), px=None if ttl is None else _ms(ttl))

    @_guarded
    def unblock(self, number: str) -> None:
        self.client.delete(self._key("block", number))

    @_guarded
    def is_blocked(self, number: str) -> bool:
        return bool(self.client.exists(self._key("block", number)))

    # -- webhook history -------------------------------------------------------------------

    def _add_histories(self, records: list[HistoryRecord], size: int) -> int:
        return int(
            self._run(
                self._scripts.add_history,
                keys=[self._key("history-id"), self._key("history")],
                args=[size, *(json.dumps(r.to_json()) for r in records)],
            )
        )

    @_guarded
    def add_history(self, record: HistoryRecord, size: int) -> int:
        self._history_buffer.flush()  # ids in the order the records came
        return self._add_histories([record], size)

    def queue_history(self, record: HistoryRecord, size: int) -> None:
        """Store *record* with the next batch (see :mod:`twhooks.store.history_buffer`)."""
        self._history_buffer.add(record, size)

    @_guarded
    def flush_history(self) -> None:
        """Write the queued history records now."""
        self._history_buffer.flush()

    @staticmethod
    def _history(member: Any) -> HistoryRecord:
        id, _, data = _text(member).partition(":")
        record = HistoryRecord.from_json(json.loads(data))
        record.id = int(id)
        return record

    @_guarded
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

    @_guarded
    def get_history(self, id: int) -> HistoryRecord | None:
        self._history_buffer.flush()
        members = self.client.zrangebyscore(self._key("history"), id, id)
        return self._history(members[0]) if members else None
