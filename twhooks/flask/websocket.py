"""flask-sock's side of a voice socket: the socket as a
:class:`~twhooks.realtime.transport.SyncSocket`, and flask-sock's view that opens it.

Imported by :mod:`twhooks.flask.sockets` on the first WebSocket upgrade, not when the routes
are mounted: flask-sock brings simple-websocket, wsproto and h11, which an app that answers
webhooks only never needs. Needs the ``voice`` extra: ``pip install 'twhooks[voice]'``.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable
from typing import Any

from flask_sock import Sock
from simple_websocket import ConnectionClosed

from ..realtime.errors import SessionClosed

__all__ = ["FlaskSockSocket", "socket_opener"]

# How long a receive waits before it looks whether the socket closed meanwhile (seconds).
_POLL = 0.2


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


def socket_opener(session: Callable[..., None]) -> Callable[..., Any]:
    """flask-sock's view for *session* (``session(ws, **view_args)``): called in a request,
    it opens the socket and runs *session* on it."""
    capture = _Capture()
    Sock().route("/", bp=capture)(session)
    view: Callable[..., Any] = capture.view
    return view
