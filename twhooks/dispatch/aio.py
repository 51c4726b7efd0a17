"""The asyncio driver: the request steps for ASGI apps (Quart), waiting on the event loop.

Every wait is on the loop, never in a worker thread: a retry of a request in flight, and a
request whose stored conversation another one holds, pause with ``asyncio.sleep`` between
tries (:func:`~twhooks.store.polling.poll_async`). The worker threads (six on two cores) stay
free for what the request holding the claim or the conversation needs to finish.

A store that blocks (``blocking`` true: SQLite, PostgreSQL, Redis) is never called on the
loop: its work before the handler is one trip to a worker thread, and its work after it one
more — where a plain handler runs too. A store that does not block (the memory stores) is
used on the loop, where an ``async def`` handler then costs no thread at all. A stored
conversation is locked before the handler runs (tried in the first trip), so that no handler
ever waits for it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any, ParamSpec, TypeVar

from ..kinds import Kind
from ..observability import store as watched
from ..replies import Reply
from ..request import WebhookRequest
from ..store.base import blocks
from ..store.polling import Pending, poll_async
from .failures import Raised, answer, noted, unanswered
from .received import Received, Refused, Session, status_of, stored
from .route import Begun
from .steps import DispatcherBase

__all__ = ["AsyncDispatcher"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


class AsyncDispatcher(DispatcherBase):
    """Runs webhook requests through the app's handlers on an event loop: the methods of
    :class:`~twhooks.dispatch.Dispatcher`, as coroutines. ``async def`` handlers are awaited;
    plain ones run in a worker thread."""

    async def refuse(self, refused: Refused) -> Reply:
        """Keep *refused* in the webhook history (in a worker thread when the store
        blocks); its reply."""
        await _trip(self._history_blocks, self.policies.record_history, refused.record)
        return refused.reply

    async def claim(self, received: Received) -> Reply | None:
        """Claim *received*'s idempotency token; a retry of a request in flight waits for its
        reply on the loop, holding no thread between its tries."""
        key = self._claim_key(received)
        if key is None:
            return None

        def attempt() -> Any:
            return _trip(self._replays_block, self._claim, received, key)

        got = await attempt()
        if isinstance(got, Pending):  # the first copy is in flight: wait for its reply
            got = await poll_async(attempt, self._claim_wait)
        return self._claimed(received, got)

    async def handle(
        self, received: Received, kind: Kind, step: str | None = None, session: Session = None
    ) -> Reply:
        """Route *received*, run its handler and render the reply (no claim)."""
        # In a worker thread when the store's calls, or a queue's submit, may wait on I/O.
        threaded = self._store_blocks or (
            bool(self.handlers.background_handlers) and blocks(self.runner)
        )
        # A plain handler runs in the store's trip, unless an async error handler may have
        # to answer for it (that one is awaited here).
        run_plain = threaded and not any(map(iscoroutinefunction, self.handlers.error_handlers))

        tried: list[float] = []  # when each try began

        def attempt() -> Any:
            tried.append(time.perf_counter())
            return _trip(threaded, self._begin_run, received, kind, step, session, run_plain)

        begun: Begun | Reply | Pending = await poll_async(attempt, self._lock_wait)
        if len(tried) > 1:  # another request held the conversation: the wait, for the metrics
            watched.waited(tried[-1] - tried[0])
        if isinstance(begun, Pending):
            return self._busy(received, self._lock_wait)
        if isinstance(begun, Reply):
            return begun
        try:
            result = await _call(begun.handler, begun.event)
            return await _trip(threaded, self._end_and_release, begun, result)
        except Exception as error:
            noted(begun, error)
            reply: Reply | None = None
            try:
                reply = await self._fail(begun, error)
                return reply
            finally:
                await _trip(threaded, self._release, begun, reply)
        except BaseException:  # cancelled: give the conversation back
            await _trip(threaded, self._release, begun)
            raise

    async def _fail(self, begun: Begun, error: Exception) -> Reply:
        """Offer *error* to the ``@hooks.error`` handlers (awaited, or in a worker thread)."""
        for handler in self.handlers.error_handlers:
            try:
                outcome = await _call(handler, error, begun.event)
            except Exception as raised:
                outcome = Raised(raised)
            reply = answer(begun, error, handler, outcome, self._render)
            if reply is not None:
                return reply
        raise unanswered(begun, error)

    async def conclude(self, received: Received, stored: Reply | None, status: int) -> None:
        """End the claim and record the request (see :meth:`Dispatcher.conclude`): in one
        trip to a worker thread when the store blocks."""
        threaded = (received.claim is not None and self._replays_block) or self._history_blocks
        await _trip(threaded, self._conclude, received, stored, status)

    async def dispatch(
        self, request: WebhookRequest, kind: Kind, step: str | None = None, session: Session = None
    ) -> Reply:
        """Run *request* through every step (see :meth:`Dispatcher.dispatch`)."""
        received = self.receive(request, None, kind.name)
        if isinstance(received, Refused):
            return await self.refuse(received)
        replayed = await self.claim(received)
        if replayed is not None:
            return replayed
        reply: Reply | None = None
        try:
            reply = await self.handle(received, kind, step, session)
        finally:
            await self.conclude(received, stored(reply), status_of(reply))
        return reply


async def _trip(
    threaded: bool, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
) -> _T:
    """Call *function* in a worker thread if *threaded*, else right here on the loop."""
    if threaded:
        return await asyncio.to_thread(function, *args, **kwargs)
    return function(*args, **kwargs)


async def _call(function: Callable[..., Any], *args: Any) -> Any:
    """Await an ``async def`` *function*; run a plain one in a worker thread."""
    if inspect.iscoroutinefunction(function):
        return await function(*args)
    result = await asyncio.to_thread(function, *args)
    if inspect.isawaitable(result):
        return await result
    return result
