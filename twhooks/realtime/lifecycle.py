"""The life of WebSocket sessions: one per call, recorded, drained on shutdown.

Twilio's own agent SDK pins a call's state to the process that holds its socket and warns
that its handlers "may be called twice" across replicas. twhooks does better with two
pieces:

- a :class:`CallStore` records, by CallSid, which host holds the call's session, when it
  started and ended, its message counts, errors and handoff data, and a ``data`` dict the
  handler fills. Its :meth:`~CallStore.claim` is atomic, so a second socket for a live call
  is refused on every host sharing the store, and the call's status, AMD and recording
  callbacks and the ``<Connect action>`` callback, landing on any host, can read the
  session's record. :class:`MemoryCallStore` serves one process; a shared store backs it
  with an ``INSERT … ON CONFLICT DO NOTHING`` or a Redis ``SET NX PX`` (see the docs).
- a :class:`SessionRegistry` per process tracks the live sessions: it refuses new sockets
  once :meth:`~SessionRegistry.drain` has begun, lets live calls finish for a grace period,
  then cancels the rest, whose teardown (the ``finally`` blocks and end hooks) still runs.

A store says whether its calls may wait on I/O with a ``blocking`` attribute, as a
:class:`twhooks.store.Store` does (:func:`~twhooks.store.base.blocks`): on an event loop, the
registry calls one that blocks from a worker thread (:meth:`~SessionRegistry.open_async`,
:meth:`~SessionRegistry.close_async`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..store.base import blocks
from .errors import UpgradeRefused

if TYPE_CHECKING:
    import asyncio

# asyncio is imported by the methods that run on an event loop, not with this module: every
# app builds a registry, and a WSGI app never needs the event loop's modules.

__all__ = [
    "CallStore",
    "LiveSession",
    "MemoryCallStore",
    "SessionRecord",
    "SessionRegistry",
]

logger = logging.getLogger("twhooks.realtime")

T = TypeVar("T")


@dataclass
class SessionRecord:
    """What is known of one call's WebSocket session, kept in a :class:`CallStore`.

    :param kind: ``"relay"`` or ``"stream"``.
    :param host: the process holding the socket (``hostname:pid``).
    :param close_reason: how the session ended: ``"end"`` (the app ended it), ``"stop"``
        (the stream stopped), ``"closed"`` (Twilio closed the socket: hang-up),
        ``"error"`` (the handler raised), ``"refused"`` (the first message named another
        call or was not the expected one), ``"shutdown"`` (cancelled by draining).
    :param data: the app's own values for the call (``session.data``); keep them JSON-able
        so that a shared store can hold them.
    """

    call_sid: str
    kind: str
    host: str
    started_at: float
    ended_at: float | None = None
    received: int = 0
    sent: int = 0
    errors: list[str] = field(default_factory=list)
    close_reason: str | None = None
    handoff_data: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        """Whether the session has not ended."""
        return self.ended_at is None


class CallStore(Protocol):
    """Where call records live; shared by every host that serves the app's sockets.

    :attr:`blocking` says whether its calls may wait on I/O; a store of your own that leaves
    it out is taken to block (:func:`~twhooks.store.base.blocks`).
    """

    @property
    def blocking(self) -> bool:
        """Whether its calls may wait on I/O. ``False`` (usually a class attribute
        ``blocking = False``) says that they never do, so that an event loop may make them
        itself; otherwise they are made from a worker thread there."""
        ...

    def claim(self, record: SessionRecord, lease: float) -> bool:
        """Store *record* unless a live record of the same call exists; atomically.

        A live record older than its *lease* (seconds) counts as ended: its host crashed.
        """

    def save(self, record: SessionRecord, lease: float) -> None:
        """Store *record* (its counts, its end), replacing the previous one, for *lease* s."""

    def get(self, call_sid: str) -> SessionRecord | None:
        """The record of *call_sid*, if any."""


class MemoryCallStore:
    """A :class:`CallStore` in this process, holding at most *size* records (oldest dropped).

    Enough for one process serving every socket; with several workers or hosts, use a
    shared store so that the one-socket-per-call rule holds across them.
    """

    #: Its calls never wait on I/O (see :func:`~twhooks.store.base.blocks`).
    blocking = False

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._records: OrderedDict[str, tuple[SessionRecord, float]] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, record: SessionRecord, lease: float) -> bool:
        now = time.monotonic()
        with self._lock:
            held = self._records.get(record.call_sid)
            if held is not None and held[0].live and held[1] > now:
                return False
            self._put(record, now + lease)
            return True

    def save(self, record: SessionRecord, lease: float) -> None:
        with self._lock:
            self._put(record, time.monotonic() + lease)

    def get(self, call_sid: str) -> SessionRecord | None:
        with self._lock:
            held = self._records.get(call_sid)
        return None if held is None else replace(held[0], errors=list(held[0].errors))

    def _put(self, record: SessionRecord, expires: float) -> None:
        # A copy: the live session goes on changing its own record.
        stored = replace(record, errors=list(record.errors), data=dict(record.data))
        self._records[record.call_sid] = (stored, expires)
        self._records.move_to_end(record.call_sid)
        while len(self._records) > self.size:
            self._records.popitem(last=False)


def default_host() -> str:
    """``hostname:pid``: which process holds a session."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LiveSession:
    """A session the registry tracks: its record, and how to cancel it on shutdown."""

    __slots__ = ("_cancel", "cancelled", "record")

    def __init__(self, record: SessionRecord) -> None:
        self.record = record
        self.cancelled = False
        self._cancel: Callable[[], object] | None = None

    def on_cancel(self, cancel: Callable[[], object]) -> None:
        """Set how to stop the session: close its socket (threads) or cancel its task."""
        self._cancel = cancel

    def cancel(self) -> None:
        """Stop the session; its teardown still runs."""
        self.cancelled = True
        if self._cancel is not None:
            self._cancel()


class SessionRegistry:
    """The live sessions of this process, one per CallSid, and their shutdown.

    :param store: where call records are claimed and kept.
    :param host: this process's name in the records.
    :param lease: how long a live record holds its CallSid if its host dies without
        ending it, in seconds (longer than any call).
    :param retention: how long an ended record stays readable, in seconds.
    """

    def __init__(
        self,
        store: CallStore | None = None,
        *,
        host: str | None = None,
        lease: float = 4 * 3600.0,
        retention: float = 24 * 3600.0,
    ) -> None:
        self.store: CallStore = store if store is not None else MemoryCallStore()
        self.host = host or default_host()
        self.lease = lease
        self.retention = retention
        self.draining = False
        self._live: dict[str, LiveSession] = {}
        self._changed = threading.Condition()
        # The teardown tasks running on an event loop (held: the loop keeps weak references).
        self._finishing: set[asyncio.Future[Any]] = set()

    def __len__(self) -> int:
        return len(self._live)

    def open(self, call_sid: str, kind: str) -> LiveSession:
        """Claim *call_sid* for a new session of *kind*; call before the socket opens.

        :raises UpgradeRefused: ``503`` while draining; ``409`` when the call already has a
            live session here or on another host.
        """
        if self.draining:
            raise UpgradeRefused("the server is shutting down", status=503)
        record = SessionRecord(call_sid, kind, self.host, time.time())
        with self._changed:
            if call_sid in self._live:
                raise UpgradeRefused(f"call {call_sid} already has a live session", status=409)
            if not self.store.claim(record, self.lease):
                raise UpgradeRefused(
                    f"call {call_sid} already has a live session on another host", status=409
                )
            live = self._live[call_sid] = LiveSession(record)
        return live

    async def open_async(self, call_sid: str, kind: str) -> LiveSession:
        """:meth:`open` on an event loop: in a worker thread if the store blocks.

        If the waiting task is cancelled, a claim the thread still makes is released.
        """
        if not blocks(self.store):
            return self.open(call_sid, kind)
        import asyncio

        opening = self._hold(asyncio.ensure_future(asyncio.to_thread(self.open, call_sid, kind)))
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(self._release_unused)
            raise

    def close(self, live: LiveSession, reason: str) -> SessionRecord:
        """End *live*: record how, release its CallSid, wake a drain waiting for it.

        (:meth:`end` then :meth:`forget`.)
        """
        try:
            return self.end(live, reason)
        finally:
            self.forget(live)

    async def close_async(self, live: LiveSession, reason: str) -> SessionRecord:
        """:meth:`close` on an event loop: in a worker thread if the store blocks, and to the
        end even if the waiting task is cancelled (then re-raised)."""
        return await self.finish(self.store_call(self.close, live, reason))

    def end(self, live: LiveSession, reason: str) -> SessionRecord:
        """Record the end of *live* (and how) in the store, which releases its CallSid.

        A store that fails is logged: the session ends anyway. The session stays live here
        (a drain waits for it) until :meth:`forget`.
        """
        record = live.record
        if record.ended_at is None:
            record.ended_at = time.time()
            record.close_reason = "shutdown" if live.cancelled else reason
        try:
            self.store.save(record, self.retention)
        except Exception:
            logger.exception("could not record the end of call %s", record.call_sid)
        return record

    def forget(self, live: LiveSession) -> None:
        """Drop *live* from the live sessions; wake a drain waiting for it."""
        with self._changed:
            if self._live.get(live.record.call_sid) is live:
                del self._live[live.record.call_sid]
            self._changed.notify_all()

    async def store_call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)``, which calls the store: in a worker thread if the store blocks,
        else right here on the event loop."""
        if blocks(self.store):
            import asyncio

            return await asyncio.to_thread(function, *args)
        return function(*args)

    def finish(self, work: Awaitable[T]) -> asyncio.Future[T]:
        """Start *work* in a task of its own; await what this returns for its result.

        Shielded: a cancellation of the waiting task (re-raised there) does not stop the work,
        and the registry holds the task until it is done. Call it on the event loop.
        """
        import asyncio

        return asyncio.shield(self._hold(asyncio.ensure_future(work)))

    def _hold(self, task: asyncio.Future[T]) -> asyncio.Future[T]:
        self._finishing.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._finishing.discard(task)
        if not task.cancelled():
            task.exception()  # seen: whoever awaited it has it, or was cancelled meanwhile

    def _release_unused(self, opening: asyncio.Future[LiveSession]) -> None:
        if not opening.cancelled() and opening.exception() is None:
            import asyncio

            self._hold(asyncio.ensure_future(self.close_async(opening.result(), "refused")))

    def drain(self, grace: float = 30.0, teardown: float = 5.0) -> int:
        """Refuse new sessions, wait up to *grace* seconds for the live ones, cancel the rest.

        Blocks the calling thread (for a threaded server: call it from the shutdown code).
        Waits at most *teardown* more seconds for the cancelled sessions' teardown.

        :returns: how many sessions were cancelled.
        """
        self.draining = True
        deadline = time.monotonic() + grace
        with self._changed:
            while self._live and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            victims = list(self._live.values())
        for live in victims:
            live.cancel()
        deadline = time.monotonic() + teardown
        with self._changed:
            while self._live and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
        return len(victims)

    async def drain_async(self, grace: float = 30.0, teardown: float = 5.0) -> int:
        """:meth:`drain` for an event loop: waits without blocking it."""
        import asyncio

        self.draining = True
        deadline = time.monotonic() + grace
        while self._live and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        victims = list(self._live.values())
        for live in victims:
            live.cancel()
        deadline = time.monotonic() + teardown
        while self._live and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return len(victims)


def __getattr__(name: str) -> Any:
    if name == "CallRecord":  # its name until 0.3; twhooks.CallRecord is the callbacks' record
        warnings.warn(
            f"{__name__}.CallRecord is deprecated: it is twhooks.realtime.SessionRecord "
            "(twhooks.CallRecord is the record of a call's status callbacks)",
            DeprecationWarning,
            stacklevel=2,
        )
        return SessionRecord
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
