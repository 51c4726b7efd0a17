"""Play Twilio's part of a relay or stream session against a running app, for tests and the CLI.

::

    with RelayCaller(server_url + "/twilio/relay/" + call_sid, TOKEN) as caller:
        caller.say("What are your opening hours?")
        assert caller.answer() == "We open at nine."

:class:`RelayCaller` and :class:`StreamCaller` sign the upgrade like Twilio (over the
``wss://`` URL the app rebuilds, see :mod:`twhooks.realtime.verify`), connect over a real
WebSocket, and send the first message (``setup``, or ``connected`` and ``start``) for the
call in the URL. They use the ``websockets`` package (``pip install websockets``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from ..extras import missing
from ..signature import compute_signature
from .errors import SessionClosed, UpgradeRefused
from .verify import CALL_SID

__all__ = ["RelayCaller", "StreamCaller", "new_call_sid", "signed_websocket_url"]


def new_call_sid() -> str:
    """A random CallSid."""
    return "CA" + uuid.uuid4().hex


def signed_websocket_url(url: str) -> str:
    """The URL Twilio signs for a socket at *url*: the same with ``wss://``."""
    scheme, sep, rest = url.partition("://")
    return f"wss://{rest}" if sep and scheme in ("ws", "http", "https") else url


class _Caller:
    """A WebSocket to the app, opened with Twilio's headers."""

    def __init__(
        self,
        url: str,
        auth_token: str | None,
        *,
        call_sid: str | None = None,
        signed_url: str | None = None,
        signature: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = url.replace("https://", "wss://").replace("http://", "ws://")
        last = self.url.rstrip("/").rpartition("/")[2].partition("?")[0]
        #: The call this session claims to be (the URL's by default).
        self.call_sid = call_sid or (last if CALL_SID.match(last) else new_call_sid())
        self.timeout = timeout
        headers = {"User-Agent": "TwilioProxy/1.1"}
        if signature is None and auth_token:
            signature = compute_signature(auth_token, signed_url or signed_websocket_url(url))
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        self._headers = headers
        self._ws: Any = None
        self._stack = contextlib.ExitStack()
        #: Every message received, parsed, in order.
        self.received: list[dict[str, Any]] = []

    def open(self) -> None:
        """Connect.

        :raises UpgradeRefused: the app answered the upgrade with an HTTP status.
        """
        try:
            from websockets.exceptions import InvalidStatus
            from websockets.sync.client import connect
        except ModuleNotFoundError as error:
            if error.name != "websockets":
                raise
            raise missing("voice", "twhooks' relay and stream callers", "websockets") from error
        try:
            # Entered as a context manager, as websockets asks; left in close().
            self._ws = self._stack.enter_context(
                connect(
                    self.url,
                    additional_headers=self._headers,
                    open_timeout=self.timeout,
                    proxy=None,
                    user_agent_header=None,
                )
            )
        except InvalidStatus as error:
            status = error.response.status_code
            raise UpgradeRefused(f"the app answered HTTP {status}", status=status) from None

    def send(self, message: Mapping[str, Any]) -> None:
        """Send one JSON message.

        :raises SessionClosed: the app closed the socket.
        """
        from websockets.exceptions import ConnectionClosed

        try:
            self._ws.send(json.dumps(message))
        except ConnectionClosed as closed:
            rcvd = closed.rcvd
            raise SessionClosed(
                rcvd.reason if rcvd else "closed", code=rcvd.code if rcvd else None
            ) from None

    def receive(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next message from the app; ``None`` on timeout.

        :raises SessionClosed: the app closed the socket (its ``code`` and ``reason``).
        """
        from websockets.exceptions import ConnectionClosed

        try:
            frame = self._ws.recv(timeout=self.timeout if timeout is None else timeout)
        except TimeoutError:
            return None
        except ConnectionClosed as closed:
            rcvd = closed.rcvd
            raise SessionClosed(
                rcvd.reason if rcvd else "closed", code=rcvd.code if rcvd else None
            ) from None
        message: dict[str, Any] = json.loads(frame)
        self.received.append(message)
        return message

    def wait_closed(self, timeout: float | None = None) -> SessionClosed:
        """Read until the app closes the socket; the close, with its code."""
        while True:
            try:
                if self.receive(timeout) is None:
                    raise TimeoutError("the app did not close the socket")
            except SessionClosed as closed:
                return closed

    def close(self) -> None:
        """Close the socket (hang up)."""
        self._stack.close()


class RelayCaller(_Caller):
    """Twilio's side of a ConversationRelay session.

    :param url: the relay URL to connect to (``ws://127.0.0.1:port/twilio/relay/CA…``).
    :param auth_token: signs the upgrade; ``None`` sends it unsigned.
    :param call_sid: the CallSid of ``setup``; the URL's by default.
    :param signed_url: the URL to sign, when the app sees another one (a public URL).
    :param signature: send this signature instead of computing one.
    :param custom_parameters: ``setup.customParameters``.
    """

    def __init__(
        self,
        url: str,
        auth_token: str | None,
        *,
        custom_parameters: Mapping[str, str] | None = None,
        from_: str = "+14155550100",
        to: str = "+14155550199",
        **options: Any,
    ) -> None:
        super().__init__(url, auth_token, **options)
        self.custom_parameters = dict(custom_parameters or {})
        self.from_ = from_
        self.to = to

    def __enter__(self) -> RelayCaller:
        self.open()
        self.send(
            {
                "type": "setup",
                "sessionId": "VX" + uuid.uuid4().hex,
                "accountSid": "AC" + "0" * 32,
                "callSid": self.call_sid,
                "from": self.from_,
                "to": self.to,
                "direction": "inbound",
                "callStatus": "RINGING",
                "customParameters": self.custom_parameters,
            }
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def say(self, text: str, *, lang: str = "en-US", last: bool = True) -> None:
        """Send a ``prompt``: the caller said *text*."""
        self.send({"type": "prompt", "voicePrompt": text, "lang": lang, "last": last})

    def press(self, digit: str) -> None:
        """Send a ``dtmf`` message."""
        self.send({"type": "dtmf", "digit": digit})

    def interrupt(self, utterance: str = "", duration_ms: int = 0) -> None:
        """Send an ``interrupt``: the caller spoke over the agent."""
        self.send(
            {
                "type": "interrupt",
                "utteranceUntilInterrupt": utterance,
                "durationUntilInterruptMs": duration_ms,
            }
        )

    def answer(self, timeout: float | None = None) -> str:
        """The tokens of the next answer, joined, up to the one marked ``last``.

        Other messages (``play``, ``end``...) met meanwhile stay in :attr:`received`.
        """
        tokens: list[str] = []
        while True:
            message = self.receive(timeout)
            if message is None:
                raise TimeoutError(f"no end of answer; got {''.join(tokens)!r} so far")
            if message.get("type") == "text":
                tokens.append(message.get("token", ""))
                if message.get("last"):
                    return "".join(tokens)


class StreamCaller(_Caller):
    """Twilio's side of a Media Streams session.

    Same parameters as :class:`RelayCaller`; *custom_parameters* go in ``start``.
    """

    def __init__(
        self,
        url: str,
        auth_token: str | None,
        *,
        custom_parameters: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(url, auth_token, **options)
        self.custom_parameters = dict(custom_parameters or {})
        self.stream_sid = "MZ" + uuid.uuid4().hex
        self._chunk = 0

    def __enter__(self) -> StreamCaller:
        self.open()
        self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        self.send(
            {
                "event": "start",
                "sequenceNumber": "1",
                "streamSid": self.stream_sid,
                "start": {
                    "streamSid": self.stream_sid,
                    "accountSid": "AC" + "0" * 32,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "customParameters": self.custom_parameters,
                    "mediaFormat": {
                        "encoding": "audio/x-mulaw",
                        "sampleRate": 8000,
                        "channels": 1,
                    },
                },
            }
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send_audio(self, audio: bytes) -> None:
        """Send one ``media`` frame of *audio* (160 bytes: 20 ms of 8 kHz μ-law)."""
        self._chunk += 1
        self.send(
            {
                "event": "media",
                "streamSid": self.stream_sid,
                "media": {
                    "track": "inbound",
                    "chunk": str(self._chunk),
                    "timestamp": str(self._chunk * 20),
                    "payload": base64.b64encode(audio).decode("ascii"),
                },
            }
        )

    def press(self, digit: str) -> None:
        """Send a ``dtmf`` event."""
        self.send(
            {
                "event": "dtmf",
                "streamSid": self.stream_sid,
                "dtmf": {"track": "inbound_track", "digit": digit},
            }
        )

    def played(self, name: str) -> None:
        """Echo a ``mark``: the audio before it has played."""
        self.send({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})

    def stop(self) -> None:
        """Send ``stop``: the call hung up."""
        self.send(
            {
                "event": "stop",
                "streamSid": self.stream_sid,
                "stop": {"accountSid": "AC" + "0" * 32, "callSid": self.call_sid},
            }
        )

    def audio(self, timeout: float | None = None) -> bytes | None:
        """The payload of the next ``media`` message from the app, decoded; ``None`` on timeout."""
        while True:
            message = self.receive(timeout)
            if message is None:
                return None
            if message.get("event") == "media":
                return base64.b64decode(message["media"]["payload"])
