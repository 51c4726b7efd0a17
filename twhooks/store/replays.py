"""Answer a retried webhook with the first reply: one claim around dispatch.

Twilio retries a webhook that timed out or could not connect, with the same
``I-Twilio-Idempotency-Token``, and the retry may reach another worker or host while the first
request still runs. The dispatcher (:mod:`twhooks.dispatch`) therefore wraps every request that
carries a token in one *claim*:

- the first request with a key **claims** it (atomically, with a lease so that the claim of a
  crashed worker expires), runs, and **finishes** it with its reply: a
  :class:`~twhooks.replies.Reply` with the status, headers and body *bytes* as sent, cookies
  included (its ``native`` is always ``None``);
- a retry that finds the reply stored gets it back byte for byte;
- a retry that finds the claim in flight **waits** for it (without spinning, at most Twilio's 15
  seconds), then gets its reply, or, if the first request failed or its lease ran out, claims
  the key itself and runs.

A failed request (a 5xx, a handler exception) finishes with ``None``: nothing is stored and its
retry runs again. The key is built by the dispatcher from the token *and* a digest of the
signed request, so a different body under the same token never gets another request's reply.

:class:`ReplayStore` is the interface a backend implements (the in-process
:class:`MemoryReplayStore` here; every :class:`~twhooks.store.Store` is one). This module
knows nothing of any web framework.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Protocol, runtime_checkable

from ..exceptions import ConfigurationError
from ..replies import Reply

__all__ = ["MemoryReplayStore", "ReplayStore"]


@runtime_checkable
class ReplayStore(Protocol):
    """Where claims and stored replies live; shared by every worker that should see them.

    Every method is one atomic operation in the backend (never check-then-write).
    """

    def claim(self, key: str, owner: str, lease: float) -> Reply | bool:
        """Claim *key* for *owner* for *lease* seconds.

        :returns: ``True`` if the caller now holds the claim (no reply stored, and no live
            claim by anyone else; an expired claim is taken over); the stored reply if there is
            one; ``False`` if another owner holds a live claim.
        """
        ...

    def finish(self, key: str, owner: str, reply: Reply | None, ttl: float) -> None:
        """End *owner*'s claim of *key*, storing *reply* for *ttl* seconds (``None``: store none).

        Does nothing if *owner* no longer holds the claim (its lease ran out and another took
        over): a late worker never overwrites the reply of the one that took over.
        """
        ...

    def renew(self, key: str, owner: str, lease: float) -> bool:
        """Extend *owner*'s claim of *key* to *lease* seconds from now, if *owner* still holds
        it (live, not finished, not taken over); what the request path calls while a handler
        runs (:mod:`twhooks.store.renewal`).

        :returns: whether it was extended.
        """
        ...

    def wait(self, key: str, timeout: float) -> Reply | None:
        """Wait up to *timeout* seconds for *key*'s reply.

        :returns: the reply once stored; ``None`` as soon as there is neither a reply nor a live
            claim (the first request failed, or its lease expired), or when the time is up.
        """
        ...


class _Entry:
    __slots__ = ("expires", "owner", "reply")

    def __init__(self, owner: str | None, expires: float, reply: Reply | None) -> None:
        self.owner = owner
        self.expires = expires
        self.reply = reply


class MemoryReplayStore:
    """A :class:`ReplayStore` in this process's memory, bounded and thread-safe.

    Right for tests and a single process; every worker of a multi-process server has its own,
    so use a shared store (:mod:`twhooks.store`) there.

    :param size: how many keys to remember at most (oldest evicted first).
    """

    #: Its calls return at once (all but :meth:`wait`): an event loop may make them itself.
    blocking = False

    def __init__(self, size: int = 1024) -> None:
        if size < 1:
            raise ConfigurationError(f"size must be at least 1, not {size}")
        self.size = size
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._waiting = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def claim(self, key: str, owner: str, lease: float) -> Reply | bool:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires > now:
                if entry.reply is not None:
                    return entry.reply
                if entry.owner is not None:
                    return False
            self._entries[key] = _Entry(owner, now + lease, None)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return True

    def finish(self, key: str, owner: str, reply: Reply | None, ttl: float) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.owner != owner or entry.reply is not None:
                return
            if reply is None:
                del self._entries[key]
            else:
                entry.owner = None
                # A copy: the caller's reply is mutable; the retries get the bytes sent.
                entry.reply = Reply(reply.status, list(reply.headers), reply.body)
                entry.expires = time.monotonic() + ttl
            if self._waiting:
                self._changed.notify_all()

    def renew(self, key: str, owner: str, lease: float) -> bool:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.owner != owner or entry.reply is not None:
                return False
            if entry.expires <= now:
                return False
            entry.expires = now + lease
            return True

    def wait(self, key: str, timeout: float) -> Reply | None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                now = time.monotonic()
                entry = self._entries.get(key)
                if entry is None or entry.expires <= now:
                    return None
                if entry.reply is not None:
                    return entry.reply
                remaining = min(deadline, entry.expires) - now
                if deadline <= now:
                    return None
                self._waiting += 1
                try:
                    self._changed.wait(remaining)
                finally:
                    self._waiting -= 1
