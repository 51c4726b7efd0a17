"""A call's first turn without the cold start: warm up while the TwiML is answered.

Between the call webhook's answer and the ``setup`` message of its socket, Twilio fetches the
TwiML, connects, greets the caller: hundreds of milliseconds in which a model connection can
be opened, a prompt loaded, a cache filled. :class:`WarmUps` runs the app's warm-up hook for
a call as soon as the webhook asks for it (``hooks.prepare_session(call.sid)``) — in a thread
(a ``def`` hook) or a task on the event loop (an ``async def`` one) — and hands its result to
the call's session when the socket opens: ``session.warm()`` (``await session.warm()`` on
Quart).

A socket may open in another process than the webhook's (several workers or hosts): there
nothing was started, so ``warm()`` runs the hook then; the handler's code is the same either
way. A warm-up nobody takes (the caller hung up first) is dropped after *ttl* seconds: an
``async def`` one still running is cancelled; a result that holds a connection should time
out by itself.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

__all__ = ["AsyncWarmSession", "WarmSession", "WarmUps"]

logger = logging.getLogger("twhooks.realtime")

WarmUpHook = Callable[[str], Any]


class WarmUps:
    """The warm-ups started for calls whose socket has not opened yet, by CallSid.

    :param ttl: how long a warm-up waits for its socket, in seconds.
    :param size: how many may wait at once (the oldest is dropped beyond).
    """

    def __init__(self, ttl: float = 60.0, size: int = 1000) -> None:
        self.ttl = ttl
        self.size = size
        #: The app's hook, ``hook(call_sid)``; ``None`` until one is registered.
        self.hook: WarmUpHook | None = None
        self._started: dict[str, tuple[float, Future[Any] | asyncio.Future[Any]]] = {}
        self._lock = threading.Lock()

    def register(self, hook: WarmUpHook) -> WarmUpHook:
        """Make *hook* the warm-up (one per app)."""
        self.hook = hook
        return hook

    def start(self, call_sid: str) -> bool:
        """Start the warm-up of *call_sid* now, unless one is under way; whether it started.

        An ``async def`` hook needs a running event loop (a Quart view); a ``def`` one runs
        in a thread of its own.
        """
        hook = self.hook
        if hook is None:
            return False
        with self._lock:
            self._sweep()
            if call_sid in self._started:
                return False
            pending: Future[Any] | asyncio.Future[Any]
            if inspect.iscoroutinefunction(hook):
                task = asyncio.ensure_future(hook(call_sid))
                task.add_done_callback(_seen)
                pending = task
            else:
                pending = Future()
                threading.Thread(
                    target=_run, args=(hook, call_sid, pending), name="twhooks-warm-up", daemon=True
                ).start()
            self._started[call_sid] = (time.monotonic() + self.ttl, pending)
            while len(self._started) > self.size:
                _drop(self._started.pop(next(iter(self._started)))[1])
        return True

    def take(self, call_sid: str) -> Future[Any] | asyncio.Future[Any] | None:
        """The warm-up started for *call_sid*, if any, no longer held here."""
        with self._lock:
            held = self._started.pop(call_sid, None)
        return None if held is None else held[1]

    def result(self, call_sid: str, timeout: float | None = None) -> Any:
        """The warm-up's result for *call_sid* (a session on a thread): the one started for
        it, waited for, or the hook's run now if none was.

        :raises Exception: what the hook raised.
        """
        pending = self.take(call_sid)
        if pending is None or isinstance(pending, asyncio.Future):
            if pending is not None:
                _drop(pending)  # an async warm-up cannot be waited for from a thread
            return self._run_now(call_sid)
        return pending.result(timeout)

    async def result_async(self, call_sid: str) -> Any:
        """:meth:`result` on an event loop."""
        pending = self.take(call_sid)
        if pending is None:
            result = self._run_now(call_sid)
            return await result if inspect.isawaitable(result) else result
        if isinstance(pending, asyncio.Future):
            return await pending
        return await asyncio.wrap_future(pending)

    def _run_now(self, call_sid: str) -> Any:
        if self.hook is None:
            raise LookupError("no warm-up hook is registered (@hooks.session_warm_up)")
        return self.hook(call_sid)

    def _sweep(self) -> None:
        now = time.monotonic()
        for sid in [s for s, (expires, _) in self._started.items() if expires < now]:
            logger.info("warm-up of call %s dropped: no socket came in time", sid)
            _drop(self._started.pop(sid)[1])


def _run(hook: WarmUpHook, call_sid: str, pending: Future[Any]) -> None:
    try:
        pending.set_result(hook(call_sid))
    except BaseException as error:
        logger.warning("warm-up of call %s failed: %r", call_sid, error)
        pending.set_exception(error)


def _drop(pending: Future[Any] | asyncio.Future[Any]) -> None:
    if isinstance(pending, asyncio.Future):
        loop = pending.get_loop()
        if not loop.is_closed():
            loop.call_soon_threadsafe(pending.cancel)
    elif pending.done() and not pending.cancelled():
        pending.exception()  # seen: nobody will ask for it


def _seen(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("warm-up failed: %r", task.exception())


class WarmSession:
    """``session.warm()`` for the sessions on a thread (the handlers set ``warm_ups``)."""

    call_sid: str
    warm_ups: WarmUps | None = None

    def warm(self, timeout: float | None = None) -> Any:
        """The result of the app's warm-up hook for this call: the one started while the
        call's TwiML was answered (``hooks.prepare_session``), waited for up to *timeout*
        seconds, or the hook's run now if this process started none.

        :raises LookupError: no warm-up hook is registered.
        :raises Exception: what the hook raised.
        """
        if self.warm_ups is None:
            raise LookupError("no warm-up hook is registered (@hooks.session_warm_up)")
        return self.warm_ups.result(self.call_sid, timeout)


class AsyncWarmSession:
    """``await session.warm()`` for the sessions on an event loop."""

    call_sid: str
    warm_ups: WarmUps | None = None

    async def warm(self) -> Any:
        """:meth:`WarmSession.warm`, awaited."""
        if self.warm_ups is None:
            raise LookupError("no warm-up hook is registered (@hooks.session_warm_up)")
        return await self.warm_ups.result_async(self.call_sid)
