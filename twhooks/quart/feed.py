"""Each voice socket's frames on Quart, read off the ASGI connection by twhooks.

Quart reads a socket's frames in a task of its own and, when the caller hangs up, *cancels*
the handler: the code after ``async for prompt in session.prompts()`` would never run, only
its ``finally``. And Quart takes frames of any size its server lets through (Hypercorn's
limit is 16 MiB). :class:`SocketFeed`, the ASGI middleware that
:func:`~twhooks.quart.sockets.mount_quart` puts under the app, hands each voice session its
frames through a :class:`SocketInbox` instead: a hang-up is the inbox's last item, which
ends the session's loop like the end of any loop, and a frame over
:data:`~twhooks.realtime.transport.MAX_FRAME_BYTES` closes the socket with 1009, as
flask-sock does on Flask. It imports nothing of Quart: any ASGI app could use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from ..realtime.transport import MAX_FRAME_BYTES

__all__ = ["INBOX_KEY", "SocketFeed", "SocketInbox"]

logger = logging.getLogger("twhooks.realtime")

#: Where :class:`SocketFeed` puts a WebSocket's :class:`SocketInbox` in the ASGI scope.
INBOX_KEY = "twhooks.inbox"
# How long a handler may go on after the caller hung up before Quart cancels it (seconds).
_HANG_UP_GRACE = 10.0
# WebSocket close codes: a frame too big; a close without a code.
_TOO_BIG = 1009
_NO_STATUS = 1005
_BIG = "Message is too big"
_AFTER_CLOSE = frozenset({"websocket.send", "websocket.close"})


class SocketInbox:
    """The frames of one voice socket, taken off the ASGI connection by :class:`SocketFeed`;
    the socket's close (a hang-up, or 1009) is its last item."""

    __slots__ = ("claimed", "close_code", "done", "frames")

    def __init__(self) -> None:
        #: Whether a session reads this socket (from before it is accepted).
        self.claimed = False
        #: Set when the socket closed: by the caller (their code, or 1005), or by twhooks.
        self.close_code: int | None = None
        self.frames: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        #: Set when the session is over; a hang-up is handed to Quart then.
        self.done = asyncio.Event()

    @property
    def closed(self) -> bool:
        """Whether the socket is closed."""
        return self.close_code is not None

    def close(self, code: int) -> None:
        """Mark the socket closed with *code*; a waiting receive raises SessionClosed."""
        if self.close_code is None:
            self.close_code = code
            self.frames.put_nowait(None)


class SocketFeed:
    """ASGI middleware under a Quart app (its ``asgi_app``) that feeds each voice socket's
    :class:`SocketInbox`; :func:`mount_quart` installs it.

    Every WebSocket scope gets an inbox under ``scope["twhooks.inbox"]``; until a voice
    session claims it, the connection's events pass to Quart untouched (the app's other
    sockets are Quart's). Once claimed, frames go to the inbox; a frame over *max_frame*
    bytes closes the socket with 1009 (logged) and nothing more is read into memory; and a
    hang-up is handed to Quart only once the session is over, or after *grace* seconds
    (Quart then cancels a handler still running, as it did before).

    :param max_frame: the largest frame, in bytes.
    :param grace: how long a handler may go on after the hang-up, in seconds.
    """

    def __init__(
        self, app: Any, max_frame: int = MAX_FRAME_BYTES, grace: float = _HANG_UP_GRACE
    ) -> None:
        self.app = app
        self.max_frame = max_frame
        self.grace = grace

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        inbox = SocketInbox()
        scope = {**scope, INBOX_KEY: inbox}
        feed = self

        async def receive_events() -> Any:
            while True:
                event = await receive()
                if not inbox.claimed:
                    return event
                kind = event["type"]
                if kind == "websocket.receive":
                    if feed._too_big(inbox, event):
                        await send({"type": "websocket.close", "code": _TOO_BIG, "reason": _BIG})
                    continue
                if kind == "websocket.disconnect":
                    inbox.close(int(event.get("code") or _NO_STATUS))
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(inbox.done.wait(), feed.grace)
                return event

        async def send_event(message: Any) -> None:
            # Nothing more once twhooks closed the socket: the server would refuse it.
            if inbox.close_code == _TOO_BIG and message["type"] in _AFTER_CLOSE:
                return
            await send(message)

        await self.app(scope, receive_events, send_event)

    def _too_big(self, inbox: SocketInbox, event: Any) -> bool:
        """Put the frame of *event* in *inbox*; ``True`` if it is too big (the inbox is then
        closed with 1009, for the caller to close the socket)."""
        if inbox.closed:
            return False  # closed by twhooks: what still comes is dropped
        frame: str | bytes | None = event.get("text")
        if frame is None:
            frame = event.get("bytes") or b""
        size = len(frame)
        if isinstance(frame, str) and size * 4 > self.max_frame >= size:
            size = len(frame.encode("utf-8", "surrogatepass"))
        if size > self.max_frame:
            logger.warning(
                "Closed a voice WebSocket (1009): a frame of %d bytes, over the %d-byte limit",
                size,
                self.max_frame,
            )
            inbox.close(_TOO_BIG)
            return True
        inbox.frames.put_nowait(frame)
        return False
