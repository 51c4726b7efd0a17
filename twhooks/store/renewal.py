"""Leases kept alive while their holder runs: one daemon thread per process renews them.

A claim (:mod:`twhooks.store.replays`) and a conversation's lock
(:mod:`twhooks.store.conversations`) carry a short lease, so that the claim of a worker that
died (``kill -9``, a crash, a host lost) ends within seconds and Twilio's retry is answered
well inside its 15 s. A handler that runs longer than the lease must keep its claim: while
the request runs, :data:`renewals` renews it — every quarter lease, with the store's
``renew`` (atomic: only the owner's live claim is extended) — and stops when the request
gives it back (:meth:`Renewals.drop`, before the claim is finished).

- One thread per process, started with the first claim held, a daemon: the asyncio driver's
  event loop never waits for a renewal (:meth:`~Renewals.hold` and :meth:`~Renewals.drop`
  only touch a dictionary under a lock).
- Forks (gunicorn's workers): a child renews none of its parent's claims and starts a thread
  of its own when it holds one.
- A renewal that finds the claim gone (its lease ran out before the renewal — a store that
  stalled — and another request took it over) is logged once, and that claim is no longer
  renewed; a store that fails is logged, and tried again at the next turn.
- A claim held for :data:`MAX_HOLD` seconds is no longer renewed (logged): a request that
  never gave its claim back cannot block its retries forever.

A store without a ``renew`` method (one of your own) is not renewed: its claims end with
their lease.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_HOLD", "Renewals", "renewals"]

logger = logging.getLogger("twhooks.store")

#: How long a claim is renewed at most, in seconds.
MAX_HOLD = 600.0


class _Held:
    __slots__ = ("due", "key", "lease", "owner", "renew", "until")

    def __init__(
        self,
        renew: Callable[[str, str, float], bool],
        key: str,
        owner: str,
        lease: float,
        now: float,
    ) -> None:
        self.renew = renew
        self.key = key
        self.owner = owner
        self.lease = lease
        self.due = now + lease / 4
        self.until = now + MAX_HOLD


class Renewals:
    """The claims this process holds, renewed by a daemon thread until dropped."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        # New in a forked child: a lock held at the fork, the parent's claims and its thread
        # are not the child's.
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._held: dict[int, _Held] = {}
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None
        self._wake_at = float("inf")

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, store: Any, key: str, owner: str, lease: float) -> int | None:
        """Renew *owner*'s claim of *key* in *store* (taken for *lease* seconds) until
        :meth:`drop`; its handle (``None``: *store* cannot renew)."""
        renew = getattr(store, "renew", None)
        if renew is None:
            return None
        now = time.monotonic()
        held = _Held(renew, key, owner, lease, now)
        with self._lock:
            handle = next(self._ids)
            self._held[handle] = held
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="twhooks-renewals", daemon=True
                )
                self._thread.start()
            elif held.due < self._wake_at:
                self._changed.notify()
        return handle

    def drop(self, handle: int | None) -> None:
        """Stop renewing the claim of *handle* (before it is finished)."""
        if handle is not None:
            with self._lock:
                self._held.pop(handle, None)

    def _run(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                due = [(h, held) for h, held in self._held.items() if held.due <= now]
                if not due:
                    self._wake_at = min((h.due for h in self._held.values()), default=now + 60)
                    self._changed.wait(self._wake_at - now)
                    continue
                for handle, held in due:
                    held.due = now + held.lease / 4
                    if now >= held.until:
                        del self._held[handle]
            for handle, held in due:
                if now >= held.until:
                    logger.warning(
                        "claim %s held for %.0f s: no longer renewed, it ends with its lease",
                        held.key,
                        MAX_HOLD,
                    )
                else:
                    self._renew(handle, held)

    def _renew(self, handle: int, held: _Held) -> None:
        try:
            renewed = held.renew(held.key, held.owner, held.lease)
        except Exception as error:
            logger.warning("claim %s could not be renewed (tried again): %s", held.key, error)
            return
        if renewed:
            return
        with self._lock:
            lost = self._held.pop(handle, None) is not None
        if lost:  # not merely given back meanwhile
            logger.warning(
                "claim %s was lost: its %.1f s lease ran out before it was renewed (another "
                "request may run it too)",
                held.key,
                held.lease,
            )


#: The process's renewals: every claim and conversation lock the request path holds.
renewals = Renewals()
