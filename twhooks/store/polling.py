"""Waiting for another worker without spinning: poll with a doubling backoff, bounded.

A worker cannot be woken by a worker in another process or on another host without a shared
channel, so the SQL and Redis stores poll — first after 10 ms, then 20, 40 … up to 250 ms
between tries, and never past the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["FIRST_DELAY", "MAX_DELAY", "PENDING", "Pending", "poll"]

T = TypeVar("T")

#: The first pause between two tries, in seconds.
FIRST_DELAY = 0.010
#: The longest pause between two tries, in seconds.
MAX_DELAY = 0.250


class Pending:
    """The marker a polled function returns to ask for another try."""


#: Return this from the polled function to be called again.
PENDING = Pending()


def poll(attempt: Callable[[], T | Pending], timeout: float) -> T | Pending:
    """Call *attempt* until it returns something other than :data:`PENDING` or time is up.

    :returns: the first result that is not :data:`PENDING`; :data:`PENDING` after *timeout*
        seconds (*attempt* is always called at least once, and once more at the deadline).
    """
    deadline = time.monotonic() + timeout
    delay = FIRST_DELAY
    while True:
        result = attempt()
        if not isinstance(result, Pending):
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return result
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_DELAY)
