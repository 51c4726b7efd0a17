"""The relay and stream WebSocket routes in a Flask app, through flask-sock.

:func:`mount_flask` adds ``<prefix>/relay/<CallSid>`` and ``<prefix>/stream/<CallSid>``.
The upgrade's signature is checked by a ``before_request`` function placed *first* among
the app's own, so a forged upgrade reaches no app code and no socket is opened for it;
then the view claims the call (one socket per CallSid, none while draining) and hands the
request to flask-sock, which opens the socket on werkzeug, gunicorn (threads), eventlet or
gevent. The session then runs on the request's thread
(:meth:`~twhooks.realtime.handlers.RealtimeHandlers.serve`). The Flask extension mounts
them in ``init_app`` when flask-sock is installed.

Needs the ``sock`` extra: ``pip install twhooks[sock]``.
"""

from __future__ import annotations

import contextlib
import inspect
import socket
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from ..exceptions import HandlerError
from ..realtime.errors import SessionClosed, UpgradeRefused
from ..realtime.handlers import SOCKET_KINDS, RealtimeHandlers, RealtimeSettings
from ..realtime.transport import MAX_FRAME_BYTES
from ..realtime.verify import Upgrade
from . import SOCKETS_BLUEPRINT

__all__ = ["BLUEPRINT", "FlaskSockSocket", "mount_flask"]

_LIVE_KEY = "twhooks.realtime.live"
# How long a receive waits before it looks whether the socket closed meanwhile (seconds).
_POLL = 0.2
#: The name of the blueprint of the socket routes.
BLUEPRINT = _BLUEPRINT = SOCKETS_BLUEPRINT


class FlaskSockSocket:
    """A flask-sock socket as a :class:`~twhooks.realtime.transport.SyncSocket`."""

    __slots__ = ("_ws",)

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        # Tokens are small frames sent one after the other: without TCP_NODELAY, Nagle's
        # algorithm holds each back until the previous one is acknowledged (asyncio
        # servers set it; WSGI servers do not).
        with contextlib.suppress(OSError, AttributeError):
            ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, text: str) -> None:
        try:
            self._ws.send(text)
        except (ConnectionClosed, OSError) as error:
            raise SessionClosed(code=getattr(error, "reason", None)) from None

    def receive(self, timeout: float | None = None) -> str | bytes | None:
        # Waited for in slices: simple-websocket wakes a waiting receiver *before* it marks
        # the socket closed when it refuses a frame over the size limit, and a receiver
        # that looked in between would wait for the next frame forever. Each slice looks
        # at the socket again, so a close is seen within one slice.
        ws = self._ws
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                left = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
                frame: str | bytes | None = ws.receive(max(0.0, left))
                if frame is not None:
                    return frame
                if not ws.connected:
                    raise SessionClosed(code=ws.close_reason)
                if deadline is not None and time.monotonic() >= deadline:
                    return None
        except ConnectionClosed as error:
            raise SessionClosed(code=error.reason) from None

    def close(self, code: int = 1000, reason: str = "") -> None:
        ws = self._ws
        if ws.connected:
            with contextlib.suppress(ConnectionClosed, OSError):
                ws.close(code, reason or None)
        # The server keeps the connection open for a next HTTP request (werkzeug holds its
        # own file objects on the socket): end our half now, after the close frame (ours,
        # or simple-websocket's own for a frame too big), so the client sees the end of
        # the session at once.
        with contextlib.suppress(OSError):
            ws.sock.shutdown(socket.SHUT_WR)
        ws.event.set()  # wake a thread blocked in receive()


class _Capture:
    """Stands in for a Blueprint so that ``Sock.route`` hands its view over instead of
    registering it: flask-sock then opens the socket only when that view is called."""

    view: Any = None

    def route(self, rule: str, **options: Any) -> Any:
        def register(view: Any) -> Any:
            self.view = view
            return view

        return register


def mount_flask(
    app: Flask,
    handlers: RealtimeHandlers,
    *,
    url_prefix: str = "/twilio",
    settings: RealtimeSettings | None = None,
    register_check: bool = True,
) -> Callable[[], Response | None]:
    """Add the WebSocket routes of *handlers* to *app*.

    :param url_prefix: ``TWHOOKS_URL_PREFIX``.
    :param settings: read from ``app.config`` now if not given
        (:meth:`~twhooks.realtime.handlers.RealtimeSettings.from_config`).
    :param register_check: register the upgrade check as the app's first
        ``before_request`` function; without it the caller runs the returned check from its
        own first ``before_request`` function (as the Flask extension does, so that requests
        pay for one function, not two), for requests to :data:`BLUEPRINT`.
    :returns: the check: a refusal for a forged upgrade, else ``None``.
    :raises ConfigurationError: no auth token with validation on.
    """
    settings = settings if settings is not None else RealtimeSettings.from_config(app.config)
    # Twilio's messages are small: a frame over 1 MiB closes the socket (flask-sock's
    # default is no limit). An app's own SOCK_SERVER_OPTIONS win.
    app.config.setdefault("SOCK_SERVER_OPTIONS", {"max_message_size": MAX_FRAME_BYTES})
    prefix = "/" + url_prefix.strip("/") if url_prefix.strip("/") else ""
    blueprint = Blueprint(_BLUEPRINT, __name__, url_prefix=prefix or None)
    for kind in SOCKET_KINDS:
        blueprint.add_url_rule(
            f"/{kind}/<call_sid>",
            endpoint=kind,
            view_func=_view(kind, handlers, settings),
            websocket=True,
        )
    app.register_blueprint(blueprint)

    endpoints = {f"{_BLUEPRINT}.{kind}": kind for kind in SOCKET_KINDS}

    def verify_upgrade() -> Response | None:
        kind = endpoints.get(request.endpoint or "")
        if kind is None:
            return None
        upgrade = Upgrade.from_environ(request.environ)
        call_sid = (request.view_args or {}).get("call_sid", "")
        try:
            handler = handlers.handlers.get(kind)
            if handler is not None and inspect.iscoroutinefunction(handler):
                raise HandlerError(f"the @{kind}() handler must be a plain def on Flask")
            handlers.check(kind, upgrade, call_sid, settings)
        except UpgradeRefused as refused:
            return _refusal(refused)
        return None

    if register_check:
        # First among the app's own: a forged upgrade runs none of them.
        app.before_request_funcs.setdefault(None, []).insert(0, verify_upgrade)
    return verify_upgrade


def _refusal(refused: UpgradeRefused) -> Response:
    return Response(
        f"WebSocket upgrade refused ({refused.status}).\n", refused.status, mimetype="text/plain"
    )


def _view(kind: str, handlers: RealtimeHandlers, settings: RealtimeSettings) -> Any:
    def session(ws: Any, call_sid: str) -> None:
        live = request.environ.pop(_LIVE_KEY)
        handlers.serve(kind, FlaskSockSocket(ws), live, settings.first_message_timeout)

    capture = _Capture()
    Sock().route("/", bp=capture)(session)
    open_socket = capture.view

    def view(call_sid: str) -> Any:
        upgrade = Upgrade.from_environ(request.environ)
        try:
            live = handlers.open(kind, upgrade, call_sid)
        except UpgradeRefused as refused:
            return _refusal(refused)
        request.environ[_LIVE_KEY] = live
        try:
            return open_socket(call_sid=call_sid)
        finally:
            if request.environ.pop(_LIVE_KEY, None) is not None:
                # The socket never opened (a failed handshake): free the call.
                handlers.registry.close(live, "refused")

    view.__name__ = f"twhooks_{kind}"
    return view
