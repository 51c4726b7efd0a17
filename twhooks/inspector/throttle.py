"""How many wrong passwords the inspector takes: per client address, and from everyone.

Each wrong password is counted in the app's store (:meth:`Store.add_to_counter
<twhooks.store.Store.add_to_counter>`), so the limits hold across every worker and host that
share it; the memory store, or a store of your own without counters, counts in each process.
A client over its limit, or everyone once the global limit is reached, gets ``429 Too Many
Requests`` with ``Retry-After`` until its window ends — even with the right password, or the
answer would tell a guess that works from one that does not.

Counting is a fixed window: the first wrong password of a client starts it, and it ends
``window`` seconds later whatever happens in between. This module knows nothing of any web
framework.
"""

from __future__ import annotations

import logging
import math
from typing import Protocol

from ..store.memory import MemoryStore

__all__ = ["LoginThrottle"]

logger = logging.getLogger("twhooks.inspector")

#: The counter of every wrong password.
_EVERYONE = "inspector-login:*"


class _Counters(Protocol):
    def add_to_counter(self, key: str, amount: int, window: float) -> tuple[int, float]: ...


class LoginThrottle:
    """The inspector's limits on wrong passwords.

    :param store: where failures are counted (the app's store).
    :param limit: wrong passwords a client may send in one window
        (``TWHOOKS_INSPECTOR_LOGIN_LIMIT``).
    :param global_limit: wrong passwords from everyone in one window
        (``TWHOOKS_INSPECTOR_LOGIN_GLOBAL_LIMIT``).
    :param window: the window, in seconds (``TWHOOKS_INSPECTOR_LOGIN_WINDOW``).
    """

    def __init__(self, store: object, *, limit: int, global_limit: int, window: float) -> None:
        counters = store if callable(getattr(store, "add_to_counter", None)) else MemoryStore()
        self._counters: _Counters = counters  # type: ignore[assignment]
        self.limit = limit
        self.global_limit = global_limit
        self.window = window

    @staticmethod
    def _key(client: str) -> str:
        return f"inspector-login:{client}"

    def wait(self, client: str) -> int | None:
        """How many seconds *client* must wait before its next try, or ``None``."""
        for key, limit in ((self._key(client), self.limit), (_EVERYONE, self.global_limit)):
            count, left = self._counters.add_to_counter(key, 0, self.window)
            if count >= limit:
                return max(1, math.ceil(left))
        return None

    def failed(self, client: str) -> int | None:
        """Count a wrong password from *client*, and log it (never the password tried).

        :returns: the seconds to wait when this failure reached a limit, else ``None``.
        """
        count, left = self._counters.add_to_counter(self._key(client), 1, self.window)
        everyone, everyone_left = self._counters.add_to_counter(_EVERYONE, 1, self.window)
        logger.warning(
            "twhooks inspector: wrong password from %s (%d of %d allowed in %g s; "
            "%d of %d from everyone)",
            client,
            count,
            self.limit,
            self.window,
            everyone,
            self.global_limit,
        )
        if count >= self.limit:
            return max(1, math.ceil(left))
        if everyone >= self.global_limit:
            return max(1, math.ceil(everyone_left))
        return None
