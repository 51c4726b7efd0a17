"""Redis beyond one server: a client for a ``redis://``, a Sentinel or a Cluster URL.

``TWHOOKS_STORE`` (and a queue's Redis, such as the RQ runner's) may name:

- one server: ``redis://[[user]:password@]host:port/db``, ``rediss://`` (TLS), ``unix://``
  — redis-py's own URLs;
- a master watched by Sentinel:
  ``redis+sentinel://[[user]:password@]host:port[,host:port…]/service_name[/db]``
  (``rediss+sentinel://`` for TLS to the master and replicas). The sentinels are asked which
  server is the master, and asked again after a failover: a connection that fails is
  dropped, the call is :class:`~twhooks.store.StoreUnavailable`, the next one reaches the new
  master. The password is the master's; ``?sentinel_password=`` gives the sentinels' own.
  redis-py has no URL for this: the form is the one Celery and Kombu use, with ``redis+``;
- a Redis Cluster: ``redis+cluster://[[user]:password@]host:port[,host:port…]`` (any of
  its nodes; the others are discovered), ``rediss+cluster://`` for TLS. A cluster has only
  database 0. redis-py's :class:`~redis.cluster.RedisCluster` takes ``redis://`` URLs of
  one node; the ``redis+cluster`` scheme says which client to build.

A client of the app's own (a :class:`redis.Redis`, a Sentinel's ``master_for(...)``, a
:class:`~redis.cluster.RedisCluster`) is taken as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

import redis

__all__ = ["RedisUrl", "is_cluster", "parse_redis_url", "redis_client_for"]

#: The schemes of one server, handed to ``redis.Redis.from_url``.
SINGLE = ("redis", "rediss", "unix")
SENTINEL = ("redis+sentinel", "rediss+sentinel")
CLUSTER = ("redis+cluster", "rediss+cluster")


@dataclass(frozen=True)
class RedisUrl:
    """A Sentinel or Cluster URL, read."""

    scheme: str
    hosts: tuple[tuple[str, int], ...]
    username: str | None
    password: str | None
    #: The Sentinel's service name (the master's name), ``None`` for a cluster.
    service: str | None
    db: int
    query: dict[str, str]

    @property
    def tls(self) -> bool:
        return self.scheme.startswith("rediss")


def parse_redis_url(url: str) -> RedisUrl:
    """Read a ``redis+sentinel://`` or ``redis+cluster://`` URL.

    :raises ValueError: a malformed one (the message never shows the password).
    """
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SENTINEL + CLUSTER:
        raise ValueError(f"not a Sentinel or Cluster URL: {scheme}://…")
    rest, _, query_text = rest.partition("?")
    location, _, path = rest.partition("/")
    userinfo, at, hostlist = location.rpartition("@")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    hosts = []
    for item in hostlist.split(","):
        host, colon, port = item.strip().rpartition(":")
        if not colon:
            host, port = port, "26379" if scheme in SENTINEL else "6379"
        if not host or not port.isdigit():
            raise ValueError(f"{scheme}:// needs host:port[,host:port…], not {item!r}")
        hosts.append((host.strip("[]"), int(port)))
    parts = [p for p in path.split("/") if p]
    service = None
    if scheme in SENTINEL:
        if not parts:
            raise ValueError(
                f"{scheme}://host:port/service_name[/db]: the service (master) name is missing"
            )
        service = unquote(parts.pop(0))
    if len(parts) > 1 or (parts and not parts[0].isdigit()):
        raise ValueError(f"{scheme}://: the database must be a number, not {'/'.join(parts)!r}")
    db = int(parts[0]) if parts else 0
    if scheme in CLUSTER and db != 0:
        raise ValueError("a Redis Cluster has only database 0")
    query = {name: values[-1] for name, values in parse_qs(query_text).items()}
    return RedisUrl(scheme, tuple(hosts), username, password, service, db, query)


def redis_client_for(url: str, **kwargs: Any) -> Any:
    """A redis-py client for *url*: a :class:`redis.Redis` (one server, or the master a
    Sentinel names) or a :class:`~redis.cluster.RedisCluster`.

    :param kwargs: passed to the client (``socket_timeout``, ``decode_responses`` …).
    :raises ValueError: a URL of no scheme above, or malformed.
    """
    scheme = url.partition(":")[0].lower()
    if scheme in SINGLE:
        return redis.Redis.from_url(url, **kwargs)
    read = parse_redis_url(url)
    auth: dict[str, Any] = {"username": read.username, "password": read.password}
    if read.tls:
        kwargs.setdefault("ssl", True)
    if read.service is not None:
        from redis.sentinel import Sentinel

        sentinel_kwargs = {}
        if "sentinel_password" in read.query:
            sentinel_kwargs["password"] = read.query["sentinel_password"]
        timeout = kwargs.get("socket_timeout", 5.0)
        sentinel = Sentinel(
            list(read.hosts),
            sentinel_kwargs={"socket_timeout": timeout, **sentinel_kwargs},
        )
        return sentinel.master_for(read.service, db=read.db, **auth, **kwargs)
    from redis.cluster import ClusterNode, RedisCluster

    nodes = [ClusterNode(host, port) for host, port in read.hosts]  # type: ignore[no-untyped-call]
    return RedisCluster(startup_nodes=nodes, **auth, **kwargs)


def is_cluster(client: Any) -> bool:
    """Whether *client* is a Redis Cluster client (no one connection pool: a node each)."""
    return not hasattr(client, "connection_pool") and hasattr(client, "nodes_manager")
