"""A ConversationRelay session: the caller's words in, the agent's streamed words out.

A handler gets a :class:`RelaySession` (sync, Flask) or an :class:`AsyncRelaySession`
(``async def``, Quart) once the socket is verified and its ``setup`` names the signed call::

    @hooks.relay()
    def agent(session):
        for prompt in session.prompts():
            session.say(llm_tokens(prompt.text))   # a generator of text pieces

:meth:`~RelaySession.say` sends each token as it comes and ends the answer with
``last: true``. When the caller speaks over the agent, Twilio sends ``interrupt``: ``say``
stops at the next token, closes the generator (so the model stops generating) and returns
``False``. Both classes share :class:`_RelayState` (parsing, counts, interruptions) and
differ only in how they wait for the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from typing import Any

from .errors import ProtocolError, SessionClosed
from .lifecycle import LiveSession, SessionRecord
from .messages import (
    Interrupt,
    Prompt,
    RelayError,
    RelayMessage,
    Setup,
    end_frame,
    handoff_text,
    language_frame,
    parse_relay,
    play_frame,
    send_digits_frame,
    text_frame,
)
from .transport import AsyncSocket, SyncSocket
from .warmup import AsyncWarmSession, WarmSession

__all__ = ["AsyncRelaySession", "RelaySession"]

logger = logging.getLogger("twhooks.realtime")


class _TextFlags:
    """The options of one answer, applied to each of its text frames."""

    __slots__ = ("interruptible", "lang", "preemptible")

    def __init__(
        self, lang: str | None, interruptible: bool | None, preemptible: bool | None
    ) -> None:
        self.lang = lang
        self.interruptible = interruptible
        self.preemptible = preemptible

    def frame(self, token: str, last: bool = False) -> str:
        return text_frame(
            token,
            last=last,
            lang=self.lang,
            interruptible=self.interruptible,
            preemptible=self.preemptible,
        )


class _RelayState:
    """What both relay sessions keep: the call, its record, interruptions, the end."""

    def __init__(self, live: LiveSession, setup: Setup) -> None:
        #: The ``setup`` message: CallSid, From, To, ``custom_parameters``...
        self.setup = setup
        #: The call this session is bound to (the signed one).
        self.call_sid = live.record.call_sid
        self.record: SessionRecord = live.record
        #: The app's own values for the call, kept in the call's record.
        self.data: dict[str, Any] = live.record.data
        #: The last ``interrupt`` received, if any.
        self.last_interrupt: Interrupt | None = None
        #: Whether :meth:`end` was called.
        self.ended = False
        #: Whether the socket is closed (the caller hung up).
        self.closed = False
        self._interrupts = 0

    def _accept(self, frame: str | bytes) -> RelayMessage | None:
        """The message in *frame*, counted; ``None`` (logged) if it is not one."""
        self.record.received += 1
        try:
            message = parse_relay(frame)
        except ProtocolError as error:
            logger.warning("ConversationRelay %s: ignored %s", self.call_sid, error.reason)
            self.record.errors.append(f"protocol: {error.reason}")
            return None
        if isinstance(message, Interrupt):
            self._interrupts += 1
            self.last_interrupt = message
        elif isinstance(message, RelayError):
            logger.warning("ConversationRelay %s: Twilio error: %s", self.call_sid, message)
            self.record.errors.append(f"twilio: {message.description}")
        return message

    def _end_frame(self, handoff_data: str | Mapping[str, Any] | None) -> str:
        self.ended = True
        if handoff_data is not None:
            self.record.handoff_data = handoff_text(handoff_data)
        return end_frame(handoff_data)


class RelaySession(_RelayState, WarmSession):
    """A ConversationRelay session for a synchronous handler (flask-sock).

    :param socket: the verified socket.
    :param live: the session's entry in the registry.
    :param setup: the ``setup`` message, already checked against the signed CallSid.
    """

    def __init__(self, socket: SyncSocket, live: LiveSession, setup: Setup) -> None:
        super().__init__(live, setup)
        self._socket = socket
        self._pending: deque[RelayMessage] = deque()

    def receive(self, timeout: float | None = None) -> RelayMessage | None:
        """The next message from Twilio; ``None`` if none came within *timeout* seconds.

        :raises SessionClosed: the socket is closed (the caller hung up).
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

    def events(self) -> Iterator[RelayMessage]:
        """Every message from Twilio (``prompt``, ``dtmf``, ``interrupt``, ``error``...),
        until the socket closes or :meth:`end` is called."""
        while not self.ended:
            try:
                message = self.receive()
            except SessionClosed:
                self.closed = True
                return
            if message is not None:
                yield message

    def prompts(self) -> Iterator[Prompt]:
        """What the caller says, one complete prompt at a time; other messages are skipped
        (see :attr:`last_interrupt`; use :meth:`events` to see them all)."""
        for message in self.events():
            if isinstance(message, Prompt) and message.last:
                yield message

    def say(
        self,
        text: str | Iterable[str],
        *,
        lang: str | None = None,
        interruptible: bool | None = None,
        preemptible: bool | None = None,
    ) -> bool:
        """Speak *text*: a string, or an iterable of tokens sent as they come.

        :returns: ``True`` if the whole answer was sent, ``False`` if the caller interrupted
            it: the remaining tokens are not sent and a generator is closed.
        :raises SessionClosed: the socket closed meanwhile.
        """
        send = self._socket.send
        flags = _TextFlags(lang, interruptible, preemptible)
        if isinstance(text, str):
            send(flags.frame(text, last=True))
            self.record.sent += 1
            return True
        generation = self._interrupts
        tokens = iter(text)
        try:
            for token in tokens:
                if self._interrupted_since(generation):
                    return False
                send(flags.frame(token))
                self.record.sent += 1
            if self._interrupted_since(generation):
                return False
            send(flags.frame("", last=True))
            self.record.sent += 1
            return True
        finally:
            close = getattr(tokens, "close", None)
            if close is not None:
                close()

    def _interrupted_since(self, generation: int) -> bool:
        """Read what has arrived without waiting; whether an interrupt came after *generation*."""
        receive = self._socket.receive
        while (frame := receive(0)) is not None:
            message = self._accept(frame)
            if message is not None:
                self._pending.append(message)
        return self._interrupts != generation

    def play(
        self,
        source: str,
        *,
        loop: int = 1,
        interruptible: bool | None = None,
        preemptible: bool | None = None,
    ) -> None:
        """Play the audio file at the URL *source*."""
        self._send(
            play_frame(source, loop=loop, interruptible=interruptible, preemptible=preemptible)
        )

    def send_digits(self, digits: str) -> None:
        """Play DTMF tones on the call (``0-9``, ``*``, ``#``, ``w`` for a pause)."""
        self._send(send_digits_frame(digits))

    def language(self, tts: str | None = None, transcription: str | None = None) -> None:
        """Switch the language of the voice and/or of the transcription."""
        self._send(language_frame(tts, transcription))

    def end(self, handoff_data: str | Mapping[str, Any] | None = None) -> None:
        """End the session; the ``<Connect action>`` callback receives *handoff_data*."""
        self._send(self._end_frame(handoff_data))

    def _send(self, frame: str) -> None:
        self._socket.send(frame)
        self.record.sent += 1


class AsyncRelaySession(_RelayState, AsyncWarmSession):
    """A ConversationRelay session for an ``async def`` handler (Quart, ASGI).

    A reader task takes Twilio's messages off the socket as they come, so an interruption
    is seen while :meth:`say` awaits the next token.
    """

    def __init__(self, socket: AsyncSocket, live: LiveSession, setup: Setup) -> None:
        super().__init__(live, setup)
        self._socket = socket
        self._queue: asyncio.Queue[RelayMessage | None] = asyncio.Queue()
        # The task streaming an answer, which the reader cancels on an interrupt.
        self._streaming: asyncio.Task[Any] | None = None
        self._cancelled_by_interrupt = False
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            while True:
                message = self._accept(await self._socket.receive())
                if message is not None:
                    if isinstance(message, Interrupt):
                        self._cancel_streaming()
                    self._queue.put_nowait(message)
        except SessionClosed:
            pass
        finally:
            self.closed = True
            self._queue.put_nowait(None)

    def _cancel_streaming(self) -> None:
        """Stop the answer being streamed, if any, wherever it is waiting."""
        streaming = self._streaming
        if streaming is not None and not self._cancelled_by_interrupt:
            self._cancelled_by_interrupt = True
            streaming.cancel()

    async def aclose(self) -> None:
        """Stop reading (the session runner calls this when the handler returns)."""
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def receive(self, timeout: float | None = None) -> RelayMessage | None:
        """The next message; ``None`` if none came within *timeout* seconds.

        :raises SessionClosed: the socket is closed.
        """
        if self.closed and self._queue.empty():
            raise SessionClosed()
        try:
            message = await asyncio.wait_for(self._queue.get(), timeout)
        except asyncio.TimeoutError:
            return None
        if message is None:
            self._queue.put_nowait(None)  # for the next caller too
            raise SessionClosed()
        return message

    async def events(self) -> AsyncIterator[RelayMessage]:
        """:meth:`RelaySession.events`, awaited."""
        while not self.ended:
            try:
                message = await self.receive()
            except SessionClosed:
                return
            if message is not None:
                yield message

    async def prompts(self) -> AsyncIterator[Prompt]:
        """:meth:`RelaySession.prompts`, awaited."""
        async for message in self.events():
            if isinstance(message, Prompt) and message.last:
                yield message

    async def say(
        self,
        text: str | Iterable[str] | AsyncIterable[str],
        *,
        lang: str | None = None,
        interruptible: bool | None = None,
        preemptible: bool | None = None,
    ) -> bool:
        """:meth:`RelaySession.say`; *text* may also be an async iterable (a model's stream)."""
        flags = _TextFlags(lang, interruptible, preemptible)
        if isinstance(text, str):
            await self._send(flags.frame(text, last=True))
            return True
        generation = self._interrupts
        if isinstance(text, AsyncIterable):
            if not await self._stream_async(aiter(text), flags, generation):
                return False
        else:
            sync_tokens = iter(text)
            try:
                for token in sync_tokens:
                    await asyncio.sleep(0)  # let the reader see an interrupt
                    if self._interrupts != generation or self.closed:
                        return False
                    await self._send(flags.frame(token))
            finally:
                close = getattr(sync_tokens, "close", None)
                if close is not None:
                    close()
        await asyncio.sleep(0)
        if self._interrupts != generation:
            return False
        await self._send(flags.frame("", last=True))
        return True

    async def _stream_async(
        self, tokens: AsyncIterator[str], flags: _TextFlags, generation: int
    ) -> bool:
        """Send *tokens* as they come; ``False`` as soon as an interrupt arrives.

        The reader cancels this task when an interrupt comes while tokens stream (see
        :meth:`_read`), so a model slow to produce its next token is cancelled at once; the
        cancellation is caught here and goes no further. Nothing is added per token.
        """
        task = asyncio.current_task()
        self._streaming = task
        try:
            async for token in tokens:
                if self._interrupts != generation or self.closed:
                    return False
                await self._send(flags.frame(token))
            return self._interrupts == generation
        except asyncio.CancelledError:
            if not self._cancelled_by_interrupt:
                raise  # a real cancellation: the socket is gone, or the server drains
            uncancel = getattr(task, "uncancel", None)  # Python 3.11+
            if uncancel is not None and uncancel() > 0:
                raise  # cancelled for another reason as well
            return False
        finally:
            self._streaming = None
            self._cancelled_by_interrupt = False
            aclose = getattr(tokens, "aclose", None)
            if aclose is not None:
                await aclose()

    async def play(
        self,
        source: str,
        *,
        loop: int = 1,
        interruptible: bool | None = None,
        preemptible: bool | None = None,
    ) -> None:
        """:meth:`RelaySession.play`."""
        await self._send(
            play_frame(source, loop=loop, interruptible=interruptible, preemptible=preemptible)
        )

    async def send_digits(self, digits: str) -> None:
        """:meth:`RelaySession.send_digits`."""
        await self._send(send_digits_frame(digits))

    async def language(self, tts: str | None = None, transcription: str | None = None) -> None:
        """:meth:`RelaySession.language`."""
        await self._send(language_frame(tts, transcription))

    async def end(self, handoff_data: str | Mapping[str, Any] | None = None) -> None:
        """:meth:`RelaySession.end`."""
        await self._send(self._end_frame(handoff_data))

    async def _send(self, frame: str) -> None:
        if self.closed:
            raise SessionClosed()
        await self._socket.send(frame)
        self.record.sent += 1
