"""The JSON messages of ConversationRelay and Media Streams, typed both ways.

Both products send one JSON object per WebSocket text frame. ConversationRelay names the
kind in ``"type"``, Media Streams in ``"event"``. :func:`parse_relay` and :func:`parse_stream`
turn a frame into one of the frozen classes below; the ``*_frame`` functions build the
frames the app sends back. Twilio adds fields and message kinds without notice: unknown
fields are kept in ``raw``, unknown kinds come back as :class:`UnknownMessage`, never as an
error. A frame that is not a JSON object, or lacks a field the kind cannot do without, raises
:class:`~twhooks.realtime.errors.ProtocolError`.

Nothing here does I/O; see :mod:`twhooks.realtime.relay` and :mod:`twhooks.realtime.stream`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ProtocolError

__all__ = [
    "Connected",
    "Dtmf",
    "Interrupt",
    "Mark",
    "Media",
    "MediaFormat",
    "Prompt",
    "RelayError",
    "RelayMessage",
    "Setup",
    "Start",
    "Stop",
    "StreamMessage",
    "UnknownMessage",
    "clear_frame",
    "end_frame",
    "handoff_text",
    "language_frame",
    "mark_frame",
    "media_frame",
    "parse_relay",
    "parse_stream",
    "play_frame",
    "send_digits_frame",
    "text_frame",
]


# -- ConversationRelay, from Twilio ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setup:
    """``setup``: the first message of a ConversationRelay session.

    :param custom_parameters: the ``<Parameter>`` values of the TwiML.
    """

    session_id: str
    call_sid: str
    account_sid: str
    from_: str
    to: str
    direction: str
    custom_parameters: Mapping[str, str]
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Prompt:
    """``prompt``: what the caller said, transcribed.

    :param text: ``voicePrompt``.
    :param last: ``False`` for a partial prompt (``partialPrompts`` on), ``True`` otherwise.
    """

    text: str
    lang: str
    last: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Dtmf:
    """``dtmf`` (ConversationRelay) or a Media Streams ``dtmf`` event: one key pressed."""

    digit: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Interrupt:
    """``interrupt``: the caller spoke over the agent; the text still streaming is dropped.

    :param utterance: ``utteranceUntilInterrupt``, what the caller heard of the answer.
    :param duration_ms: ``durationUntilInterruptMs``.
    """

    utterance: str
    duration_ms: int
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class RelayError:
    """``error``: Twilio reports a problem with the session (a bad message from the app)."""

    description: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A message kind twhooks does not know yet; *kind* is its ``type`` or ``event``."""

    kind: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


RelayMessage = Setup | Prompt | Dtmf | Interrupt | RelayError | UnknownMessage


def _load(frame: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(frame)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("a frame that is not JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"a JSON {type(data).__name__} where an object was expected")
    return data


def _str(data: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if isinstance(value, str):
        return value
    if value is None:
        raise ProtocolError(f"no {name!r} field")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ProtocolError(f"{name!r} is a {type(value).__name__}, not a string")


def _params(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProtocolError("customParameters is not an object")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def _bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    return default


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parse_relay(frame: str | bytes) -> RelayMessage:
    """The ConversationRelay message in one text frame.

    :raises ProtocolError: not a JSON object, no ``type``, or a known type without a field
        it needs.
    """
    data = _load(frame)
    kind = _str(data, "type")
    if kind == "prompt":
        return Prompt(
            _str(data, "voicePrompt", ""),
            _str(data, "lang", ""),
            _bool(data.get("last"), True),
            data,
        )
    if kind == "interrupt":
        return Interrupt(
            _str(data, "utteranceUntilInterrupt", ""),
            _int(data.get("durationUntilInterruptMs")),
            data,
        )
    if kind == "dtmf":
        return Dtmf(_str(data, "digit"), data)
    if kind == "setup":
        return Setup(
            session_id=_str(data, "sessionId", ""),
            call_sid=_str(data, "callSid"),
            account_sid=_str(data, "accountSid", ""),
            from_=_str(data, "from", ""),
            to=_str(data, "to", ""),
            direction=_str(data, "direction", ""),
            custom_parameters=_params(data.get("customParameters")),
            raw=data,
        )
    if kind == "error":
        return RelayError(_str(data, "description", ""), data)
    return UnknownMessage(kind, data)


# -- ConversationRelay, to Twilio -------------------------------------------------------------

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# The frame of a token with the default flags is built by string concatenation: it is sent
# once per token of every answer, and this is four times cheaper than a json.dumps of a dict.
_TEXT_HEAD = '{"type":"text","token":'


def text_frame(
    token: str,
    *,
    last: bool = False,
    lang: str | None = None,
    interruptible: bool | None = None,
    preemptible: bool | None = None,
) -> str:
    """A ``text`` message: *token* to be spoken; *last* ends the answer."""
    if lang is None and interruptible is None and preemptible is None:
        return f'{_TEXT_HEAD}{_dumps(token)},"last":{"true" if last else "false"}}}'
    message: dict[str, Any] = {"type": "text", "token": token, "last": last}
    if lang is not None:
        message["lang"] = lang
    if interruptible is not None:
        message["interruptible"] = interruptible
    if preemptible is not None:
        message["preemptible"] = preemptible
    return _dumps(message)


def play_frame(
    source: str,
    *,
    loop: int = 1,
    interruptible: bool | None = None,
    preemptible: bool | None = None,
) -> str:
    """A ``play`` message: the audio at the URL *source*, *loop* times (0: until interrupted)."""
    message: dict[str, Any] = {"type": "play", "source": source, "loop": loop}
    if interruptible is not None:
        message["interruptible"] = interruptible
    if preemptible is not None:
        message["preemptible"] = preemptible
    return _dumps(message)


def send_digits_frame(digits: str) -> str:
    """A ``sendDigits`` message: DTMF tones to play on the call (``0-9``, ``#``, ``*``, ``w``)."""
    return _dumps({"type": "sendDigits", "digits": digits})


def language_frame(tts: str | None = None, transcription: str | None = None) -> str:
    """A ``language`` message: switch the voice's and/or the transcription's language."""
    message: dict[str, Any] = {"type": "language"}
    if tts is not None:
        message["ttsLanguage"] = tts
    if transcription is not None:
        message["transcriptionLanguage"] = transcription
    return _dumps(message)


def end_frame(handoff_data: str | Mapping[str, Any] | None = None) -> str:
    """An ``end`` message: Twilio ends the session and calls the ``<Connect action>`` URL.

    :param handoff_data: what the action callback receives as ``HandoffData``; a mapping is
        sent as its JSON text (Twilio wants a string).
    """
    message: dict[str, Any] = {"type": "end"}
    if handoff_data is not None:
        message["handoffData"] = handoff_text(handoff_data)
    return _dumps(message)


def handoff_text(handoff_data: str | Mapping[str, Any]) -> str:
    """*handoff_data* as the string Twilio passes on: a mapping as its JSON text."""
    return handoff_data if isinstance(handoff_data, str) else _dumps(dict(handoff_data))


# -- Media Streams, from Twilio ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connected:
    """``connected``: the first message of a stream (protocol and version only)."""

    protocol: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class MediaFormat:
    """The audio of a stream: ``audio/x-mulaw`` at 8,000 Hz, one channel, unless configured."""

    encoding: str = "audio/x-mulaw"
    sample_rate: int = 8000
    channels: int = 1


@dataclass(frozen=True, slots=True)
class Start:
    """``start``: the stream's metadata.

    :param custom_parameters: the ``<Parameter>`` values of the TwiML (Twilio strips a
        stream URL's query string, so these are the way to pass values).
    :param tracks: ``inbound``, ``outbound`` or both.
    """

    stream_sid: str
    call_sid: str
    account_sid: str
    tracks: tuple[str, ...]
    custom_parameters: Mapping[str, str]
    media_format: MediaFormat
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Media:
    """``media``: one frame of audio, 20 ms of 8 kHz μ-law (160 bytes) by default.

    :param payload: the audio bytes, decoded from base64.
    :param timestamp: milliseconds since the stream started.
    """

    track: str
    chunk: int
    timestamp: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class Mark:
    """``mark``: the audio sent before the mark *name* has been played."""

    name: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Stop:
    """``stop``: the stream ended (hang-up, ``<Stop><Stream>``, or the call moved on)."""

    call_sid: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


StreamMessage = Connected | Start | Media | Dtmf | Mark | Stop | UnknownMessage


def _object(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise ProtocolError(f"no {name!r} object")
    return value


def parse_stream(frame: str | bytes) -> StreamMessage:
    """The Media Streams message in one text frame.

    :raises ProtocolError: not a JSON object, no ``event``, or a known event without a field
        it needs (a ``media`` payload that is not base64, a ``start`` without ``callSid``).
    """
    data = _load(frame)
    kind = _str(data, "event")
    if kind == "media":
        media = _object(data, "media")
        try:
            payload = base64.b64decode(_str(media, "payload"), validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("a media payload that is not base64") from None
        return Media(
            _str(media, "track", "inbound"),
            _int(media.get("chunk")),
            _int(media.get("timestamp")),
            payload,
        )
    if kind == "start":
        start = _object(data, "start")
        fmt = start.get("mediaFormat")
        media_format = MediaFormat()
        if isinstance(fmt, dict):
            media_format = MediaFormat(
                _str(fmt, "encoding", "audio/x-mulaw"),
                _int(fmt.get("sampleRate", 8000)),
                _int(fmt.get("channels", 1)),
            )
        tracks = start.get("tracks")
        return Start(
            stream_sid=_str(start, "streamSid", _str(data, "streamSid", "")),
            call_sid=_str(start, "callSid"),
            account_sid=_str(start, "accountSid", ""),
            tracks=tuple(str(t) for t in tracks) if isinstance(tracks, list) else ("inbound",),
            custom_parameters=_params(start.get("customParameters")),
            media_format=media_format,
            raw=data,
        )
    if kind == "mark":
        return Mark(_str(_object(data, "mark"), "name"), data)
    if kind == "dtmf":
        return Dtmf(_str(_object(data, "dtmf"), "digit"), data)
    if kind == "stop":
        stop = data.get("stop")
        call_sid = _str(stop, "callSid", "") if isinstance(stop, dict) else ""
        return Stop(call_sid, data)
    if kind == "connected":
        return Connected(_str(data, "protocol", ""), data)
    return UnknownMessage(kind, data)


# -- Media Streams, to Twilio -----------------------------------------------------------------


def media_frame(stream_sid: str, audio: bytes) -> str:
    """A ``media`` message: *audio* (raw bytes in the stream's format) to play on the call."""
    payload = base64.b64encode(audio).decode("ascii")
    return f'{{"event":"media","streamSid":{_dumps(stream_sid)},"media":{{"payload":"{payload}"}}}}'


def mark_frame(stream_sid: str, name: str) -> str:
    """A ``mark`` message: Twilio echoes it back once the audio sent before it has played."""
    return _dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_frame(stream_sid: str) -> str:
    """A ``clear`` message: drop the audio queued and not yet played (barge-in)."""
    return _dumps({"event": "clear", "streamSid": stream_sid})
