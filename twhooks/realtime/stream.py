"""A Media Streams session: the call's audio in, the app's audio out.

A handler gets a :class:`StreamSession` (sync, Flask) or an :class:`AsyncStreamSession`
(``async def``, Quart) once the socket is verified and its ``start`` names the signed call::

    @hooks.stream()
    def echo(stream):
        for audio in stream.audio():        # 20 ms of 8 kHz μ-law per frame, as bytes
            stream.send_audio(audio)

:attr:`~_StreamState.start` holds the ``customParameters`` and the media format. On a
bidirectional stream (``<Connect><Stream>``) the app can send audio, marks (echoed back by
Twilio once the audio before them has played) and ``clear`` (drop the queued audio, on
barge-in).
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any

from . import messages
from .errors import ProtocolError, SessionClosed
from .lifecycle import LiveSession, SessionRecord
from .messages import (
    Mark,
    Media,
    Stop,
    StreamMessage,
    clear_frame,
    mark_frame,
    media_frame,
    parse_stream,
)
from .playback import Heard, Playback
from .transport import AsyncSocket, SyncSocket
from .warmup import AsyncWarmSession, WarmSession

__all__ = ["AsyncStreamSession", "StreamSession"]

logger = logging.getLogger("twhooks.realtime")


class _StreamState:
    """What both stream sessions keep: the call, its record, the marks, the stop."""

    def __init__(self, live: LiveSession, start: messages.Start) -> None:
        #: The ``start`` message: ``stream_sid``, ``custom_parameters``, ``media_format``...
        self.start = start
        #: The call this session is bound to (the signed one).
        self.call_sid = live.record.call_sid
        self.stream_sid = start.stream_sid
        self.record: SessionRecord = live.record
        #: The app's own values for the call, kept in the call's record.
        self.data: dict[str, Any] = live.record.data
        #: The names of the marks Twilio has echoed back, in order.
        self.marks_played: list[str] = []
        #: Whether Twilio sent ``stop``.
        self.stopped = False
        #: Whether the socket is closed.
        self.closed = False
        #: The audio sent since the last ``clear`` and how much of it has played.
        self.playback = Playback()

    @property
    def played_ms(self) -> int:
        """Milliseconds of the audio sent since the last ``clear`` that the caller has heard,
        as of the last mark Twilio echoed (see :meth:`mark`)."""
        return self.playback.played_ms

    @property
    def sent_ms(self) -> int:
        """Milliseconds of audio sent since the last ``clear``."""
        return self.playback.sent_ms

    def heard(self) -> Heard:
        """What the caller has heard of the audio sent since the last ``clear``: its length
        and the text of the pieces begun (see :meth:`send_audio`)."""
        return self.playback.heard()

    def _accept(self, frame: str | bytes) -> StreamMessage | None:
        self.record.received += 1
        try:
            message = parse_stream(frame)
        except ProtocolError as error:
            logger.warning("Media Stream %s: ignored %s", self.call_sid, error.reason)
            self.record.errors.append(f"protocol: {error.reason}")
            return None
        if isinstance(message, Stop):
            self.stopped = True
        elif isinstance(message, Mark):
            self.marks_played.append(message.name)
            self.playback.echoed(message.name)
        return message


class StreamSession(_StreamState, WarmSession):
    """A Media Streams session for a synchronous handler (flask-sock)."""

    def __init__(self, socket: SyncSocket, live: LiveSession, start: messages.Start) -> None:
        super().__init__(live, start)
        self._socket = socket
        self._pending: deque[StreamMessage] = deque()

    def receive(self, timeout: float | None = None) -> StreamMessage | None:
        """The next message; ``None`` if none came within *timeout* seconds.

        :raises SessionClosed: the socket is closed.
        """
        if self._pending:
            return self._pending.popleft()
        while True:
            frame = self._socket.receive(timeout)
            if frame is None:
                return None
            message = self._accept(frame)
            if message is not None:
                return message

    def events(self) -> Iterator[StreamMessage]:
        """Every message (``media``, ``dtmf``, ``mark``, ``stop``...) until ``stop``
        (included) or the socket closes."""
        while not self.stopped:
            try:
                message = self.receive()
            except SessionClosed:
                self.closed = True
                return
            if message is not None:
                yield message

    def audio(self) -> Iterator[bytes]:
        """The audio of the call, frame by frame, until the stream stops."""
        for message in self.events():
            if type(message) is Media:
                yield message.payload

    def send_audio(self, audio: bytes, text: str | None = None) -> None:
        """Queue *audio* (raw bytes in the stream's format) to be played on the call.

        :param text: what it says, for :meth:`heard` and :meth:`barge_in`.
        """
        self._send(media_frame(self.stream_sid, audio))
        self.playback.sent(audio, text)

    def mark(self, name: str | None = None) -> str:
        """Ask Twilio to echo a ``mark`` once the audio sent so far has played; that echo
        moves :attr:`played_ms` up to here. :returns: its name (``twhooks-<n>`` by default)."""
        name = self.playback.mark(name)
        self._send(mark_frame(self.stream_sid, name))
        return name

    def clear(self) -> None:
        """Drop the audio queued and not yet played."""
        self._send(clear_frame(self.stream_sid))
        self.playback.cleared()

    def barge_in(self) -> Heard:
        """The caller spoke over the answer: drop Twilio's queue (``clear``) and return what
        had been heard of it, to cut the model's answer there.

        The marks already echoed but not yet read are counted first (the messages read
        meanwhile are kept for :meth:`receive`).
        """
        receive = self._socket.receive
        with contextlib.suppress(SessionClosed):
            while (frame := receive(0)) is not None:
                message = self._accept(frame)
                if message is not None:
                    self._pending.append(message)
        self._send(clear_frame(self.stream_sid))
        return self.playback.cleared()

    def _send(self, frame: str) -> None:
        self._socket.send(frame)
        self.record.sent += 1


class AsyncStreamSession(_StreamState, AsyncWarmSession):
    """A Media Streams session for an ``async def`` handler (Quart, ASGI)."""

    def __init__(self, socket: AsyncSocket, live: LiveSession, start: messages.Start) -> None:
        super().__init__(live, start)
        self._socket = socket

    async def receive(self) -> StreamMessage:
        """The next message.

        :raises SessionClosed: the socket is closed.
        """
        while True:
            message = self._accept(await self._socket.receive())
            if message is not None:
                return message

    async def events(self) -> AsyncIterator[StreamMessage]:
        """:meth:`StreamSession.events`, awaited."""
        while not self.stopped:
            try:
                message = await self.receive()
            except SessionClosed:
                self.closed = True
                return
            yield message

    async def audio(self) -> AsyncIterator[bytes]:
        """:meth:`StreamSession.audio`, awaited."""
        async for message in self.events():
            if type(message) is Media:
                yield message.payload

    async def send_audio(self, audio: bytes, text: str | None = None) -> None:
        """:meth:`StreamSession.send_audio`."""
        await self._send(media_frame(self.stream_sid, audio))
        self.playback.sent(audio, text)

    async def mark(self, name: str | None = None) -> str:
        """:meth:`StreamSession.mark`."""
        name = self.playback.mark(name)
        await self._send(mark_frame(self.stream_sid, name))
        return name

    async def clear(self) -> None:
        """:meth:`StreamSession.clear`."""
        await self._send(clear_frame(self.stream_sid))
        self.playback.cleared()

    async def barge_in(self) -> Heard:
        """:meth:`StreamSession.barge_in`."""
        await self._send(clear_frame(self.stream_sid))
        return self.playback.cleared()

    async def _send(self, frame: str) -> None:
        await self._socket.send(frame)
        self.record.sent += 1
