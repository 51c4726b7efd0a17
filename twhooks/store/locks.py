"""A lock in the shared store, held by one request across workers and hosts.

A lock is a claim of ``<namespace>-lock:<key>`` in the store (atomic, with a lease renewed
while it is held, so that the lock of a worker that died expires soon).
:meth:`StoreLock.acquire` takes it — trying once (``wait=0``, where an event loop waits between
tries itself) or waiting with a bounded backoff — and :meth:`StoreLock.release` gives it back,
only if this holder still holds it. Conversations hold one while their handler runs; so do the
status callbacks of one message or call.
"""

from __future__ import annotations

import time
import uuid

from ..observability import store as watched
from .base import Store
from .errors import LockTimeout
from .polling import PENDING, Pending, poll
from .renewal import renewals

__all__ = ["StoreLock"]


class StoreLock:
    """The lock of *key* in *store*.

    :param lease: how long the lock outlives a holder that died, in seconds.
    :param wait: how long :meth:`acquire` waits for another holder by default, in seconds.
    :param namespace: what is locked (``"conv"``, ``"sid"``): the claim's key is
        ``<namespace>-lock:<key>``.
    """

    __slots__ = ("_claim", "_held", "_owner", "_renewal", "_store", "key", "lease", "wait")

    def __init__(
        self, store: Store, key: str, *, lease: float, wait: float, namespace: str = "conv"
    ) -> None:
        self._store = store
        self.key = key
        self.lease = lease
        self.wait = wait
        self._claim = f"{namespace}-lock:{key}"
        self._owner = uuid.uuid4().hex
        self._held = False
        self._renewal: int | None = None

    @property
    def held(self) -> bool:
        """Whether this holder has the lock."""
        return self._held

    def acquire(self, wait: float | None = None) -> None:
        """Take the lock (once; taking it again does nothing).

        :param wait: how long to wait for another holder (default :attr:`wait`); ``0`` tries
            once.
        :raises LockTimeout: another holder kept it for the whole wait.
        """
        if self._held:
            return
        wait = self.wait if wait is None else wait

        tries = 0

        def attempt() -> bool | Pending:
            nonlocal tries
            tries += 1
            got = self._store.claim(self._claim, self._owner, self.lease)
            return True if got is True else PENDING

        begun = time.perf_counter()
        got = poll(attempt, wait)
        if tries > 1:  # another request held it: how long it was waited for, for the metrics
            watched.waited(time.perf_counter() - begun)
        if got is not True:
            raise LockTimeout(self.key, wait)
        self._held = True
        # Renewed while held (every quarter lease, by this process's renewal thread): a lease
        # short enough that a dead holder frees it soon, never lost by a slow handler.
        self._renewal = renewals.hold(self._store, self._claim, self._owner, self.lease)

    def release(self) -> None:
        """Give the lock back, if held (a lock whose lease ran out and that another holder took
        is not taken from it)."""
        if self._held:
            renewals.drop(self._renewal)
            self._renewal = None
            # Held until given back: a release that failed (the store down) may be tried again.
            self._store.finish(self._claim, self._owner, None, 0.0)
            self._held = False
