"""The Redis store's scripts on connections it holds: one send and one read per call.

redis-py's client spends several times the socket I/O on every command around it (a pool
checkout and release that polls the socket, a retry wrapper, metrics hooks). The store's hot
path (claims, status callbacks, conversations, history batches) runs its Lua scripts instead on
connections of redis-py's own pool that it keeps between calls (as the SQL store keeps its
driver connections), with redis-py's public :class:`~redis.connection.Connection` API:
``send_command`` and ``read_response``.

* A connection that fails is disconnected and given back to the pool: the call is
  :class:`~twhooks.store.StoreUnavailable` (a write may or may not have been done, so it is not
  sent again), the next call connects anew. A connection left unused for
  :data:`CHECK_AFTER` seconds is first checked as the pool does (a server that closed it, or
  restarted, costs no failed call).
* ``NOSCRIPT`` (the server forgot the script, or is another one): the script is sent whole
  (``EVAL``), which loads it again.
* Forks: a child process never uses its parent's connections (nor closes them); it takes
  its own from the pool, which redis-py resets in a child.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError, ResponseError

__all__ = ["CHECK_AFTER", "IDLE_CONNECTIONS", "HeldConnections"]

#: How many idle connections a process keeps (one per thread that uses the store at once, and
#: the history writer's).
IDLE_CONNECTIONS = 4

#: A held connection unused for longer than this (seconds) is checked before use.
CHECK_AFTER = 1.0


class HeldConnections:
    """Run scripts on connections taken from *client*'s pool and kept between calls."""

    def __init__(self, client: redis.Redis, keep: int = IDLE_CONNECTIONS) -> None:
        self.pool = client.connection_pool
        self.keep = keep
        self.check_after = CHECK_AFTER
        # (connection, when it was last used), most recently used last.
        self._idle: list[tuple[Any, float]] = []
        self._pid = os.getpid()

    def run(self, script: Script, keys: list[str], args: Sequence[Any]) -> Any:
        """``EVALSHA`` *script* (``EVAL`` if the server does not have it); its reply."""
        conn = self._take()
        try:
            try:
                conn.send_command("EVALSHA", script.sha, len(keys), *keys, *args)
                reply = conn.read_response()
            except NoScriptError:
                conn.send_command("EVAL", script.script, len(keys), *keys, *args)
                reply = conn.read_response()
        except ResponseError:  # an error reply: the connection is fine
            self._give_back(conn)
            raise
        except BaseException:
            self._drop(conn)
            raise
        self._give_back(conn)
        return reply

    def _take(self) -> Any:
        if self._pid != os.getpid():
            # Forked: the parent's connections are not ours to use, nor to close.
            self._idle = []
            self._pid = os.getpid()
        try:
            conn, used = self._idle.pop()
        except IndexError:
            return self.pool.get_connection()  # connected and checked by the pool
        if time.monotonic() - used > self.check_after:
            try:
                if conn.can_read():  # data nobody asked for, or closed by the server
                    conn.disconnect()
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                conn.disconnect()
        return conn  # send_command connects a disconnected one

    def _give_back(self, conn: Any) -> None:
        if self._pid == os.getpid() and len(self._idle) < self.keep:
            self._idle.append((conn, time.monotonic()))
        else:
            self.pool.release(conn)

    def _drop(self, conn: Any) -> None:
        try:
            conn.disconnect()
        finally:
            self.pool.release(conn)

    def close(self) -> None:
        """Give this process's idle connections back to the pool, disconnected."""
        if self._pid != os.getpid():
            self._idle = []
            return
        idle, self._idle = self._idle, []
        for conn, _ in idle:
            self._drop(conn)
