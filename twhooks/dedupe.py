"""Answer retried webhooks with the first response, keyed by ``I-Twilio-Idempotency-Token``.

Twilio retries a webhook that timed out or could not connect, with the same idempotency
token, and the retry may arrive while the first request is still being handled. A
:class:`ReplayCache` remembers the response of each token so the handler runs once:

- the first request with a token *claims* it, runs, and *finishes* it with its response;
- a retry that finds the token finished gets the stored response back;
- a retry that finds the token still in flight waits for it (at most :attr:`ReplayCache.wait`
  seconds), then gets its response — or, if the first request failed or is too slow,
  runs itself.

Failed responses are not stored (:meth:`ReplayCache.finish` with ``None``), so a retry of a
failure runs the handler again. The cache holds at most ``size`` tokens, oldest evicted
first, and lives in one process. This module knows nothing of Flask.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["Claim", "ReplayCache"]

#: What is remembered for a token: the response, in whatever form the caller keeps it.
R = TypeVar("R")


class Claim(Generic[R]):
    """One token's slot in the cache: in flight until :meth:`ReplayCache.finish`."""

    __slots__ = ("done", "key", "response")

    def __init__(self, key: str) -> None:
        self.key = key
        #: Whether the request that claimed the token has finished.
        self.done = False
        #: Its response, if it is worth replaying.
        self.response: R | None = None


class ReplayCache(Generic[R]):
    """Responses by idempotency token, bounded and thread-safe.

    :param size: how many tokens to remember.
    :param wait: how long a retry waits for the request it repeats, in seconds. Twilio
        gives up on a request after 15 seconds in total.
    """

    def __init__(self, size: int = 1024, wait: float = 15.0) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self.size = size
        self.wait = wait
        self._lock = threading.Lock()
        # One condition for all claims: a retry waiting is rare, a claim is made per request.
        self._finished = threading.Condition(self._lock)
        self._waiting = 0
        self._claims: OrderedDict[str, Claim[R]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._claims)

    def claim(self, key: str) -> tuple[Claim[R], bool]:
        """The claim of ``key`` and whether this caller is the first to make it.

        The first caller must call :meth:`finish` with the claim, whatever happens.
        """
        with self._lock:
            found = self._claims.get(key)
            if found is not None:
                return found, False
            claim: Claim[R] = Claim(key)
            self._claims[key] = claim
            if len(self._claims) > self.size:
                self._claims.popitem(last=False)
            return claim, True

    def finish(self, claim: Claim[R], response: R | None) -> None:
        """Store ``response`` for the claim's token (``None``: forget the token)."""
        with self._lock:
            claim.response = response
            claim.done = True
            if response is None and self._claims.get(claim.key) is claim:
                del self._claims[claim.key]
            if self._waiting:
                self._finished.notify_all()

    def replay(self, claim: Claim[R]) -> R | None:
        """For a retry: the response of ``claim``, waiting up to :attr:`wait` if in flight."""
        with self._finished:
            self._waiting += 1
            try:
                self._finished.wait_for(lambda: claim.done, self.wait)
            finally:
                self._waiting -= 1
            return claim.response
