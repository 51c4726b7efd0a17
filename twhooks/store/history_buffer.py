"""The webhook history written in batches, off the request path (the SQL and Redis stores).

A request's history record is queued in its process and written with the others queued
beside it by a daemon thread: at most :data:`FLUSH_INTERVAL` after it was queued, or as soon as
:data:`FLUSH_SIZE` records wait. A history read in the same process writes what waits first, so
a process always reads its own records; another process sees them up to
:data:`FLUSH_INTERVAL` later. What waits is written too when the store closes and when the
interpreter exits normally; a process killed outright loses what waited (at most
:data:`FLUSH_INTERVAL`'s worth of history, never a delivery, claim or conversation).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections import Counter
from collections.abc import Callable

from .records import HistoryRecord

__all__ = ["FLUSH_INTERVAL", "FLUSH_SIZE", "LINGER", "HistoryBuffer"]

logger = logging.getLogger("twhooks.store")

#: A queued record is written at most this long after it was queued, in seconds.
FLUSH_INTERVAL = 0.1
#: Records are written at once when this many wait.
FLUSH_SIZE = 100
#: The writing thread ends when no record came for this long, in seconds (the next record
#: starts another). Until then it waits for the next batch with its connection open: a
#: thread started per batch opened a connection per batch, and on SQLite each new
#: connection read the schema and prepared every statement again — under load that cost
#: more than the batches' writing.
LINGER = 5.0

#: ``write(records, size)``: store *records* (oldest first), keeping the newest *size* of each
#: kind.
Writer = Callable[[list[HistoryRecord], int], object]

_buffers: weakref.WeakSet[HistoryBuffer] = weakref.WeakSet()


class HistoryBuffer:
    """The records of one store queued in this process, and the thread that writes them.

    :param write: writes a batch in one go (one transaction, one round trip).
    """

    def __init__(
        self, write: Writer, *, interval: float = FLUSH_INTERVAL, batch: int = FLUSH_SIZE
    ) -> None:
        self._write = write
        self.interval = interval
        self.batch = batch
        self._reset()
        _buffers.add(self)

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._pending: list[HistoryRecord] = []
        self._kinds: Counter[str | None] = Counter()  # how many of each kind wait
        self._size = 1
        self._ready = threading.Condition(threading.Lock())
        # Held while a batch is taken and written: a flush waits for the one in flight.
        self._writing = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, record: HistoryRecord, size: int) -> None:
        """Queue *record*; the store keeps the newest *size* records of each kind."""
        if self._pid != os.getpid():
            # Forked: what the parent queued is the parent's to write; so is its thread.
            self._reset()
        with self._ready:
            self._pending.append(record)
            self._size = size
            self._kinds[record.kind] += 1
            if self._kinds[record.kind] > size:
                # The store is slow or down: what it would trim at once is not kept waiting
                # (the oldest of the same kind: another kind keeps its room).
                oldest = next(i for i, r in enumerate(self._pending) if r.kind == record.kind)
                del self._pending[oldest]
                self._kinds[record.kind] -= 1
            if self._thread is None:
                # Started when records wait, gone when none came for LINGER seconds (so an
                # idle store holds none).
                self._thread = threading.Thread(target=self._run, name="twhooks-history")
                self._thread.daemon = True
                self._thread.start()
            elif len(self._pending) >= self.batch:
                self._ready.notify()

    def flush(self) -> None:
        """Write every queued record now (what a history read in this process does first)."""
        if self._pid != os.getpid():
            self._reset()
            return
        with self._writing:
            with self._ready:
                batch, self._pending = self._pending, []
                self._kinds = Counter()
                size = self._size
            if batch:
                self._write(batch, size)

    def _run(self) -> None:
        idle = 0.0  # how long no record came, in seconds (counted in intervals)
        while True:
            with self._ready:
                self._ready.wait_for(lambda: len(self._pending) >= self.batch, self.interval)
                waiting = bool(self._pending)
            if waiting:
                idle = 0.0
                try:
                    self.flush()
                except Exception:
                    logger.exception("the webhook history could not be written")
            else:
                idle += self.interval
            with self._ready:
                if self._pid != os.getpid() or (not self._pending and idle >= LINGER):
                    self._thread = None
                    return


@atexit.register
def _flush_all() -> None:
    for buffer in list(_buffers):
        try:
            buffer.flush()
        except Exception:
            logger.exception("the webhook history could not be written at exit")
