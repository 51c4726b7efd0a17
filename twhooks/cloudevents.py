"""Event Streams: the CloudEvents a webhook sink receives, parsed into typed events.

Twilio's Event Streams POSTs a *sink* a JSON array of CloudEvents (``specversion`` 1.0):
each has an ``id`` (the same on every redelivery: Event Streams delivers at least once),
a ``type`` such as ``com.twilio.messaging.message.delivered``, a ``source``, a ``time``,
a ``dataschema`` and its ``data``. :func:`parse_batch` reads such a body into
:class:`CloudEvent` objects — a :class:`MessageStatusEvent` for the outbound-message status
types (``com.twilio.messaging.message.*``: queued, sent, delivered, undelivered, failed,
read), a :class:`CallStatusEvent` for the voice status-callback types
(``com.twilio.voice.status-callback.call.*``) — and lists apart the entries that are not
CloudEvents, so that one bad entry does not lose the others.

A status event also carries its form-style parameters (:attr:`CloudEvent.status_params`), the
ones a status callback would have sent, which the dispatcher records in ``hooks.deliveries``
and ``hooks.calls``. This module knows nothing of any web framework.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from .events import CallStatus, MessageStatus, Params
from .exceptions import HandlerError

__all__ = [
    "CALL_STATUS_PREFIX",
    "MESSAGE_STATUS_PREFIX",
    "BadEvent",
    "CallStatusEvent",
    "CloudEvent",
    "EventBatch",
    "EventRouter",
    "MessageStatusEvent",
    "matches",
    "parse_batch",
    "parse_event",
]

logger = logging.getLogger("twhooks.events")

#: The types of the outbound-message status events (``…delivered``, ``…failed``…).
MESSAGE_STATUS_PREFIX = "com.twilio.messaging.message."
#: The types of the voice call status events (``…initiated``, ``…ringing``, ``…answered``,
#: ``…completed``).
CALL_STATUS_PREFIX = "com.twilio.voice.status-callback.call."

# The message-status schema's field names, and the status callback's names for them.
_MESSAGE_FIELDS = {
    "messageSid": "MessageSid",
    "accountSid": "AccountSid",
    "from": "From",
    "to": "To",
    "messagingServiceSid": "MessagingServiceSid",
    "errorCode": "ErrorCode",
    "rawDlrDoneDate": "RawDlrDoneDate",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudEvent:
    """One event of an Event Streams batch (``@hooks.event_stream``).

    The CloudEvents attributes are attributes of the same names; :attr:`data` is the
    event's ``data`` as parsed from JSON (a ``dict`` for every Twilio event type).
    """

    #: ``id``: unique per event, the same on every redelivery (twhooks de-duplicates on it).
    id: str
    #: ``type``: ``com.twilio.messaging.message.delivered``, …
    type: str
    #: ``source``: the resource the event is about.
    source: str = ""
    #: ``time``: when the event happened (``None`` when absent or not ISO 8601).
    time: datetime | None = None
    specversion: str = "1.0"
    #: ``dataschema``: the URL of the schema (and version) of :attr:`data`.
    dataschema: str | None = None
    datacontenttype: str | None = None
    data: Any = None
    #: The event as received, every attribute included.
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def status_params(self) -> Params | None:
        """The parameters of the status callback this event stands for (``None``: it is
        not a status event)."""
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageStatusEvent(CloudEvent):
    """An outbound message's status (``com.twilio.messaging.message.<status>``): its
    :attr:`status` is the :class:`~twhooks.events.MessageStatus` a status callback would
    have given, recorded in ``hooks.deliveries`` like one."""

    status: MessageStatus

    @property
    def status_params(self) -> Params:
        return self.status.params


@dataclass(frozen=True, slots=True, kw_only=True)
class CallStatusEvent(CloudEvent):
    """A call's status (``com.twilio.voice.status-callback.call.<status>``): its
    :attr:`status` is the :class:`~twhooks.events.CallStatus` of the status callback's
    parameters (``data.request.parameters``), recorded in ``hooks.calls`` like one."""

    status: CallStatus

    @property
    def status_params(self) -> Params:
        return self.status.params


@dataclass(frozen=True, slots=True)
class BadEvent:
    """An entry of a batch that is not a CloudEvent twhooks can route, and why."""

    index: int
    reason: str
    #: Its ``id``, when it had one.
    id: str | None = None


def matches(pattern: str, event_type: str) -> bool:
    """Whether *event_type* matches the glob *pattern* (``*``, ``?``, ``[…]``, case
    sensitive): ``com.twilio.messaging.message.*`` matches every message status."""
    return fnmatchcase(event_type, pattern)


def parse_batch(body: bytes) -> tuple[list[CloudEvent], list[BadEvent]]:
    """The CloudEvents of an Event Streams body, and the entries that are not CloudEvents.

    :raises ValueError: the body is not a JSON array (nothing in it can be routed).
    """
    try:
        batch = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"the body is not JSON: {error}") from None
    if isinstance(batch, dict):
        batch = [batch]  # one event on its own: read it as a batch of one
    if not isinstance(batch, list):
        raise ValueError(f"the body is a JSON {type(batch).__name__}, not an array of events")
    events: list[CloudEvent] = []
    bad: list[BadEvent] = []
    for index, entry in enumerate(batch):
        try:
            events.append(parse_event(entry))
        except ValueError as error:
            event_id = entry.get("id") if isinstance(entry, dict) else None
            bad.append(BadEvent(index, str(error), event_id if isinstance(event_id, str) else None))
    return events, bad


def parse_event(entry: Any) -> CloudEvent:
    """One CloudEvent of a batch, typed by its ``type``.

    :raises ValueError: *entry* is not an object with a text ``id`` and ``type``.
    """
    if not isinstance(entry, dict):
        raise ValueError(f"a JSON {type(entry).__name__}, not an event object")
    event_id, event_type = entry.get("id"), entry.get("type")
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("no text 'id'")
    if not isinstance(event_type, str) or not event_type:
        raise ValueError(f"event {event_id}: no text 'type'")
    common: dict[str, Any] = {
        "id": event_id,
        "type": event_type,
        "source": _text(entry.get("source")) or "",
        "time": _time(entry.get("time"), event_id),
        "specversion": _text(entry.get("specversion")) or "1.0",
        "dataschema": _text(entry.get("dataschema")),
        "datacontenttype": _text(entry.get("datacontenttype")),
        "data": entry.get("data"),
        "raw": entry,
    }
    data = entry.get("data")
    if event_type.startswith(MESSAGE_STATUS_PREFIX) and isinstance(data, dict):
        params = _message_params(data, event_type)
        if params is not None:
            return MessageStatusEvent(**common, status=MessageStatus.from_params(params))
    if event_type.startswith(CALL_STATUS_PREFIX) and isinstance(data, dict):
        params = _call_params(data, event_type)
        if params is not None:
            return CallStatusEvent(**common, status=CallStatus.from_params(params))
    return CloudEvent(**common)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _time(value: Any, event_id: str) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        logger.warning("event %s: ignoring malformed time=%r (expected ISO 8601)", event_id, value)
        return None


def _message_params(data: Mapping[str, Any], event_type: str) -> list[tuple[str, str]] | None:
    """A message status callback's parameters from the message-status schema's ``data``."""
    sid = data.get("messageSid")
    status = data.get("messageStatus") or event_type.removeprefix(MESSAGE_STATUS_PREFIX)
    if not isinstance(sid, str) or not isinstance(status, str):
        return None
    pairs = [("MessageStatus", status.lower())]
    for name, twilio_name in _MESSAGE_FIELDS.items():
        value = data.get(name)
        if value is not None and value != "":
            pairs.append((twilio_name, str(value)))
    return pairs


def _call_params(data: Mapping[str, Any], event_type: str) -> list[tuple[str, str]] | None:
    """A call status callback's parameters: the webhook event schema keeps the callback's
    request, parameters included (``data.request.parameters``)."""
    request = data.get("request")
    parameters = request.get("parameters") if isinstance(request, dict) else None
    pairs: list[tuple[str, str]] = []
    if isinstance(parameters, dict):
        pairs = [(str(k), str(v)) for k, v in parameters.items() if v is not None]
    names = {name for name, _ in pairs}
    sid = data.get("sid") or data.get("callSid")
    if "CallSid" not in names and isinstance(sid, str):
        pairs.append(("CallSid", sid))
    if "CallStatus" not in names:
        pairs.append(("CallStatus", _call_status(event_type.removeprefix(CALL_STATUS_PREFIX))))
    return pairs if any(name == "CallSid" for name, _ in pairs) else None


def _call_status(suffix: str) -> str:
    # The event types name the answer "answered"; the callback's CallStatus is in-progress.
    return "in-progress" if suffix == "answered" else suffix


@dataclass(frozen=True, slots=True)
class EventBatch:
    """The events of one Event Streams request, what the dispatcher runs handlers on."""

    events: list[CloudEvent]
    #: The entries that are not CloudEvents (logged, never retried).
    bad: list[BadEvent]


class EventRouter:
    """The ``@hooks.event_stream`` handlers: the first whose glob matches an event's
    ``type``, in registration order; a handler registered without patterns gets the events
    no other one matches."""

    def __init__(self) -> None:
        self.routes: list[tuple[tuple[str, ...], Callable[..., Any]]] = []
        self.fallback: Callable[..., Any] | None = None

    def __bool__(self) -> bool:
        return bool(self.routes) or self.fallback is not None

    def add(self, handler: Callable[..., Any], patterns: tuple[str, ...]) -> None:
        """Register *handler* for the types matching any of *patterns* (all when none).

        :raises HandlerError: a pattern is not text, or a second catch-all.
        """
        for pattern in patterns:
            if not isinstance(pattern, str) or not pattern:
                raise HandlerError(f"@hooks.event_stream() takes type globs, not {pattern!r}")
        if patterns:
            self.routes.append((patterns, handler))
            return
        if self.fallback is not None:
            raise HandlerError(
                "an @hooks.event_stream() handler for every type is already registered "
                f"({getattr(self.fallback, '__qualname__', '?')})"
            )
        self.fallback = handler

    def match(self, event_type: str) -> Callable[..., Any] | None:
        """The handler of events of *event_type*, ``None`` when none is registered."""
        for patterns, handler in self.routes:
            if any(matches(pattern, event_type) for pattern in patterns):
                return handler
        return self.fallback

    def handlers(self) -> list[Callable[..., Any]]:
        """Every handler registered."""
        found = [handler for _, handler in self.routes]
        return found + ([self.fallback] if self.fallback is not None else [])
