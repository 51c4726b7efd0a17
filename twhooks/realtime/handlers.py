"""The relay and stream handlers of an app, and the one path every socket takes.

:class:`RealtimeHandlers` holds the ``@relay()`` and ``@stream()`` handlers and the
``@on_end`` hooks; the Flask extension and the Quart adapter each compose one and mount its
routes (:func:`twhooks.flask.sockets.mount_flask`, :func:`twhooks.quart.sockets.mount_quart`).
Whatever the server, a socket goes through the same steps, all here:

1. :meth:`~RealtimeHandlers.admit`, before the socket opens: verify the upgrade's signature
   and CallSid (:mod:`~twhooks.realtime.verify`), then claim the call in the registry (one
   socket per CallSid, none while draining). A refusal is an HTTP status, logged, and no
   handler runs.
2. :meth:`~RealtimeHandlers.serve` (threads) or :meth:`~RealtimeHandlers.serve_async`
   (event loop): read the first message (``setup`` or ``start``), refuse it with close code
   1008 unless it names the signed call, run the handler, and whatever happens — the caller
   hangs up, the handler raises, the server drains — close the socket, record the session's
   end and run the end hooks.

On an event loop, a call store that blocks (:func:`~twhooks.store.base.blocks`: the
shared store on SQLite, PostgreSQL or Redis) is only ever called from a worker thread: the
claim (:meth:`~RealtimeHandlers.open_async`), and at the end the record with the plain end
hooks (which may write to the store, as :func:`~twhooks.realtime.shared.history_hook` does).
That end is shielded from cancellation, so a session cancelled by draining records it too.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ..exceptions import ConfigurationError
from ..observability.logfields import WebhookFields, enter, leave, new_request_id
from ..observability.webhooks import NO_OBSERVERS, Observers
from ..settings import RealtimeSettings as RealtimeSettings
from .errors import ProtocolError, SessionClosed, UpgradeRefused
from .lifecycle import CallStore, LiveSession, SessionRecord, SessionRegistry
from .transport import AsyncSocket, SyncSocket
from .verify import CALL_SID, Upgrade, verify_upgrade
from .warmup import WarmUps

if TYPE_CHECKING:
    from .messages import Setup, Start
    from .relay import AsyncRelaySession, RelaySession
    from .stream import AsyncStreamSession, StreamSession

# The sessions, their messages and asyncio are imported when a socket is served, not with
# this module: the extensions build a RealtimeHandlers in every app, and most apps never
# open a voice socket.

__all__ = ["SOCKET_KINDS", "RealtimeDecorators", "RealtimeHandlers", "RealtimeSettings"]

logger = logging.getLogger("twhooks.realtime")

F = TypeVar("F", bound=Callable[..., Any])
EndHook = Callable[[SessionRecord], Any]

#: The socket kinds, by route name: ``relay`` (ConversationRelay), ``stream`` (Media Streams).
SOCKET_KINDS = ("relay", "stream")

# WebSocket close codes.
_POLICY = 1008
_ERROR = 1011
_GOING_AWAY = 1001


class RealtimeDecorators:
    """The voice-socket decorators of an extension that holds a :class:`RealtimeHandlers` in
    ``self.realtime`` (the Flask extension and the Quart adapter)."""

    realtime: RealtimeHandlers

    def relay(self) -> Callable[[F], F]:
        """Handle ConversationRelay sessions on ``<prefix>/relay/<CallSid>``: the handler gets
        a :class:`~twhooks.realtime.relay.RelaySession` (Flask, ``def``) or an
        :class:`~twhooks.realtime.relay.AsyncRelaySession` (Quart, ``async def``)."""
        return self.realtime.relay()

    def stream(self) -> Callable[[F], F]:
        """Handle Media Streams sessions on ``<prefix>/stream/<CallSid>``: the handler gets
        a :class:`~twhooks.realtime.stream.StreamSession` (Flask, ``def``) or an
        :class:`~twhooks.realtime.stream.AsyncStreamSession` (Quart, ``async def``)."""
        return self.realtime.stream()

    def session_end(self, hook: F) -> F:
        """Call ``hook(record)`` when a voice session ends, however it ends, with its
        :class:`~twhooks.realtime.lifecycle.SessionRecord` (``async def`` on Quart)."""
        return self.realtime.on_end(hook)

    def session_warm_up(self, hook: F) -> F:
        """Make ``hook(call_sid)`` the call's warm-up (a model connection, a prompt): started
        by :meth:`prepare_session` while the call's TwiML is answered, its result handed to
        the session (``session.warm()``). ``async def`` on Quart."""
        self.realtime.warm_ups.register(hook)
        return hook

    def prepare_session(self, call_sid: str) -> bool:
        """Start the warm-up of *call_sid* now (from the webhook whose TwiML opens its
        socket); whether it started (not without a hook, nor twice)."""
        return self.realtime.warm_ups.start(call_sid)

    def drain_sessions(self, grace: float = 30.0) -> int:
        """Refuse new sockets, let live calls finish for *grace* seconds, cancel the rest
        (from a threaded server's shutdown code). :returns: how many were cancelled."""
        return self.realtime.drain(grace)


class RealtimeHandlers:
    """The ``relay`` and ``stream`` handlers and end hooks of an app, and its live sessions.

    :param store: where call records are kept (see :mod:`~twhooks.realtime.lifecycle`); a
        store shared by every host makes one-socket-per-call hold across them.
    :param host: this process's name in the records.
    """

    def __init__(self, store: CallStore | None = None, *, host: str | None = None) -> None:
        self.handlers: dict[str, Callable[..., Any]] = {}
        self.end_hooks: list[EndHook] = []
        #: Why sockets cannot be served here (a missing package), if so.
        self.unavailable: str | None = None
        #: The live sessions of this process.
        self.registry = SessionRegistry(store, host=host)
        #: The warm-ups started for calls whose socket has not opened yet.
        self.warm_ups = WarmUps()
        #: Told of each refused upgrade (log fields, a span, the metrics): the extension's
        #: observers, set by ``init_app``; the log fields and line only by default.
        self.observers: Observers = NO_OBSERVERS

    # -- registration -----------------------------------------------------------------------

    def relay(self) -> Callable[[F], F]:
        """Handle ConversationRelay sessions on ``<prefix>/relay/<CallSid>``.

        The handler gets a :class:`~twhooks.realtime.relay.RelaySession` (an
        :class:`~twhooks.realtime.relay.AsyncRelaySession` if it is ``async def``).
        """
        return self._register("relay")

    def stream(self) -> Callable[[F], F]:
        """Handle Media Streams sessions on ``<prefix>/stream/<CallSid>``.

        The handler gets a :class:`~twhooks.realtime.stream.StreamSession` (an
        :class:`~twhooks.realtime.stream.AsyncStreamSession` if it is ``async def``).
        """
        return self._register("stream")

    def on_end(self, hook: F) -> F:
        """Call ``hook(record)`` when a session ends, however it ends (hang-up, ``end``,
        an error, a shutdown), with its :class:`~twhooks.realtime.lifecycle.SessionRecord`."""
        self.end_hooks.append(hook)
        return hook

    def _register(self, kind: str) -> Callable[[F], F]:
        if self.unavailable is not None:
            raise ConfigurationError(f"@{kind}() cannot be served: {self.unavailable}")

        def decorator(handler: F) -> F:
            self.handlers[kind] = handler
            return handler

        return decorator

    def drain(self, grace: float = 30.0) -> int:
        """Refuse new sockets, let live calls finish for *grace* seconds, cancel the rest.

        :returns: how many sessions were cancelled.
        """
        return self.registry.drain(grace)

    # -- 1. before the socket opens ---------------------------------------------------------

    def admit(
        self, kind: str, upgrade: Upgrade, call_sid: str, settings: RealtimeSettings
    ) -> LiveSession:
        """:meth:`check` then :meth:`open`: the socket may open if this returns."""
        self.check(kind, upgrade, call_sid, settings)
        return self.open(kind, upgrade, call_sid)

    def check(self, kind: str, upgrade: Upgrade, call_sid: str, settings: RealtimeSettings) -> None:
        """Verify the upgrade's signature and the CallSid in its URL.

        :raises UpgradeRefused: 404 no handler for *kind*, 403 a bad signature or CallSid.
            Logged.
        """
        try:
            if kind not in self.handlers:
                raise UpgradeRefused(
                    f"no @{kind}() handler is registered", status=404, code="no_handler"
                )
            if settings.verifier is not None:
                verify_upgrade(settings.verifier, upgrade, call_sid, public_url=settings.public_url)
            elif not CALL_SID.match(call_sid):
                raise UpgradeRefused(
                    "the URL's last segment is not a CallSid", code="invalid_call_sid"
                )
        except UpgradeRefused as refused:
            self._refused_upgrade(kind, upgrade, refused)
            raise

    def open(self, kind: str, upgrade: Upgrade, call_sid: str) -> LiveSession:
        """Claim the call for a new session (see :meth:`SessionRegistry.open`).

        :raises UpgradeRefused: 409 the call has a live socket, 503 draining. Logged.
        """
        try:
            return self.registry.open(call_sid, kind)
        except UpgradeRefused as refused:
            self._refused_upgrade(kind, upgrade, refused)
            raise

    async def open_async(self, kind: str, upgrade: Upgrade, call_sid: str) -> LiveSession:
        """:meth:`open` on an event loop: in a worker thread if the call store blocks (see
        :meth:`SessionRegistry.open_async`)."""
        try:
            return await self.registry.open_async(call_sid, kind)
        except UpgradeRefused as refused:
            self._refused_upgrade(kind, upgrade, refused)
            raise

    def _refused_upgrade(self, kind: str, upgrade: Upgrade, refused: UpgradeRefused) -> None:
        """Log a refused upgrade once, observed as a refused webhook of *kind* (its reason,
        ``refused.code``, the ``reason`` of ``twhooks_refusals_total``)."""
        observed = self.observers.refusing(kind, refused.code, None)
        logger.warning(
            "Refused %s WebSocket %s (HTTP %d): %s",
            kind,
            upgrade.root + upgrade.path,
            refused.status,
            refused.reason,
        )
        self.observers.refused(observed, refused.status)

    # -- 2. the session ---------------------------------------------------------------------

    def serve(self, kind: str, socket: SyncSocket, live: LiveSession, timeout: float) -> None:
        """Run a session on a thread: bind it, call the handler, tear it down.

        Never raises: what goes wrong is logged and recorded in the call's record.
        """
        from .messages import Setup
        from .relay import RelaySession
        from .stream import StreamSession

        live.on_cancel(lambda: socket.close(_GOING_AWAY, "server shutting down"))
        reason = "closed"
        fields = _session_fields(kind, live)
        try:
            first = self._first_sync(kind, socket, live, timeout)
            if first is None:
                reason = "refused"
                return
            fields.account_sid = first.account_sid or None
            session: RelaySession | StreamSession
            if isinstance(first, Setup):
                session = RelaySession(socket, live, first)
            else:
                session = StreamSession(socket, live, first)
            if self.warm_ups.hook is not None:
                session.warm_ups = self.warm_ups
            self.handlers[kind](session)
            reason = _end_reason(session)
        except SessionClosed:
            reason = "closed"
        except Exception as error:
            reason = "error"
            self._handler_failed(live, error)
            socket.close(_ERROR, "handler error")
        finally:
            socket.close()
            try:
                record = self.registry.end(live, reason)
                for hook in self.end_hooks:
                    try:
                        hook(record)
                    except Exception:
                        logger.exception("end hook %r failed for call %s", hook, record.call_sid)
            finally:
                self.registry.forget(live)
                leave(fields)

    async def serve_async(
        self, kind: str, socket: AsyncSocket, live: LiveSession, timeout: float
    ) -> None:
        """:meth:`serve` on an event loop, for ``async def`` handlers.

        Cancellation (the server drops the socket, or draining) is recorded and re-raised
        after the teardown.
        """
        import asyncio

        from .messages import Setup
        from .relay import AsyncRelaySession
        from .stream import AsyncStreamSession

        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None:
            live.on_cancel(functools.partial(loop.call_soon_threadsafe, task.cancel))
        reason = "closed"
        session: AsyncRelaySession | AsyncStreamSession | None = None
        # In this task's context, and so in the end's task, started from it.
        fields = _session_fields(kind, live)
        try:
            first = await self._first_async(kind, socket, live, timeout)
            if first is None:
                reason = "refused"
                return
            fields.account_sid = first.account_sid or None
            if isinstance(first, Setup):
                session = AsyncRelaySession(socket, live, first)
            else:
                session = AsyncStreamSession(socket, live, first)
            if self.warm_ups.hook is not None:
                session.warm_ups = self.warm_ups
            result = self.handlers[kind](session)
            if inspect.isawaitable(result):
                await result
            reason = _end_reason(session)
        except SessionClosed:
            reason = "closed"
        except asyncio.CancelledError:
            reason = "shutdown" if live.cancelled else "closed"
            raise
        except Exception as error:
            reason = "error"
            self._handler_failed(live, error)
            await _quietly(socket.close(_ERROR, "handler error"))
        finally:
            # The teardown must finish even when the server cancels this task again (it
            # does, shutting down): the record and the end hooks in a task of their own,
            # which a cancellation of this one does not reach (and a drain waits for); the
            # socket meanwhile, in bounded steps.
            ending = self.registry.finish(self._end_async(live, reason))
            if isinstance(session, AsyncRelaySession):
                await _quietly(session.aclose())
            await _quietly(socket.close())
            try:
                await ending
            finally:
                leave(fields)

    async def _end_async(self, live: LiveSession, reason: str) -> None:
        """Record the end of *live* and run the end hooks, in order: the record and the plain
        hooks through :meth:`SessionRegistry.store_call` (a worker thread if the store
        blocks: the first run of plain hooks in the record's trip), ``async def`` ones here."""
        registry = self.registry
        try:
            runs = [
                (is_async, list(hooks))
                for is_async, hooks in itertools.groupby(
                    self.end_hooks, key=inspect.iscoroutinefunction
                )
            ]
            first: list[EndHook] = [] if not runs or runs[0][0] else runs.pop(0)[1]
            record, pending = await registry.store_call(self._end_sync, live, reason, first)
            await _await_hooks(pending, record)
            for is_async, hooks in runs:
                if is_async:
                    pending = _run_hooks(hooks, record)
                else:
                    pending = await registry.store_call(_run_hooks, hooks, record)
                await _await_hooks(pending, record)
        finally:
            registry.forget(live)

    def _end_sync(
        self, live: LiveSession, reason: str, hooks: list[EndHook]
    ) -> tuple[SessionRecord, list[tuple[EndHook, Awaitable[Any]]]]:
        record = self.registry.end(live, reason)
        return record, _run_hooks(hooks, record)

    def _first_sync(
        self, kind: str, socket: SyncSocket, live: LiveSession, timeout: float
    ) -> Setup | Start | None:
        deadline = time.monotonic() + timeout
        for _ in range(3):  # a stream sends "connected" before "start"
            frame = socket.receive(max(0.0, deadline - time.monotonic()))
            if frame is None:
                self._refuse_sync(socket, live, f"no first message within {timeout} s")
                return None
            verdict = _bind(kind, frame, live)
            if isinstance(verdict, str):
                self._refuse_sync(socket, live, verdict)
                return None
            if verdict is not None:
                return verdict
        self._refuse_sync(socket, live, "no setup/start message")
        return None

    async def _first_async(
        self, kind: str, socket: AsyncSocket, live: LiveSession, timeout: float
    ) -> Setup | Start | None:
        import asyncio

        deadline = time.monotonic() + timeout
        for _ in range(3):
            try:
                frame = await asyncio.wait_for(
                    socket.receive(), max(0.0, deadline - time.monotonic())
                )
            except asyncio.TimeoutError:
                frame = None
            if frame is None:
                reason = f"no first message within {timeout} s"
            else:
                verdict = _bind(kind, frame, live)
                if not isinstance(verdict, str):
                    if verdict is not None:
                        return verdict
                    continue
                reason = verdict
            _log_refused(live, reason)
            await _quietly(socket.close(_POLICY, _close_text(reason)))
            return None
        _log_refused(live, "no setup/start message")
        await _quietly(socket.close(_POLICY, "no setup/start message"))
        return None

    def _refuse_sync(self, socket: SyncSocket, live: LiveSession, reason: str) -> None:
        _log_refused(live, reason)
        socket.close(_POLICY, _close_text(reason))

    def _handler_failed(self, live: LiveSession, error: Exception) -> None:
        live.record.errors.append(f"handler: {type(error).__name__}: {error}"[:500])
        logger.error(
            "%s handler failed for call %s",
            live.record.kind,
            live.record.call_sid,
            exc_info=error,
        )


def _bind(kind: str, frame: str | bytes, live: LiveSession) -> Setup | Start | str | None:
    """The first message if it binds to the signed call; a reason if not; ``None`` to skip."""
    from .messages import Connected, Setup, Start, parse_relay, parse_stream

    live.record.received += 1
    try:
        message = parse_relay(frame) if kind == "relay" else parse_stream(frame)
    except ProtocolError as error:
        return f"first message: {error.reason}"
    if kind == "stream" and not isinstance(message, Start):
        if isinstance(message, Connected):
            return None
        return f"expected start, got {type(message).__name__}"
    if kind == "relay" and not isinstance(message, Setup):
        return f"expected setup, got {type(message).__name__}"
    assert isinstance(message, (Setup, Start))
    if message.call_sid != live.record.call_sid:
        return "the CallSid of the first message is not the signed one"
    return message


def _run_hooks(
    hooks: Iterable[EndHook], record: SessionRecord
) -> list[tuple[EndHook, Awaitable[Any]]]:
    """Call each hook with *record*, in order; what they returned to await."""
    pending: list[tuple[EndHook, Awaitable[Any]]] = []
    for hook in hooks:
        try:
            result = hook(record)
        except Exception:
            logger.exception("end hook %r failed for call %s", hook, record.call_sid)
        else:
            if inspect.isawaitable(result):
                pending.append((hook, result))
    return pending


async def _await_hooks(
    pending: list[tuple[EndHook, Awaitable[Any]]], record: SessionRecord
) -> None:
    for hook, result in pending:
        try:
            await result
        except Exception:
            logger.exception("end hook %r failed for call %s", hook, record.call_sid)


def _end_reason(session: Any) -> str:
    if getattr(session, "ended", False):
        return "end"
    if getattr(session, "stopped", False):
        return "stop"
    return "closed" if session.closed else "done"


def _close_text(reason: str) -> str:
    # A close frame's reason is at most 123 bytes.
    return reason.encode("utf-8")[:120].decode("utf-8", "ignore")


def _log_refused(live: LiveSession, reason: str) -> None:
    live.record.errors.append(f"refused: {reason}")
    logger.warning(
        "Closed %s WebSocket for call %s (1008): %s",
        live.record.kind,
        live.record.call_sid,
        reason,
    )


async def _quietly(awaitable: Awaitable[Any], timeout: float = 1.0) -> None:
    """Await a step of a teardown: at most *timeout* seconds, and never raise (a
    cancellation included: the teardown goes on)."""
    import asyncio

    with contextlib.suppress(
        SessionClosed, OSError, RuntimeError, asyncio.TimeoutError, asyncio.CancelledError
    ):
        await asyncio.wait_for(awaitable, timeout)


def __getattr__(name: str) -> Any:
    if name == "KINDS":  # its name until 0.3; twhooks.KINDS is the webhook kinds
        warnings.warn(
            f"{__name__}.KINDS is deprecated: it is {__name__}.SOCKET_KINDS",
            DeprecationWarning,
            stacklevel=2,
        )
        return SOCKET_KINDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _session_fields(kind: str, live: LiveSession) -> WebhookFields:
    """The log fields of a session (:mod:`twhooks.observability.logfields`), current from
    now: its kind (``relay``, ``stream``), a request id, its CallSid (verified: the upgrade's
    signature covers it) and, once its first message says it, its AccountSid. On every record
    of twhooks and of the handler while the session runs."""
    fields = WebhookFields(kind, new_request_id(), call_sid=live.record.call_sid)
    enter(fields)
    return fields
