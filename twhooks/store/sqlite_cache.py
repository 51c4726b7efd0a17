"""The block list and the opt-outs of the SQLite store, read without a query per webhook.

Every webhook checks its sender against the block list (and opt-in keywords against the
opt-outs). Both change rarely, so each process keeps a copy of the table and checks, at most
once every :data:`STALENESS` seconds, a counter that a trigger bumps on every change of it
(``<prefix>stamps``, :mod:`twhooks.store.sqlite_schema`), whoever wrote it — another worker,
another host's process on the same file, a hand-written ``DELETE``. So:

- when nothing changed, a check costs no query at all (a dictionary look-up), and one
  ``SELECT`` of the counter a second per process;
- a change made by this process is seen at once (its copy is dropped when it writes);
- a change made elsewhere is seen within :data:`STALENESS` seconds (a STOP from a worker
  reaches the others within a second; a number blocked on the inspector within a second);
- a table of more than :data:`MAX_ROWS` rows is not copied: every check is then a query by
  the primary key, as without the cache.

Expiry is checked on every look-up against the copied ``expires_at``, so an entry whose time
ran out stops counting at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["MAX_ROWS", "STALENESS", "StampedTable"]

#: How stale a process's copy may be, in seconds, when another process changed the table.
STALENESS = 1.0
#: Tables with more rows than this are not copied.
MAX_ROWS = 10_000

T = TypeVar("T")


class StampedTable(Generic[T]):
    """One process's copy of a table, keyed by number.

    :param stamp: reads the table's change counter.
    :param load: reads every row as ``{number: value}``; ``None`` when there are more than
        *limit* rows.
    """

    def __init__(
        self, stamp: Callable[[], int | None], load: Callable[[int], dict[str, T] | None]
    ) -> None:
        self._stamp = stamp
        self._load = load
        self._lock = threading.Lock()
        self.drop()

    def drop(self) -> None:
        """Forget the copy: the next look-up reads the counter (and the table if it moved)."""
        # A copy being loaded while this runs is not kept (it may predate the change).
        self._generation = getattr(self, "_generation", 0) + 1
        # One tuple, replaced whole: a reader never sees half of an update.
        self._state: tuple[float, int | None, dict[str, T] | None] = (-1e9, None, None)

    def rows(self) -> dict[str, T] | None:
        """The whole table, no older than :data:`STALENESS`; ``None`` when it is too big to
        copy (then look the number up in the database)."""
        checked, version, rows = self._state
        now = time.monotonic()
        if now - checked < STALENESS:
            return rows
        with self._lock:
            checked, version, rows = self._state
            if now - checked < STALENESS:
                return rows
            generation = self._generation
            current = self._stamp()
            if current is None or current != version:
                rows = self._load(MAX_ROWS)
            if generation == self._generation:
                self._state = (time.monotonic(), current, rows)
            return rows


def live(expires_at: Any, now: float) -> bool:
    """Whether an entry with *expires_at* (``None``: never) still counts."""
    return expires_at is None or expires_at > now
