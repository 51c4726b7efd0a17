"""When a request to Twilio's API is tried again, and after how long.

Twilio answers ``429`` (error 20429) when an account sends faster than its concurrency
allows, sometimes with ``Retry-After``; a ``5xx`` is a failure on its side that usually passes.
Both are tried again, a bounded number of times:

- the pause before try *n* (from 1) is ``backoff * 2 ** (n - 1)`` seconds, capped at
  ``max_wait``, with jitter (a random time between half of it and all of it) so that many
  workers throttled at once do not come back at once;
- a ``Retry-After`` (seconds, or an HTTP date) replaces that pause: the client waits exactly
  as long as asked, and gives up at once — raising the error with its ``retry_after`` — when
  Twilio asks for more than ``max_wait``: a queue's job is better retried later than a worker
  held that long;
- the worst case is therefore ``retries`` pauses of at most ``max_wait`` each, plus one
  request timeout per try: :meth:`RetryPolicy.longest`.

Nothing else is tried again: a ``4xx`` other than ``429`` is an answer (a bad number, an
opt-out) that a second try would only repeat, and a request that timed out may have created
the message.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

__all__ = ["RETRIED_STATUSES", "RetryPolicy", "parse_retry_after"]

#: The statuses tried again.
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry (``TWHOOKS_REST_RETRIES``, ``TWHOOKS_REST_MAX_WAIT``,
    ``TWHOOKS_REST_TIMEOUT``).

    :param retries: how many times a request is tried again (``0``: never).
    :param backoff: the first pause, in seconds, doubled at each try.
    :param max_wait: the longest pause, in seconds; a longer ``Retry-After`` is not waited.
    :param timeout: each request's connect and read timeout, in seconds.
    """

    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 30.0
    timeout: float = 15.0

    def pause(self, attempt: int, retry_after: float | None) -> float | None:
        """The seconds to wait before try *attempt* + 1 (*attempt* tries failed so far);
        ``None``: give up."""
        if attempt > self.retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_wait else None
        ceiling = min(self.max_wait, self.backoff * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def longest(self) -> float:
        """The longest a request with its retries can take, in seconds."""
        return (self.retries + 1) * 2 * self.timeout + self.retries * self.max_wait


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds from now: delay-seconds or an HTTP date (RFC 9110);
    ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
