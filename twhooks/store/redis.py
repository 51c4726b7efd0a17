"""The Redis store, on redis-py (``pip install twhooks[redis]``).

Claims are ``SET … NX PX``; every write that reads before it writes is one Lua script, which
Redis runs atomically (:mod:`twhooks.store.redis_scripts`); every key has a TTL
(``PX``/``PEXPIRE``) except the opt-outs and block list (kept until taken back, unless given a
TTL) and the history (capped by size). Values are text (bodies base64-encoded), so a client
made with ``decode_responses=True`` works as well.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import redis

from ..replies import Reply
from .polling import PENDING, Pending, poll
from .records import (
    CallEvent,
    ConversationRecord,
    Delivery,
    OptOut,
    StatusChange,
    message_status_order,
)
from .redis_blocks import BlockCache, block_value, new_version
from .redis_client import decode_reply, encode_reply, guarded, milliseconds, text
from .redis_history import RedisHistory
from .redis_urls import redis_client_for as redis_client_for

__all__ = ["RedisStore", "redis_client_for"]

#: The index of messages drops those past their TTL once every this many status callbacks
#: of a process (a reader skips them meanwhile: their hash is gone).
PRUNE_EVERY = 100


class RedisStore(RedisHistory):
    """A :class:`~twhooks.store.Store` in Redis.

    :param client: a URL — ``redis://host:port/db``, a Sentinel's
        ``redis+sentinel://host:port[,host:port]/service_name[/db]`` or a Cluster's
        ``redis+cluster://host:port[,host:port]`` (:mod:`twhooks.store.redis_urls`) — or a
        client of the app's own (a :class:`redis.Redis`, a Sentinel's ``master_for(...)``, a
        :class:`~redis.cluster.RedisCluster`).
    :param prefix: put before every key; on a cluster, made a hash tag (``{twhooks:}``) when
        it holds none, so that every key of the store is in one slot (the Lua scripts touch
        several keys at once).
    """

    #: Its calls wait on Redis: an event loop makes them from a worker thread.
    blocking = True

    def __init__(self, client: str | redis.Redis, *, prefix: str = "twhooks:") -> None:
        super().__init__(client, prefix=prefix)
        self._callbacks = 0
        self._blocks = BlockCache()

    def delete_all(self) -> int:
        deleted = super().delete_all()
        self._blocks.forget()
        return deleted

    # -- replays ---------------------------------------------------------------------------

    @guarded
    def claim(self, key: str, owner: str, lease: float) -> Reply | bool:
        found, version = self._run(
            self._scripts.claim,
            keys=[self._key("claim", key), self._key("reply", key), self._key("block-version")],
            args=[owner, milliseconds(lease)],
        )
        self._blocks.saw(version)  # the block check that follows needs no round trip
        if isinstance(found, int):
            return found == 1
        return decode_reply(found)

    @guarded
    def finish(self, key: str, owner: str, reply: Reply | None, ttl: float) -> None:
        self._run(
            self._scripts.finish,
            keys=[self._key("claim", key), self._key("reply", key)],
            args=[owner, "" if reply is None else encode_reply(reply), milliseconds(ttl)],
        )

    @guarded
    def renew(self, key: str, owner: str, lease: float) -> bool:
        renewed = self._run(
            self._scripts.renew, keys=[self._key("claim", key)], args=[owner, milliseconds(lease)]
        )
        return bool(int(renewed))

    @guarded
    def wait(self, key: str, timeout: float) -> Reply | None:
        keys = [self._key("claim", key), self._key("reply", key)]

        def attempt() -> Reply | Pending | None:
            found = self._run(self._scripts.peek, keys=keys)
            if isinstance(found, int):
                return PENDING if found else None
            return decode_reply(found)

        result = poll(attempt, timeout)
        return result if isinstance(result, Reply) else None

    # -- conversations ---------------------------------------------------------------------

    @guarded
    def load_conversation(self, key: str) -> ConversationRecord | None:
        found = {text(k): text(v) for k, v in self.client.hgetall(self._key("conv", key)).items()}
        if "version" not in found:
            return None
        return ConversationRecord(
            key,
            json.loads(found["state"]),
            json.loads(found["data"]),
            int(found["version"]),
            float(found["updated_at"]),
        )

    @guarded
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
                    milliseconds(ttl),
                    key,
                ],
            )
        )
        return saved or None

    @guarded
    def delete_conversation(self, key: str) -> None:
        with self.client.pipeline() as pipe:
            pipe.delete(self._key("conv", key))
            pipe.zrem(self._key("convs"), key)
            pipe.execute()

    @guarded
    def recent_conversations(self, limit: int) -> list[ConversationRecord]:
        keys = [text(k) for k in self.client.zrevrange(self._key("convs"), 0, limit - 1)]
        with self.client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hgetall(self._key("conv", key))
            values = pipe.execute()
        found: list[ConversationRecord] = []
        for key, value in zip(keys, values, strict=True):
            fields = {text(k): text(v) for k, v in value.items()}
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

    @guarded
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
                milliseconds(ttl),
                self._prune(),
            ],
        )
        return text(previous) or None, advanced == 1

    @guarded
    def furthest_status(self, sid: str) -> str | None:
        """The furthest status of message *sid* (``None``: unknown, or only tracked)."""
        value = self.client.hget(self._key("msg", sid), "status")
        return None if value is None else text(value) or None

    def _prune(self) -> str:
        """``"1"`` once every :data:`PRUNE_EVERY` callbacks of this process, else ``"0"``."""
        self._callbacks += 1
        return "1" if self._callbacks % PRUNE_EVERY == 1 else "0"

    @guarded
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
            pipe.pexpire(key, milliseconds(ttl))
            pipe.zadd(self._key("msgs"), {sid: at})
            pipe.pexpire(self._key("msgs"), milliseconds(ttl))
            pipe.execute()

    def _delivery(self, sid: str, raw: Mapping[Any, Any]) -> Delivery | None:
        d = {text(k): text(v) for k, v in raw.items()}
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

    @guarded
    def get_message(self, sid: str) -> Delivery | None:
        raw = self.client.hgetall(self._key("msg", sid))
        found = self._delivery(sid, raw)
        if found is None:
            return None
        history = []
        for field, value in raw.items():
            name = text(field)
            if name.startswith("h:"):
                at, _, code = text(value).partition("|")
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
                text(s)
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

    @guarded
    def recent_messages(self, limit: int, status: str | None) -> list[Delivery]:
        found: list[Delivery] = []
        for d in self._all_messages(None, batch=max(limit, 50)):
            if status is None or d.status == status:
                found.append(d)
                if len(found) >= limit:
                    break
        return sorted(found, key=lambda d: d.updated_at, reverse=True)

    @guarded
    def message_summary(self, since: float | None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self._all_messages(since):
            if d.status is not None and (since is None or d.updated_at >= since):
                counts[d.status] = counts.get(d.status, 0) + 1
        return counts

    # -- calls -----------------------------------------------------------------------------

    @guarded
    def record_call_event(self, call_sid: str, event: CallEvent, ttl: float) -> bool:
        key = self._key("call", call_sid)
        value = json.dumps([event.order, event.at, dict(event.params)])
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, f"{event.kind}\x1f{event.ident}", value)
            pipe.pexpire(key, milliseconds(ttl))
            new, _ = pipe.execute()
        return bool(new)

    @guarded
    def call_events(self, call_sid: str) -> list[CallEvent]:
        events = []
        for field, value in self.client.hgetall(self._key("call", call_sid)).items():
            kind, _, ident = text(field).partition("\x1f")
            order, at, params = json.loads(text(value))
            events.append(CallEvent(kind, ident, order, at, params))
        return events

    # -- opt-outs and block list -----------------------------------------------------------

    @guarded
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
                pipe.pexpire(key, milliseconds(ttl), gt=True)
                pipe.pexpire(key, milliseconds(ttl), nx=True)
            pipe.execute()

    @guarded
    def clear_opt_out(self, number: str, sender: str | None) -> None:
        key = self._key("optout", number)
        index = self._key("optouts")
        with self.client.pipeline(transaction=True) as pipe:
            if sender is None:
                senders = [text(s) for s in self.client.hkeys(key)]
                pipe.delete(key)
            else:
                senders = [sender, ""]
                pipe.hdel(key, *senders)
            if senders:
                pipe.zrem(index, *(f"{number}\x1f{s}" for s in senders))
            pipe.execute()

    def _opt_out(self, number: str, sender: str, value: Any) -> OptOut | None:
        at, source, expires = json.loads(text(value))
        if expires is not None and expires <= time.time():
            return None
        return OptOut(number, sender, at, source)

    @guarded
    def opt_outs_of(self, number: str) -> list[OptOut]:
        found = []
        for sender, value in self.client.hgetall(self._key("optout", number)).items():
            opt_out = self._opt_out(number, text(sender), value)
            if opt_out is not None:
                found.append(opt_out)
        return found

    @guarded
    def recent_opt_outs(self, limit: int) -> list[OptOut]:
        found: list[OptOut] = []
        start = 0
        while len(found) < limit:
            members = self.client.zrevrange(self._key("optouts"), start, start + limit - 1)
            if not members:
                break
            with self.client.pipeline(transaction=False) as pipe:
                pairs = [text(m).partition("\x1f") for m in members]
                for number, _, sender in pairs:
                    pipe.hget(self._key("optout", number), sender)
                values = pipe.execute()
            for (number, _, sender), value in zip(pairs, values, strict=False):
                opt_out = None if value is None else self._opt_out(number, sender, value)
                if opt_out is not None:
                    found.append(opt_out)
            start += limit
        return found[:limit]

    # The block list: a hash and a version stamp, and this process's copy of it
    # (:mod:`twhooks.store.redis_blocks`).

    @guarded
    def add_to_counter(self, key: str, amount: int, window: float) -> tuple[int, float]:
        count, left = self._run(
            self._scripts.add_to_counter,
            keys=[self._key("counter", key)],
            args=[amount, milliseconds(window)],
        )
        return int(count), max(0, int(left)) / 1000

    @guarded
    def block(self, number: str, at: float, ttl: float | None) -> None:
        now = time.time()
        self._run(
            self._scripts.block,
            keys=[self._key("blocks"), self._key("block-version")],
            args=[
                number,
                block_value(at, None if ttl is None else now + ttl),
                new_version(),
                int(now * 1000),
            ],
        )
        self._blocks.forget()

    @guarded
    def unblock(self, number: str) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hdel(self._key("blocks"), number)
            pipe.set(self._key("block-version"), new_version())
            pipe.execute()
        self._blocks.forget()

    @guarded
    def is_blocked(self, number: str) -> bool:
        blocks = self._blocks
        if not blocks.fresh():
            with self.client.pipeline(transaction=True) as pipe:
                pipe.get(self._key("block-version"))
                pipe.hgetall(self._key("blocks"))
                version, entries = pipe.execute()
            blocks.load(version, entries)
        return blocks.contains(number)
