"""Typed webhook events parsed from Twilio's form parameters.

Each webhook kind has an immutable dataclass: :class:`IncomingMessage`, :class:`MessageStatus`,
:class:`Call`, :class:`CallStatus`, :class:`RecordingStatus`, :class:`Transcription`,
:class:`ConferenceStatus` and :class:`AmdResult`. Their fields carry Twilio's names in
snake case (``MessageSid`` is ``sid``, ``From`` is ``from_``, ``ErrorCode`` is ``error_code``),
numbers are ``int``/``float`` and times are :class:`~datetime.datetime`.

Every event also keeps *all* the parameters Twilio sent in :attr:`~IncomingMessage.params`, a
read-only :class:`Params` multi-dict, because Twilio adds parameters without notice.

A malformed value (``NumMedia=abc``, a timestamp that is not RFC 2822) never raises: the field
is ``None`` and a warning naming the field and the value is logged on the ``twhooks.events``
logger. Parsing is on every request's path, so it is a handful of dict lookups per event.

This module knows nothing of Flask.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from .conversation import Conversation

__all__ = [
    "ALERT_LEVELS",
    "AMD_RESULTS",
    "CALL_STATUSES",
    "CONFERENCE_EVENTS",
    "CONVERSATION_POST_EVENTS",
    "CONVERSATION_PRE_EVENTS",
    "MESSAGE_STATUS_RANK",
    "RECORDING_STATUSES",
    "TASKROUTER_EVENTS",
    "TRANSCRIPTION_STATUSES",
    "Alert",
    "AmdResult",
    "Assignment",
    "Call",
    "CallStatus",
    "ConferenceStatus",
    "ConversationEvent",
    "Event",
    "IncomingMessage",
    "Location",
    "MediaItem",
    "MessageStatus",
    "Params",
    "RecordingStatus",
    "TaskRouterEvent",
    "Transcription",
    "WhatsAppInfo",
    "message_status_rank",
]

logger = logging.getLogger(__name__)

_E = TypeVar("_E", bound="_Event")


class Params(Mapping[str, str]):
    """The raw parameters of a webhook: a read-only mapping that remembers repeated names.

    ``params["Body"]`` is the first value of ``Body``; :meth:`getlist` returns every value
    in the order received; :meth:`items` and iteration see each name once.

    :param pairs: ``(name, value)`` pairs in the order received, or a mapping.
    """

    __slots__ = ("_first", "_pairs")

    def __init__(self, pairs: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        if not isinstance(pairs, (list, tuple)):
            pairs = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
        first = dict(pairs)
        if len(first) != len(pairs):
            # A repeated name: dict() kept the last value, the first one is wanted.
            first = {}
            for name, value in pairs:
                first.setdefault(name, value)
        self._first: dict[str, str] = first
        self._pairs: tuple[tuple[str, str], ...] = tuple(pairs)

    def __getitem__(self, name: str) -> str:
        return self._first[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def __contains__(self, name: object) -> bool:
        return name in self._first

    def get(self, name: str, default: Any = None) -> Any:
        return self._first.get(name, default)

    def to_dict(self) -> dict[str, str]:
        """A new ``dict`` of each name's first value."""
        return self._first.copy()

    def getlist(self, name: str) -> list[str]:
        """Every value of ``name``, in the order received (``[]`` when absent)."""
        return [value for key, value in self._pairs if key == name]

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Every ``(name, value)`` pair, repeated names included, in the order received."""
        return self._pairs

    def __repr__(self) -> str:
        return f"Params({list(self._pairs)!r})"


# -- value parsers: a malformed value is logged and becomes None ----------------------------


def _malformed(kind: str, name: str, value: str, expected: str) -> None:
    shown = value if len(value) <= 80 else value[:77] + "..."
    logger.warning(
        "%s webhook: ignoring malformed %s=%r (expected %s); the field is None",
        kind,
        name,
        shown,
        expected,
    )


# No count, code or duration Twilio sends is longer; Python refuses to convert strings of
# over 4,300 digits, and a huge number is malformed anyway.
_MAX_INT_DIGITS = 18


def _int(p: Mapping[str, str], name: str, kind: str) -> int | None:
    value = p.get(name)
    if not value:
        return None
    if len(value) <= _MAX_INT_DIGITS:
        if value.isdigit() and value.isascii():
            return int(value)
        try:
            # Also accepts a sign; rejects "1_000" and non-ASCII digits, which int() would take.
            if value.isascii() and "_" not in value:
                return int(value)
        except ValueError:
            pass
    _malformed(kind, name, value, "an integer")
    return None


def _float(p: Mapping[str, str], name: str, kind: str) -> float | None:
    value = p.get(name)
    if not value:
        return None
    try:
        number = float(value) if "_" not in value else math.nan
    except ValueError:
        number = math.nan
    if math.isfinite(number):
        return number
    _malformed(kind, name, value, "a finite number")
    return None


def _bool(p: Mapping[str, str], name: str, kind: str) -> bool | None:
    value = p.get(name)
    if not value:
        return None
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    _malformed(kind, name, value, "true or false")
    return None


def _rfc2822(p: Mapping[str, str], name: str, kind: str) -> datetime | None:
    value = p.get(name)
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        _malformed(kind, name, value, "an RFC 2822 date")
        return None


_DLR_DATE = re.compile(r"[0-9]{10}")


def _dlr_date(p: Mapping[str, str], name: str, kind: str) -> datetime | None:
    value = p.get(name)
    if not value:
        return None
    if _DLR_DATE.fullmatch(value):
        try:
            return datetime.strptime(value, "%y%m%d%H%M")
        except ValueError:
            pass
    _malformed(kind, name, value, "YYMMDDhhmm")
    return None


def _channel(address: str | None, has_media: bool) -> str:
    # Twilio names the channel with an address prefix: whatsapp:+1..., rcs:..., messenger:...
    if address:
        prefix, colon, _ = address.partition(":")
        if colon and prefix.isalpha():
            return prefix.lower()
    return "mms" if has_media else "sms"


# -- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Event:
    #: Every parameter Twilio sent, unknown ones included.
    params: Params = field(default_factory=Params, repr=False)
    #: ``AccountSid``: the (sub)account the webhook belongs to.
    account_sid: str | None = None
    #: ``I-Twilio-Idempotency-Token`` header: the same value on a retry of the same request.
    idempotency_token: str | None = None

    @classmethod
    def from_params(
        cls: type[_E],
        params: Params | Iterable[tuple[str, str]] | Mapping[str, str],
        **extra: Any,
    ) -> _E:
        """Parse ``params`` (a :class:`Params`, pairs or a mapping) into an event.

        :param extra: fields not carried by the parameters, such as ``idempotency_token``.
        """
        if not isinstance(params, Params):
            params = Params(params)
        return cls(**cls._fields_from(params), params=params, **extra)

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class MediaItem:
    """One attachment of an MMS or WhatsApp message (``MediaUrlN``/``MediaContentTypeN``)."""

    url: str
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class WhatsAppInfo:
    """What WhatsApp adds to an incoming message (``msg.whatsapp``)."""

    profile_name: str | None = None
    wa_id: str | None = None
    forwarded: bool | None = None
    frequently_forwarded: bool | None = None
    #: The text and payload of a quick-reply button the user tapped.
    button_text: str | None = None
    button_payload: str | None = None
    #: The message this one replies to.
    original_replied_message_sid: str | None = None
    original_replied_message_sender: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    """A shared location (``msg.location``, WhatsApp)."""

    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncomingMessage(_Event):
    """An incoming SMS, MMS, WhatsApp or RCS message (``@hooks.message``).

    Geographic fields (``FromCity``, ``ToCountry``...) and anything else Twilio sends are in
    :attr:`params`.
    """

    sid: str | None = None
    from_: str | None = None
    to: str | None = None
    #: The text of the message, exactly as received ("" when there is none).
    body: str = ""
    media: tuple[MediaItem, ...] = ()
    num_media: int | None = None
    num_segments: int | None = None
    #: ``sms``, ``mms``, ``whatsapp``, ``rcs`` (or another address prefix Twilio uses).
    channel: str = "sms"
    messaging_service_sid: str | None = None
    #: ``STOP``, ``START`` or ``HELP`` with Advanced Opt-Out.
    opt_out_type: str | None = None
    #: WhatsApp details, ``None`` on other channels.
    whatsapp: WhatsAppInfo | None = None
    #: A shared location, ``None`` for other messages.
    location: Location | None = None
    #: The :class:`re.Match` of the handler's ``pattern=`` (set by routing), else ``None``.
    match: re.Match[str] | None = field(default=None, compare=False)
    #: The conversation this message belongs to (set by the extension).
    conversation: Conversation | None = field(default=None, compare=False, repr=False)

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        kind = "incoming message"
        media: list[MediaItem] = []
        # Read MediaUrl0..N-1 as long as they come, so a bad NumMedia loses no attachment.
        if "MediaUrl0" in d:
            while (url := get(f"MediaUrl{len(media)}")) is not None:
                media.append(MediaItem(url, get(f"MediaContentType{len(media)}")))
        from_ = get("From")
        channel = _channel(from_, bool(media))
        fields: dict[str, Any] = {
            "sid": get("MessageSid") or get("SmsMessageSid") or get("SmsSid"),
            "account_sid": get("AccountSid"),
            "from_": from_,
            "to": get("To"),
            "body": get("Body", ""),
            "media": tuple(media),
            "num_media": _int(d, "NumMedia", kind),
            "num_segments": _int(d, "NumSegments", kind),
            "channel": channel,
            "messaging_service_sid": get("MessagingServiceSid"),
            "opt_out_type": get("OptOutType"),
        }
        if channel == "whatsapp" or "WaId" in d or "ProfileName" in d:
            fields["whatsapp"] = WhatsAppInfo(
                profile_name=get("ProfileName"),
                wa_id=get("WaId"),
                forwarded=_bool(d, "Forwarded", kind),
                frequently_forwarded=_bool(d, "FrequentlyForwarded", kind),
                button_text=get("ButtonText"),
                button_payload=get("ButtonPayload"),
                original_replied_message_sid=get("OriginalRepliedMessageSid"),
                original_replied_message_sender=get("OriginalRepliedMessageSender"),
            )
        if "Latitude" in d or "Longitude" in d:
            fields["location"] = Location(
                latitude=_float(d, "Latitude", kind),
                longitude=_float(d, "Longitude", kind),
                address=get("Address"),
                label=get("Label"),
            )
        return fields


#: Position of each message status in the lifecycle; a callback never moves a message back.
MESSAGE_STATUS_RANK: Mapping[str, int] = {
    "accepted": 0,
    "scheduled": 0,
    "receiving": 0,
    "queued": 1,
    "received": 1,
    "sending": 2,
    "canceled": 3,
    "sent": 3,
    "failed": 3,
    "delivered": 4,
    "undelivered": 4,
    "partially_delivered": 4,
    "read": 5,
}


def message_status_rank(status: str | None) -> int:
    """How far along its lifecycle ``status`` puts a message (``-1`` when unknown).

    Status callbacks arrive out of order: keep a status only if its rank is higher than the
    one you have (accepted|scheduled → queued → sending → sent|failed →
    delivered|undelivered → read).
    """
    return MESSAGE_STATUS_RANK.get(status or "", -1)


#: Every ``CallStatus`` Twilio sends.
CALL_STATUSES = frozenset(
    {
        "queued",
        "initiated",
        "ringing",
        "in-progress",
        "completed",
        "busy",
        "failed",
        "no-answer",
        "canceled",
    }
)
#: Every ``RecordingStatus`` Twilio sends.
RECORDING_STATUSES = frozenset({"in-progress", "completed", "absent", "failed"})
#: Every ``TranscriptionStatus`` Twilio sends.
TRANSCRIPTION_STATUSES = frozenset({"completed", "failed"})
#: Every conference ``StatusCallbackEvent``.
CONFERENCE_EVENTS = frozenset(
    {
        "conference-start",
        "conference-end",
        "participant-join",
        "participant-leave",
        "participant-mute",
        "participant-unmute",
        "participant-hold",
        "participant-unhold",
        "participant-modify",
        "participant-speech-start",
        "participant-speech-stop",
        "announcement-end",
        "announcement-fail",
    }
)
#: Every ``AnsweredBy`` of answering machine detection.
AMD_RESULTS = frozenset(
    {
        "human",
        "machine_start",
        "machine_end_beep",
        "machine_end_silence",
        "machine_end_other",
        "fax",
        "unknown",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageStatus(_Event):
    """A message status callback (``@hooks.message_status``)."""

    sid: str | None = None
    #: ``MessageStatus`` (or the deprecated ``SmsStatus``): queued, sent, delivered, ...
    status: str | None = None
    #: ``ErrorCode`` on failed and undelivered messages.
    error_code: int | None = None
    from_: str | None = None
    to: str | None = None
    messaging_service_sid: str | None = None
    #: The carrier's delivery-receipt time: minute precision, *no time zone* (naive).
    raw_dlr_done_date: datetime | None = None
    channel_prefix: str | None = None
    channel_install_sid: str | None = None
    channel_status_message: str | None = None
    #: ``READ`` or ``DELIVERED`` on WhatsApp and RCS.
    event_type: str | None = None
    #: The message's furthest status before this callback, as recorded in the shared store
    #: (``None``: this is the first callback, or no store keeps deliveries).
    previous: str | None = field(default=None, compare=False)
    #: Whether this callback moved the message forward (``False`` for a late or duplicate
    #: callback: ``sent`` after ``delivered``, or ``delivered`` twice).
    advanced: bool = field(default=True, compare=False)

    @property
    def rank(self) -> int:
        """:func:`message_status_rank` of :attr:`status`."""
        return message_status_rank(self.status)

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        kind = "message status"
        return {
            "sid": get("MessageSid") or get("SmsSid"),
            "account_sid": get("AccountSid"),
            "status": get("MessageStatus") or get("SmsStatus"),
            "error_code": _int(d, "ErrorCode", kind),
            "from_": get("From"),
            "to": get("To"),
            "messaging_service_sid": get("MessagingServiceSid"),
            "raw_dlr_done_date": _dlr_date(d, "RawDlrDoneDate", kind),
            "channel_prefix": get("ChannelPrefix"),
            "channel_install_sid": get("ChannelInstallSid"),
            "channel_status_message": get("ChannelStatusMessage"),
            "event_type": get("EventType"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(_Event):
    """An incoming call or a named step of one (``@hooks.call``).

    Geographic fields and anything else Twilio sends are in :attr:`params`.
    """

    sid: str | None = None
    from_: str | None = None
    to: str | None = None
    #: ``CallStatus``: ringing, in-progress, ...
    status: str | None = None
    #: ``inbound``, ``outbound-api`` or ``outbound-dial``.
    direction: str | None = None
    #: The step name of ``/voice/<step>``, ``None`` for the incoming call itself.
    step: str | None = None
    caller_name: str | None = None
    forwarded_from: str | None = None
    parent_call_sid: str | None = None
    #: ``<Gather>`` results.
    digits: str | None = None
    finished_on_key: str | None = None
    speech_result: str | None = None
    confidence: float | None = None
    #: ``<Record>`` action results.
    recording_url: str | None = None
    recording_sid: str | None = None
    recording_duration: int | None = None
    #: ``<Dial>`` action results.
    dial_call_status: str | None = None
    dial_call_sid: str | None = None
    dial_call_duration: int | None = None
    #: Answering machine detection (synchronous AMD).
    answered_by: str | None = None
    #: The conversation (cookie state) of this call (set by the extension).
    conversation: Conversation | None = field(default=None, compare=False, repr=False)

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        kind = "call"
        fields: dict[str, Any] = {
            "sid": get("CallSid"),
            "account_sid": get("AccountSid"),
            "from_": get("From"),
            "to": get("To"),
            "status": get("CallStatus"),
            "direction": get("Direction"),
            "caller_name": get("CallerName"),
            "forwarded_from": get("ForwardedFrom"),
            "parent_call_sid": get("ParentCallSid"),
            "digits": get("Digits"),
            "finished_on_key": get("FinishedOnKey"),
            "speech_result": get("SpeechResult"),
            "confidence": _float(d, "Confidence", kind),
            "answered_by": get("AnsweredBy"),
        }
        fields.update(
            recording_url=get("RecordingUrl"),
            recording_sid=get("RecordingSid"),
            recording_duration=_int(d, "RecordingDuration", kind),
            dial_call_status=get("DialCallStatus"),
            dial_call_sid=get("DialCallSid"),
            dial_call_duration=_int(d, "DialCallDuration", kind),
        )
        return fields


@dataclass(frozen=True, slots=True, kw_only=True)
class CallStatus(_Event):
    """A call status callback (``@hooks.call_status``)."""

    sid: str | None = None
    #: ``CallStatus``: initiated, ringing, in-progress (answered), completed, busy, ...
    status: str | None = None
    from_: str | None = None
    to: str | None = None
    direction: str | None = None
    #: Length of the call in seconds, on completion.
    call_duration: int | None = None
    #: Billed minutes, on completion.
    duration: int | None = None
    #: Order of the callbacks of one call, from 0 (they may arrive out of order).
    sequence_number: int | None = None
    timestamp: datetime | None = None
    sip_response_code: int | None = None
    answered_by: str | None = None
    callback_source: str | None = None
    parent_call_sid: str | None = None

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        kind = "call status"
        return {
            "sid": get("CallSid"),
            "account_sid": get("AccountSid"),
            "status": get("CallStatus"),
            "from_": get("From"),
            "to": get("To"),
            "direction": get("Direction"),
            "call_duration": _int(d, "CallDuration", kind),
            "duration": _int(d, "Duration", kind),
            "sequence_number": _int(d, "SequenceNumber", kind),
            "timestamp": _rfc2822(d, "Timestamp", kind),
            "sip_response_code": _int(d, "SipResponseCode", kind),
            "answered_by": get("AnsweredBy"),
            "callback_source": get("CallbackSource"),
            "parent_call_sid": get("ParentCallSid"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordingStatus(_Event):
    """A ``recordingStatusCallback`` (``@hooks.recording_status``)."""

    #: ``RecordingSid``.
    sid: str | None = None
    #: ``RecordingStatus``: in-progress, completed or absent.
    status: str | None = None
    recording_url: str | None = None
    #: Seconds.
    recording_duration: int | None = None
    recording_channels: int | None = None
    recording_start_time: datetime | None = None
    recording_source: str | None = None
    call_sid: str | None = None
    conference_sid: str | None = None
    error_code: int | None = None

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        kind = "recording status"
        return {
            "sid": get("RecordingSid"),
            "account_sid": get("AccountSid"),
            "status": get("RecordingStatus"),
            "recording_url": get("RecordingUrl"),
            "recording_duration": _int(d, "RecordingDuration", kind),
            "recording_channels": _int(d, "RecordingChannels", kind),
            "recording_start_time": _rfc2822(d, "RecordingStartTime", kind),
            "recording_source": get("RecordingSource"),
            "call_sid": get("CallSid"),
            "conference_sid": get("ConferenceSid"),
            "error_code": _int(d, "ErrorCode", kind),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Transcription(_Event):
    """A ``<Record transcribeCallback>`` request (``@hooks.transcription``)."""

    #: ``TranscriptionSid``.
    sid: str | None = None
    #: ``TranscriptionStatus``: completed or failed.
    status: str | None = None
    #: ``TranscriptionText``.
    text: str | None = None
    transcription_url: str | None = None
    recording_sid: str | None = None
    recording_url: str | None = None
    call_sid: str | None = None
    from_: str | None = None
    to: str | None = None

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        return {
            "sid": get("TranscriptionSid"),
            "account_sid": get("AccountSid"),
            "status": get("TranscriptionStatus"),
            "text": get("TranscriptionText"),
            "transcription_url": get("TranscriptionUrl"),
            "recording_sid": get("RecordingSid"),
            "recording_url": get("RecordingUrl"),
            "call_sid": get("CallSid"),
            "from_": get("From"),
            "to": get("To"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ConferenceStatus(_Event):
    """A conference ``statusCallback`` (``@hooks.conference_status``)."""

    #: ``ConferenceSid``.
    sid: str | None = None
    friendly_name: str | None = None
    #: ``StatusCallbackEvent``: conference-start, participant-join, ...
    event: str | None = None
    sequence_number: int | None = None
    timestamp: datetime | None = None
    #: The participant's call, on participant events.
    call_sid: str | None = None
    muted: bool | None = None
    hold: bool | None = None
    coaching: bool | None = None
    reason_conference_ended: str | None = None
    reason_participant_left: str | None = None

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        kind = "conference status"
        return {
            "sid": get("ConferenceSid"),
            "account_sid": get("AccountSid"),
            "friendly_name": get("FriendlyName"),
            "event": get("StatusCallbackEvent"),
            "sequence_number": _int(d, "SequenceNumber", kind),
            "timestamp": _rfc2822(d, "Timestamp", kind),
            "call_sid": get("CallSid"),
            "muted": _bool(d, "Muted", kind),
            "hold": _bool(d, "Hold", kind),
            "coaching": _bool(d, "Coaching", kind),
            "reason_conference_ended": get("ReasonConferenceEnded"),
            "reason_participant_left": get("ReasonParticipantLeft"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class AmdResult(_Event):
    """An asynchronous answering-machine-detection callback (``@hooks.amd``)."""

    #: ``CallSid``.
    sid: str | None = None
    #: human, machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax,
    #: unknown.
    answered_by: str | None = None
    #: ``MachineDetectionDuration`` in milliseconds.
    machine_detection_duration: int | None = None
    from_: str | None = None
    to: str | None = None

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        return {
            "sid": get("CallSid"),
            "account_sid": get("AccountSid"),
            "answered_by": get("AnsweredBy"),
            "machine_detection_duration": _int(d, "MachineDetectionDuration", "amd"),
            "from_": get("From"),
            "to": get("To"),
        }


#: The levels of a Debugger alert, as :attr:`Alert.level` gives them (Twilio sends ``Error``
#: and ``Warning``; older accounts' webhooks documented ``DEBUG`` and ``INFO`` too).
ALERT_LEVELS = frozenset({"error", "warning", "info", "debug"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert(_Event):
    """A Debugger alert (``@hooks.alert``): an error or warning on the account, with its
    ``Payload`` parsed from JSON."""

    #: ``Sid``: the Debugger event (``NO…``).
    sid: str | None = None
    #: ``Level`` in lowercase: ``error`` or ``warning``.
    level: str | None = None
    #: ``Timestamp`` (ISO 8601).
    timestamp: datetime | None = None
    #: ``ParentAccountSid``: set when the alert is a subaccount's.
    parent_account_sid: str | None = None
    #: ``Payload`` parsed (``{}`` when absent or not a JSON object; logged).
    payload: Mapping[str, Any] = field(default_factory=dict, repr=False)
    #: ``error_code`` of the payload: the Error Dictionary's code (``11200``…).
    error_code: int | None = None
    #: ``resource_sid`` of the payload: the resource the alert concerns (a call, a message…).
    resource_sid: str | None = None
    #: ``service_sid`` of the payload, when a service is concerned.
    service_sid: str | None = None
    #: ``more_info`` of the payload: details specific to the product.
    more_info: Mapping[str, Any] = field(default_factory=dict, repr=False)
    #: ``webhook`` of the payload: the request and response of the failed webhook, if any.
    webhook: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        payload = _json_object(d, "Payload", "alert")
        code = payload.get("error_code")
        more_info = payload.get("more_info")
        webhook = payload.get("webhook")
        return {
            "sid": get("Sid"),
            "account_sid": get("AccountSid"),
            "parent_account_sid": get("ParentAccountSid"),
            "level": (get("Level") or "").lower() or None,
            "timestamp": _iso8601(d, "Timestamp", "alert"),
            "payload": payload,
            "error_code": _int({"error_code": str(code)}, "error_code", "alert")
            if code is not None and code != ""
            else None,
            "resource_sid": _str_or_none(payload.get("resource_sid")),
            "service_sid": _str_or_none(payload.get("service_sid")),
            "more_info": more_info if isinstance(more_info, dict) else {},
            "webhook": webhook if isinstance(webhook, dict) else None,
        }


def _json_object(p: Mapping[str, str], name: str, kind: str) -> dict[str, Any]:
    value = p.get(name)
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    _malformed(kind, name, value, "a JSON object")
    return {}


def _iso8601(p: Mapping[str, str], name: str, kind: str) -> datetime | None:
    value = p.get(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        _malformed(kind, name, value, "an ISO 8601 time")
        return None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


#: The Conversations webhooks' ``EventType`` values: the pre-action ones (``onMessageAdd``…,
#: answered before the action, which they may block or change) and the post-action ones
#: (``onMessageAdded``…, notifications).
CONVERSATION_PRE_EVENTS = frozenset(
    {
        "onConversationAdd",
        "onConversationRemove",
        "onConversationUpdate",
        "onMessageAdd",
        "onMessageRemove",
        "onMessageUpdate",
        "onParticipantAdd",
        "onParticipantRemove",
        "onParticipantUpdate",
        "onUserUpdate",
    }
)
CONVERSATION_POST_EVENTS = frozenset(
    {
        "onConversationAdded",
        "onConversationRemoved",
        "onConversationUpdated",
        "onConversationStateUpdated",
        "onMessageAdded",
        "onMessageRemoved",
        "onMessageUpdated",
        "onParticipantAdded",
        "onParticipantRemoved",
        "onParticipantUpdated",
        "onDeliveryUpdated",
        "onUserAdded",
        "onUserUpdated",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationEvent(_Event):
    """A Conversations webhook (``@hooks.conversation_event``), pre- or post-action."""

    #: ``EventType``: ``onMessageAdd``, ``onMessageAdded``, ``onConversationAdd``…
    event_type: str | None = None
    #: ``Source``: ``SDK``, ``API``, ``SMS``, ``WHATSAPP``…
    source: str | None = None
    conversation_sid: str | None = None
    #: ``MessageSid`` (``IM…``) of a message event.
    message_sid: str | None = None
    participant_sid: str | None = None
    chat_service_sid: str | None = None
    messaging_service_sid: str | None = None
    #: ``Author`` of a message (an identity or an address).
    author: str | None = None
    #: ``Body`` of a message.
    body: str | None = None
    #: ``Attributes`` as sent: a JSON string.
    attributes: str | None = None
    #: ``Index`` of a message in its conversation.
    index: int | None = None
    #: ``RetryCount``: how many times Twilio tried this webhook before.
    retry_count: int | None = None
    date_created: datetime | None = None
    #: ``ClientIdentity``: the SDK user who acted, when it was one.
    client_identity: str | None = None

    @property
    def is_pre_action(self) -> bool:
        """Whether Twilio waits for the answer before acting (``onMessageAdd`` …)."""
        return self.event_type in CONVERSATION_PRE_EVENTS

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        kind = "conversation event"
        return {
            "account_sid": get("AccountSid"),
            "event_type": get("EventType"),
            "source": get("Source"),
            "conversation_sid": get("ConversationSid"),
            "message_sid": get("MessageSid"),
            "participant_sid": get("ParticipantSid"),
            "chat_service_sid": get("ChatServiceSid"),
            "messaging_service_sid": get("MessagingServiceSid"),
            "author": get("Author"),
            "body": get("Body"),
            "attributes": get("Attributes"),
            "index": _int(d, "Index", kind),
            "retry_count": _int(d, "RetryCount", kind),
            "date_created": _iso8601(d, "DateCreated", kind),
            "client_identity": get("ClientIdentity"),
        }


#: TaskRouter's event types, as its "TaskRouter Events reference" page lists them. A glob given to
#: ``@hooks.taskrouter_event`` must match one of them (else it is a typo); at run time any
#: ``EventType`` is matched, new ones included.
TASKROUTER_EVENTS = frozenset(
    {
        "activity.created",
        "activity.updated",
        "activity.deleted",
        "reservation.created",
        "reservation.accepted",
        "reservation.rejected",
        "reservation.timeout",
        "reservation.canceled",
        "reservation.rescinded",
        "reservation.completed",
        "reservation.failed",
        "reservation.wrapup",
        "task.created",
        "task.updated",
        "task.canceled",
        "task.wrapup",
        "task.completed",
        "task.deleted",
        "task.system-deleted",
        "task.transfer-initiated",
        "task.transfer-attempt-failed",
        "task.transfer-failed",
        "task.transfer-canceled",
        "task.transfer-completed",
        "task-channel.created",
        "task-channel.updated",
        "task-channel.deleted",
        "task-queue.created",
        "task-queue.deleted",
        "task-queue.entered",
        "task-queue.moved",
        "task-queue.timeout",
        "task-queue.expression.updated",
        "worker.created",
        "worker.activity.update",
        "worker.attributes.update",
        "worker.capacity.update",
        "worker.channel.availability.update",
        "worker.deleted",
        "workflow.created",
        "workflow.updated",
        "workflow.deleted",
        "workflow.target-matched",
        "workflow.entered",
        "workflow.timeout",
        "workflow.skipped",
        "workspace.created",
        "workspace.updated",
        "workspace.deleted",
    }
)


def _epoch(p: Mapping[str, str], name: str, kind: str) -> datetime | None:
    value = p.get(name)
    if not value:
        return None
    if value.isdigit() and len(value) <= _MAX_INT_DIGITS:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    return _iso8601(p, name, kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskRouterEvent(_Event):
    """A TaskRouter workspace event callback (``@hooks.taskrouter_event``)."""

    #: ``EventType``: ``task.created``, ``reservation.accepted``, ``worker.activity.update``…
    event_type: str | None = None
    #: ``ResourceType``: ``task``, ``reservation``, ``worker``…
    resource_type: str | None = None
    #: ``ResourceSid``: the resource the event is about.
    resource_sid: str | None = None
    event_description: str | None = None
    #: ``Timestamp`` (Unix seconds).
    timestamp: datetime | None = None
    workspace_sid: str | None = None
    task_sid: str | None = None
    #: ``TaskAttributes``: the task's JSON attributes, as text.
    task_attributes: str | None = None
    task_queue_sid: str | None = None
    worker_sid: str | None = None
    reservation_sid: str | None = None
    workflow_sid: str | None = None
    worker_activity_name: str | None = None
    task_assignment_status: str | None = None

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        return {
            "account_sid": get("AccountSid"),
            "event_type": get("EventType"),
            "resource_type": get("ResourceType"),
            "resource_sid": get("ResourceSid"),
            "event_description": get("EventDescription"),
            "timestamp": _epoch(d, "Timestamp", "taskrouter event"),
            "workspace_sid": get("WorkspaceSid"),
            "task_sid": get("TaskSid"),
            "task_attributes": get("TaskAttributes"),
            "task_queue_sid": get("TaskQueueSid"),
            "worker_sid": get("WorkerSid"),
            "reservation_sid": get("ReservationSid"),
            "workflow_sid": get("WorkflowSid"),
            "worker_activity_name": get("WorkerActivityName"),
            "task_assignment_status": get("TaskAssignmentStatus"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment(_Event):
    """TaskRouter's assignment callback (``@hooks.assignment``): a Worker is reserved for a
    Task; the handler answers with an :class:`~twhooks.taskrouter.Instruction`."""

    task_sid: str | None = None
    reservation_sid: str | None = None
    worker_sid: str | None = None
    workspace_sid: str | None = None
    workflow_sid: str | None = None
    task_queue_sid: str | None = None
    #: ``TaskAttributes`` parsed (``{}`` when absent or not a JSON object; logged).
    task_attributes: Mapping[str, Any] = field(default_factory=dict)
    #: ``WorkerAttributes`` parsed (``contact_uri``…).
    worker_attributes: Mapping[str, Any] = field(default_factory=dict)
    #: ``TaskAge`` in seconds.
    task_age: int | None = None
    task_priority: int | None = None
    timestamp: datetime | None = None

    @classmethod
    def _fields_from(cls, p: Params) -> dict[str, Any]:
        d = p._first
        get = d.get
        kind = "assignment"
        return {
            "account_sid": get("AccountSid"),
            "task_sid": get("TaskSid"),
            "reservation_sid": get("ReservationSid"),
            "worker_sid": get("WorkerSid"),
            "workspace_sid": get("WorkspaceSid"),
            "workflow_sid": get("WorkflowSid"),
            "task_queue_sid": get("TaskQueueSid"),
            "task_attributes": _json_object(d, "TaskAttributes", kind),
            "worker_attributes": _json_object(d, "WorkerAttributes", kind),
            "task_age": _int(d, "TaskAge", kind),
            "task_priority": _int(d, "TaskPriority", kind),
            "timestamp": _epoch(d, "Timestamp", kind),
        }


#: Any webhook event.
Event = (
    IncomingMessage
    | MessageStatus
    | Call
    | CallStatus
    | RecordingStatus
    | Transcription
    | ConferenceStatus
    | AmdResult
    | Alert
    | ConversationEvent
    | TaskRouterEvent
    | Assignment
)
