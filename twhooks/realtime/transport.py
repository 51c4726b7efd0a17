"""What a session needs of a WebSocket: send text, receive a frame, close.

Every server's socket object is adapted to one of these two protocols (flask-sock's in
:mod:`twhooks.flask.sockets`, Quart's in :mod:`twhooks.quart.sockets`), so the sessions and
their tests do not depend on any of them. Both raise
:class:`~twhooks.realtime.errors.SessionClosed` once the socket is closed.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["MAX_FRAME_BYTES", "AsyncSocket", "SyncSocket"]

#: The largest frame a voice socket takes: a bigger one closes the socket with 1009 (Twilio's
#: messages are small: 160 bytes of audio, a sentence of text).
MAX_FRAME_BYTES = 1 << 20


class SyncSocket(Protocol):
    """A WebSocket used from one thread (flask-sock, a threaded server)."""

    def send(self, text: str) -> None:
        """Send one text frame."""

    def receive(self, timeout: float | None = None) -> str | bytes | None:
        """The next frame; ``None`` if none came within *timeout* seconds (0: don't wait)."""

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket (no error if it is already closed); wakes a blocked receive."""


class AsyncSocket(Protocol):
    """A WebSocket used from an event loop (Quart, any ASGI server)."""

    async def send(self, text: str) -> None:
        """Send one text frame."""

    async def receive(self) -> str | bytes:
        """The next frame."""

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket (no error if it is already closed)."""
