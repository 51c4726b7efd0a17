"""Waiting for another worker without spinning: poll with a doubling backoff, bounded.

A worker cannot be woken by a worker in another process or on another host without a shared
channel, so the SQL and Redis stores and the dispatcher poll — first after 10 ms, then 20,
40 … up to 250 ms between tries, and never past the deadline. :func:`poll` sleeps in the
calling thread; :func:`poll_async` on the event loop, holding no thread while it waits.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

__all__ = ["FIRST_DELAY", "MAX_DELAY", "PENDING", "Pending", "poll", "poll_async"]

T = TypeVar("T")

#: The first pause between two tries, in seconds.
FIRST_DELAY = 0.010
#: The longest pause between two tries, in seconds.
MAX_DELAY = 0.250


class Pending:
    """The marker a polled function returns to ask for another try."""


#: Return this from the polled function to be called again.
PENDING = Pending()


def _pauses(timeout: float) -> Iterator[float]:
    """The pauses between tries: doubling, and none past *timeout* seconds from now."""
    deadline = time.monotonic() + timeout
    delay = FIRST_DELAY
    while (remaining := deadline - time.monotonic()) > 0:
        yield min(delay, remaining)
        delay = min(delay * 2, MAX_DELAY)


def poll(attempt: Callable[[], T | Pending], timeout: float) -> T | Pending:
    """Call *attempt* until it returns something other than :data:`PENDING` or time is up.

    :returns: the first result that is not :data:`PENDING`; :data:`PENDING` after *timeout*
        seconds (*attempt* is always called at least once, and once more at the deadline).
    """
    result = attempt()
    if not isinstance(result, Pending):
        return result  # the common case: no wait at all
    for pause in _pauses(timeout):
        time.sleep(pause)
        result = attempt()
        if not isinstance(result, Pending):
            break
    return result


async def poll_async(attempt: Callable[[], Awaitable[T | Pending]], timeout: float) -> T | Pending:
    """:func:`poll` for asyncio: *attempt* is awaited, and the pauses are on the event loop."""
    import asyncio  # here, so that a WSGI app's store does not load the event loop's modules

    result = await attempt()
    if not isinstance(result, Pending):
        return result
    for pause in _pauses(timeout):
        await asyncio.sleep(pause)
        result = await attempt()
        if not isinstance(result, Pending):
            break
    return result
