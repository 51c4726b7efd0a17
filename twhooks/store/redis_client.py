"""The Redis store's client, under :class:`~twhooks.store.redis.RedisStore`: its keys, its
scripts run on held connections, its errors, and the text its values are kept as.

A client made from a URL is the store's own: its scripts run on connections it holds
(:mod:`twhooks.store.redis_held`). A client of the app's own runs them through the client, with
its settings (retries, metrics, cache). redis-py's pool notices a fork and opens new
connections in the child by itself.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any, ParamSpec, TypeVar

import redis
from redis.commands.core import Script

from ..replies import Reply
from .errors import guard
from .redis_held import HeldConnections
from .redis_scripts import Scripts
from .redis_urls import is_cluster, redis_client_for

__all__ = ["RedisClient", "decode_reply", "encode_reply", "guarded", "milliseconds", "text"]

P = ParamSpec("P")
R = TypeVar("R")


def _failure(client: Any, exc: Exception) -> str | None:
    if not isinstance(exc, redis.RedisError):
        return None
    return f"the Redis store failed: {type(exc).__name__}: {exc}"


#: Turn redis-py's errors into :class:`~twhooks.store.StoreUnavailable` (reported to
#: :mod:`twhooks.observability.store`, with the call, when traces or metrics are on).
guarded = guard(_failure)


def text(value: Any) -> str:
    """A value read from Redis as text (bytes, unless the client decodes responses)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def milliseconds(seconds: float) -> int:
    """A TTL in whole milliseconds, at least 1."""
    return max(1, int(seconds * 1000))


def encode_reply(reply: Reply) -> str:
    """A stored reply as text: its body base64-encoded."""
    return json.dumps(
        {"s": reply.status, "h": reply.headers, "b": base64.b64encode(reply.body).decode()}
    )


def decode_reply(value: Any) -> Reply:
    """The reply :func:`encode_reply` stored."""
    d = json.loads(text(value))
    headers = [(str(k), str(v)) for k, v in d["h"]]
    return Reply(int(d["s"]), headers, base64.b64decode(d["b"]))


class RedisClient:
    """The client of a Redis store, its key prefix and its scripts.

    :param client: a URL (``redis://host:port/db``) or a :class:`redis.Redis` client of the
        app's own.
    :param prefix: put before every key.
    """

    def __init__(self, client: str | redis.Redis, *, prefix: str = "twhooks:") -> None:
        self.client: redis.Redis = redis_client_for(client) if isinstance(client, str) else client
        self._owned = isinstance(client, str)
        #: A cluster runs a script only on keys of one slot: the prefix is then a hash tag,
        #: ``{twhooks:}``, and every key of the store is in its slot (see docs/store.rst).
        self.cluster = is_cluster(self.client)
        if self.cluster and not ("{" in prefix and "}" in prefix.partition("{")[2]):
            prefix = "{" + prefix + "}"
        self.prefix = prefix
        self._scripts = Scripts(self.client)
        # A cluster's client routes each call to its node itself.
        self._held = HeldConnections(self.client) if self._owned and not self.cluster else None

    def __repr__(self) -> str:
        if self.cluster:
            nodes = self.client.get_nodes()  # type: ignore[attr-defined]
            where = "cluster " + ",".join(f"{n.host}:{n.port}" for n in nodes[:3])
        else:
            kwargs = self.client.connection_pool.connection_kwargs
            service = getattr(self.client.connection_pool, "service_name", None)
            where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
            if service:  # a Sentinel's master: its host changes with a failover
                where = f"sentinel {service}/{kwargs.get('db', 0)}"
        return f"RedisStore({where!r}, prefix={self.prefix!r})"

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _run(self, script: Script, keys: list[str], args: Sequence[Any] = ()) -> Any:
        """Run one of the store's scripts (see :mod:`twhooks.store.redis_held`)."""
        if self._held is None:
            return script(keys=keys, args=args)
        return self._held.run(script, keys, args)

    def close(self) -> None:
        """Release the held connections, and the client if it is the store's own."""
        if self._held is not None:
            self._held.close()
        if self._owned:
            self.client.close()

    def delete_all(self) -> int:
        """Delete every key under this store's prefix (its data is lost).

        :returns: how many keys were deleted.
        """
        deleted = 0
        for key in self.client.scan_iter(match=self.prefix + "*", count=1000):
            deleted += int(self.client.delete(key))
        return deleted
