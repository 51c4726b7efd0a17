"""The relay and stream WebSocket routes in a Quart app.

:func:`mount_quart` adds ``<prefix>/relay/<CallSid>`` and ``<prefix>/stream/<CallSid>``
to a Quart app (the Quart extension mounts them in ``init_app``). As on Flask, the upgrade is
verified by a ``before_websocket`` function placed first among the app's own, so a forged
upgrade runs no app code and is answered with an HTTP status before the socket is accepted
(Hypercorn and Uvicorn support that ASGI extension; other servers close the socket instead).
Handlers are ``async def`` and get an :class:`~twhooks.realtime.relay.AsyncRelaySession` or
:class:`~twhooks.realtime.stream.AsyncStreamSession`, served by
:meth:`~twhooks.realtime.handlers.RealtimeHandlers.serve_async` through :class:`QuartSocket`.
"""

from __future__ import annotations

import inspect
from typing import Any

from quart import Quart, Response, websocket

from ..exceptions import HandlerError
from ..realtime.errors import SessionClosed, UpgradeRefused
from ..realtime.handlers import SOCKET_KINDS, RealtimeHandlers, RealtimeSettings
from ..realtime.verify import Upgrade
from .feed import INBOX_KEY, SocketFeed, SocketInbox

__all__ = ["QuartSocket", "mount_quart"]


class QuartSocket:
    """Quart's ``websocket`` as an :class:`~twhooks.realtime.transport.AsyncSocket`.

    :param inbox: where its frames come from (:class:`SocketFeed`); without one they are
        read from Quart, which cancels the handler when the caller hangs up.
    """

    __slots__ = ("_closed", "_inbox", "_ws")

    def __init__(self, ws: Any, inbox: SocketInbox | None = None) -> None:
        self._ws = ws
        self._closed = False
        self._inbox = inbox
        if inbox is not None:
            inbox.claimed = True

    async def send(self, text: str) -> None:
        inbox = self._inbox
        if self._closed or (inbox is not None and inbox.closed):
            raise SessionClosed(code=inbox.close_code if inbox is not None else None)
        await self._ws.send(text)

    async def receive(self) -> str | bytes:
        if self._closed:
            raise SessionClosed()
        inbox = self._inbox
        if inbox is None:
            frame: str | bytes = await self._ws.receive()
            return frame
        if inbox.closed and inbox.frames.empty():
            raise SessionClosed(code=inbox.close_code)
        item = await inbox.frames.get()
        if item is None:
            inbox.frames.put_nowait(None)  # for the next receive too
            raise SessionClosed(code=inbox.close_code)
        return item

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if not self._closed:
            self._closed = True
            if self._inbox is None or not self._inbox.closed:
                await self._ws.close(code, reason)


def mount_quart(
    app: Quart,
    handlers: RealtimeHandlers,
    *,
    url_prefix: str = "/twilio",
    settings: RealtimeSettings | None = None,
) -> None:
    """Add the WebSocket routes of *handlers* to *app*; end their sessions when it stops.

    :param url_prefix: ``TWHOOKS_URL_PREFIX``.
    :param settings: read from ``app.config`` now if not given.
    :raises ConfigurationError: no auth token with validation on.
    """
    settings = settings if settings is not None else RealtimeSettings.from_config(app.config)
    prefix = "/" + url_prefix.strip("/") if url_prefix.strip("/") else ""
    endpoints: dict[str, str] = {}
    for kind in SOCKET_KINDS:
        endpoint = f"twhooks_{kind}"
        endpoints[endpoint] = kind
        app.add_websocket(
            f"{prefix}/{kind}/<call_sid>", endpoint, _socket_view(kind, handlers, settings)
        )

    async def verify_upgrade() -> Response | None:
        kind = endpoints.get(websocket.endpoint or "")
        if kind is None:
            return None
        upgrade = Upgrade.from_scope(websocket.scope)
        call_sid = (websocket.view_args or {}).get("call_sid", "")
        handler = handlers.handlers.get(kind)
        if handler is not None and not inspect.iscoroutinefunction(handler):
            raise HandlerError(f"the @{kind}() handler must be an async def on Quart")
        try:
            handlers.check(kind, upgrade, call_sid, settings)
        except UpgradeRefused as refused:
            return _refusal(refused)
        return None

    # First among the app's own: a forged upgrade runs none of them.
    app.before_websocket_funcs.setdefault(None, []).insert(0, verify_upgrade)
    if not isinstance(app.asgi_app, SocketFeed):
        app.asgi_app = SocketFeed(app.asgi_app)  # type: ignore[method-assign]

    @app.after_serving
    async def end_sessions() -> None:
        # The server has stopped accepting and given live calls its graceful timeout
        # (Hypercorn's --graceful-timeout is the grace period); the sockets still open are
        # gone or about to be, and Quart leaves their handlers running: cancel them now,
        # so that their teardown and end hooks run.
        await handlers.registry.drain_async(grace=0.0)


def _refusal(refused: UpgradeRefused) -> Response:
    return Response(
        f"WebSocket upgrade refused ({refused.status}).\n",
        status=refused.status,
        mimetype="text/plain",
    )


def _socket_view(kind: str, handlers: RealtimeHandlers, settings: RealtimeSettings) -> Any:
    async def view(call_sid: str) -> Response | None:
        upgrade = Upgrade.from_scope(websocket.scope)
        try:
            # The call claimed in a worker thread when its store blocks.
            live = await handlers.open_async(kind, upgrade, call_sid)
        except UpgradeRefused as refused:
            return _refusal(refused)
        # The request-local proxy resolved once: the session outlives no context, but
        # every send and receive would otherwise look the context variable up again. Its
        # frames are read from the inbox, claimed before the socket is accepted so that
        # none reaches Quart's own queue.
        inbox = websocket.scope.get(INBOX_KEY)
        if not isinstance(inbox, SocketInbox):
            inbox = None
        socket = QuartSocket(websocket._get_current_object(), inbox)  # type: ignore[attr-defined]
        try:
            try:
                await websocket.accept()
            except BaseException:
                await handlers.registry.close_async(live, "refused")
                raise
            await handlers.serve_async(kind, socket, live, settings.first_message_timeout)
        finally:
            if inbox is not None:
                inbox.done.set()
        return None

    view.__name__ = f"twhooks_{kind}"
    return view
