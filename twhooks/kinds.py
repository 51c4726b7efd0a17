"""The one registry of webhook kinds: everything that varies from one kind to the next.

Each :class:`Kind` says what Twilio calls, where twhooks serves it and how it is handled: its
name (the decorator's name, used everywhere: ``callback_url``, the test client, the simulator,
``twhooks send``), its route path under ``TWHOOKS_URL_PREFIX``, its HTTP methods, its event
class, the event attribute that selects the handler, the TwiML verb a ``str`` reply becomes,
and the values Twilio sends for that attribute. Routes, decorators, URLs, payloads, the
simulator, the test client and the docs' route table all derive from :data:`KINDS`: adding a
kind is one entry here plus its event class (and a payload factory for the simulator).

This module knows nothing of any web framework.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .cloudevents import CloudEvent
from .events import (
    ALERT_LEVELS,
    AMD_RESULTS,
    CALL_STATUSES,
    CONFERENCE_EVENTS,
    CONVERSATION_POST_EVENTS,
    CONVERSATION_PRE_EVENTS,
    MESSAGE_STATUS_RANK,
    RECORDING_STATUSES,
    TASKROUTER_EVENTS,
    TRANSCRIPTION_STATUSES,
    Alert,
    AmdResult,
    Assignment,
    Call,
    CallStatus,
    ConferenceStatus,
    ConversationEvent,
    Event,
    IncomingMessage,
    MessageStatus,
    RecordingStatus,
    TaskRouterEvent,
    Transcription,
)
from .exceptions import HandlerError

__all__ = [
    "ALIASES",
    "KINDS",
    "RESERVED_STEPS",
    "Kind",
    "add_routes",
    "kind_named",
    "route_table",
]

#: How a kind picks its handler: by message body and conversation state, by call step, by
#: the value of one event attribute, or, for a batch of events (Event Streams), each event
#: by its ``type``.
Routing = Literal["message", "step", "value", "batch"]


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of webhook."""

    #: The kind's one name: the decorator (``@hooks.message_status``), ``callback_url``,
    #: ``TwilioTestClient.webhook``, ``twhooks send``.
    name: str
    #: The route under ``TWHOOKS_URL_PREFIX``.
    path: str
    #: The HTTP methods Twilio may use.
    methods: tuple[str, ...]
    #: The event class handlers receive.
    event: type[Event] | type[CloudEvent]
    #: How the handler is chosen.
    routing: Routing
    #: The event attribute whose value selects a handler (``routing == "value"``).
    field: str | None
    #: What a plain ``str`` reply becomes: one ``<Message>`` or one ``<Say>``.
    text_verb: Literal["message", "say"]
    #: The values Twilio sends in :attr:`field`; registering another is a typo.
    known: frozenset[str]
    #: The TwiML Twilio reads in the answer: ``"messaging"``, ``"voice"``, or ``None`` for a
    #: callback whose answer only needs a 2xx status.
    answer: Literal["messaging", "voice"] | None
    #: One line for help texts and the route table.
    summary: str

    @property
    def is_callback(self) -> bool:
        """Whether Twilio ignores the body of the answer (status callbacks)."""
        return self.answer is None


def _callback(
    name: str,
    path: str,
    event: type[Event],
    *,
    field: str,
    known: frozenset[str],
    summary: str,
    text_verb: Literal["message", "say"] = "say",
) -> Kind:
    """A status callback: POSTed, its handler chosen by the value of *field*, the body of its
    answer ignored."""
    return Kind(
        name=name,
        path=path,
        methods=("POST",),
        event=event,
        routing="value",
        field=field,
        text_verb=text_verb,
        known=known,
        answer=None,
        summary=summary,
    )


#: Every kind by name, in the order of the docs' route table.
KINDS: Mapping[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            name="message",
            path="/messages",
            methods=("GET", "POST"),
            event=IncomingMessage,
            routing="message",
            field=None,
            text_verb="message",
            known=frozenset(),
            answer="messaging",
            summary="incoming SMS, MMS or WhatsApp",
        ),
        _callback(
            "message_status",
            "/messages/status",
            MessageStatus,
            field="status",
            known=frozenset(MESSAGE_STATUS_RANK),
            text_verb="message",
            summary="message status callback",
        ),
        Kind(
            name="call",
            path="/voice",
            methods=("GET", "POST"),
            event=Call,
            routing="step",
            field=None,
            text_verb="say",
            known=frozenset(),
            answer="voice",
            summary="incoming call (and its named steps, /voice/<step>)",
        ),
        _callback(
            "call_status",
            "/voice/status",
            CallStatus,
            field="status",
            known=CALL_STATUSES,
            summary="call status callback",
        ),
        _callback(
            "recording_status",
            "/voice/recording",
            RecordingStatus,
            field="status",
            known=RECORDING_STATUSES,
            summary="recording status callback",
        ),
        _callback(
            "transcription",
            "/voice/transcription",
            Transcription,
            field="status",
            known=TRANSCRIPTION_STATUSES,
            summary="transcription callback",
        ),
        _callback(
            "conference_status",
            "/voice/conference",
            ConferenceStatus,
            field="event",
            known=CONFERENCE_EVENTS,
            summary="conference status event",
        ),
        _callback(
            "amd",
            "/voice/amd",
            AmdResult,
            field="answered_by",
            known=AMD_RESULTS,
            summary="answering machine detection result",
        ),
        Kind(
            name="conversation_event",
            path="/conversations",
            methods=("GET", "POST"),  # the webhook's method is configurable
            event=ConversationEvent,
            routing="value",
            field="event_type",
            text_verb="message",
            known=CONVERSATION_PRE_EVENTS | CONVERSATION_POST_EVENTS,
            answer=None,
            summary="Conversations pre- and post-action webhook",
        ),
        _callback(
            "taskrouter_event",
            "/taskrouter/events",
            TaskRouterEvent,
            field="event_type",
            known=TASKROUTER_EVENTS,
            summary="TaskRouter workspace event callback",
        ),
        _callback(
            "assignment",
            "/taskrouter/assignment",
            Assignment,
            field="task_queue_sid",
            known=frozenset(),
            summary="TaskRouter assignment callback (answered with an instruction)",
        ),
        _callback(
            "alert",
            "/alerts",
            Alert,
            field="level",
            known=ALERT_LEVELS,
            summary="Debugger alert (an error or warning on the account)",
        ),
        Kind(
            name="event_stream",
            path="/events",
            methods=("POST",),
            event=CloudEvent,
            routing="batch",
            field="type",
            text_verb="message",
            known=frozenset(),
            answer=None,
            summary="Event Streams webhook sink (a JSON array of CloudEvents)",
        ),
    )
}

#: Names 0.1 used for some kinds, still accepted wherever a kind is named.
ALIASES: Mapping[str, str] = {
    "messages": "message",
    "voice": "call",
    "recording": "recording_status",
    "conference": "conference_status",
}

#: Step names taken by the fixed voice routes (``/voice/status`` and so on).
RESERVED_STEPS = frozenset(
    kind.path.removeprefix("/voice/") for kind in KINDS.values() if kind.path.startswith("/voice/")
)


def kind_named(name: str) -> Kind:
    """The kind called *name*: its name, a dashed spelling (``message-status``) or an alias.

    :raises HandlerError: no kind has that name.
    """
    key = name.replace("-", "_") if isinstance(name, str) else name
    found = KINDS.get(key) or KINDS.get(ALIASES.get(key, ""))
    if found is None:
        raise HandlerError(f"unknown kind of webhook {name!r}; one of: {', '.join(KINDS)}")
    return found


def add_routes(blueprint: Any, view_for: Callable[[Kind], Callable[..., Any]]) -> dict[str, Kind]:
    """Add the route of every kind to *blueprint* (a Flask or Quart ``Blueprint``), each
    answered by ``view_for(kind)``: ``<path>`` under the kind's name as endpoint, and for the
    ``call`` kind also ``<path>/<step>`` as ``call_step``. A stray trailing slash in the
    Twilio console does not turn into a 404 (``strict_slashes=False``).

    :returns: the kind of each endpoint added (``{"call_step": KINDS["call"], ...}``).
    """
    endpoints: dict[str, Kind] = {}
    for kind in KINDS.values():
        view = view_for(kind)
        methods = list(kind.methods)
        blueprint.add_url_rule(kind.path, kind.name, view, methods=methods, strict_slashes=False)
        endpoints[kind.name] = kind
        if kind.routing == "step":
            blueprint.add_url_rule(
                kind.path + "/<step>",
                kind.name + "_step",
                view,
                methods=methods,
                strict_slashes=False,
            )
            endpoints[kind.name + "_step"] = kind
    return endpoints


def route_table(prefix: str = "/twilio") -> str:
    """The routes as a reStructuredText table, for the docs and module docstrings."""
    rows = []
    for kind in KINDS.values():
        methods = ", ".join(kind.methods)
        rows.append((f"``{prefix}{kind.path}``", methods, f"``@hooks.{kind.name}``"))
        if kind.routing == "step":  # its named steps, right after it
            step = f"``@hooks.{kind.name}('<step>')``"
            rows.append((f"``{prefix}{kind.path}/<step>``", methods, step))
    head = ("route", "methods", "handlers")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule, _row(head, widths), rule, *(_row(r, widths) for r in rows), rule]
    return "\n".join(lines)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
