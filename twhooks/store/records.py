"""The records the store keeps, as plain frozen dataclasses every backend returns alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..events import message_status_rank
from .keys import normalize_address

__all__ = [
    "FINAL_MESSAGE_STATUSES",
    "CallEvent",
    "CallRecord",
    "ConversationRecord",
    "Delivery",
    "FailedWebhook",
    "HistoryRecord",
    "OptOut",
    "StatusChange",
    "message_status_order",
]

#: Message statuses after which Twilio sends nothing more but, at most, ``read``.
FINAL_MESSAGE_STATUSES = frozenset(
    {"canceled", "failed", "delivered", "undelivered", "partially_delivered", "read"}
)


def message_status_order(status: str) -> int:
    """Where *status* stands in a message's lifecycle; a callback never moves a message back.

    The rank of :func:`twhooks.events.message_status_rank`, with a final status ahead of a
    non-final one of the same rank (``failed`` beats ``sent``, so a final status never
    regresses). An unknown status stands with ``accepted``: it is kept only while nothing better
    is known. A message only :meth:`tracked <twhooks.store.Deliveries.track>` has order ``-1``.
    """
    rank = max(message_status_rank(status), 0)
    return rank * 2 + (status in FINAL_MESSAGE_STATUSES)


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """One conversation's stored state.

    :param key: see :func:`~twhooks.store.conversation_key`.
    :param state: the dialog step, or ``None``.
    :param data: what the dialog has collected (JSON values).
    :param version: increases by one on every save; a save names the version it read.
    :param updated_at: when it was last saved (Unix time).
    """

    key: str
    state: str | None
    data: Mapping[str, Any]
    version: int
    updated_at: float


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One distinct status of a message, as first received.

    :param status: the ``MessageStatus``.
    :param at: when its first callback was recorded (Unix time).
    :param error_code: its ``ErrorCode``, if any.
    """

    status: str
    at: float
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """What is known of one outgoing message's delivery.

    :param sid: the ``MessageSid``.
    :param status: the furthest status received (``None`` if only tracked so far).
    :param error_code: the ``ErrorCode`` that came with :attr:`status`.
    :param to: the recipient.
    :param from_: the sender.
    :param updated_at: when :attr:`status` last moved forward, or when it was tracked.
    :param history: each distinct status once, in the order of the lifecycle.
    :param meta: what the app passed to :meth:`~twhooks.store.Deliveries.track`.
    """

    sid: str
    status: str | None
    error_code: str | None
    to: str | None
    from_: str | None
    updated_at: float
    history: tuple[StatusChange, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One callback about a call: a status, a recording, a transcription or an AMD result.

    :param kind: ``"status"``, ``"recording"``, ``"transcription"`` or ``"amd"``.
    :param ident: what makes it distinct within its kind (a duplicate is kept once).
    :param order: its position (``SequenceNumber`` for a status callback).
    :param at: when it was recorded (Unix time).
    :param params: the callback's parameters.
    """

    kind: str
    ident: str
    order: int
    at: float
    params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CallRecord:
    """What is known of one call.

    :param call_sid: the ``CallSid``.
    :param status: the ``CallStatus`` of the status callback with the highest ``SequenceNumber``.
    :param callbacks: the status callbacks, by ``SequenceNumber`` (not arrival).
    :param recordings: the recording callbacks, in arrival order.
    :param transcriptions: the transcription callbacks, in arrival order.
    :param amd: the answering-machine-detection callback, if any.
    """

    call_sid: str
    status: str | None
    callbacks: tuple[CallEvent, ...]
    recordings: tuple[CallEvent, ...]
    transcriptions: tuple[CallEvent, ...]
    amd: CallEvent | None

    @property
    def answered_by(self) -> str | None:
        """``AnsweredBy`` of the AMD result (``human``, ``machine_start`` …), if any."""
        return None if self.amd is None else self.amd.params.get("AnsweredBy")


@dataclass(frozen=True, slots=True)
class OptOut:
    """A person who asked not to get messages.

    :param number: their address (``whatsapp:`` prefix removed).
    :param sender: the number or Messaging Service they opted out of; ``""`` for all.
    :param at: when (Unix time).
    :param source: how it was learnt: ``"keyword"``, ``"error_21610"``, ``"app"``.
    """

    number: str
    sender: str
    at: float
    source: str


@dataclass(slots=True)
class HistoryRecord:
    """One webhook request as the dispatcher saw it, for the webhook history.

    The dispatcher fills one per request — accepted or refused — and hands it to
    :meth:`~twhooks.store.History.record`, which gives it its :attr:`id`.

    :param kind: the webhook kind (``"message"``, ``"message_status"``, ``"voice"`` …), or
        ``None`` when the request could not be told apart.
    :param method: the HTTP method.
    :param url: the URL the request was made to (as verified).
    :param params: the form or query parameters.
    :param verified: ``False`` when the signature check refused or was skipped: the
        parameters are then what *someone* sent, not necessarily Twilio.
    :param verdict: the signature verdict: ``"valid"``, ``"invalid"``, ``"missing"``,
        ``"skipped"`` …
    :param reason: why the signature was refused, if it was.
    :param handler: the qualified name of the handler chosen, if any.
    :param why: why that handler was chosen (``"keyword STOP"``, ``"state ask_name"`` …).
    :param status: the reply's HTTP status.
    :param reply: the reply body as text.
    :param duration: how long the request took, in seconds.
    :param token: the ``I-Twilio-Idempotency-Token``, if any.
    :param replay: whether the reply was a stored one (a retry).
    :param at: when the request arrived (Unix time).
    :param id: set by the store.
    :param failure_key: for a request that succeeded and may have failed before, the
        :attr:`FailedWebhook.key` it takes off the dead-letter list (when the store writes the
        record: a failure after :attr:`at` stays).
    """

    kind: str | None
    method: str
    url: str
    params: dict[str, str]
    verified: bool
    verdict: str
    status: int
    reason: str | None = None
    handler: str | None = None
    why: str | None = None
    reply: str = ""
    duration: float = 0.0
    token: str | None = None
    replay: bool = False
    at: float = 0.0
    id: int | None = None
    failure_key: str | None = None

    @property
    def sid(self) -> str | None:
        """The message's or call's SID from :attr:`params`."""
        p = self.params
        return p.get("MessageSid") or p.get("SmsSid") or p.get("CallSid")

    @property
    def from_(self) -> str | None:
        """``From`` from :attr:`params`."""
        return self.params.get("From")

    @property
    def to(self) -> str | None:
        """``To`` from :attr:`params`."""
        return self.params.get("To")

    def to_json(self) -> dict[str, Any]:
        """The record as JSON values (how the SQL and Redis stores keep it)."""
        return {
            "kind": self.kind,
            "method": self.method,
            "url": self.url,
            "params": self.params,
            "verified": self.verified,
            "verdict": self.verdict,
            "status": self.status,
            "reason": self.reason,
            "handler": self.handler,
            "why": self.why,
            "reply": self.reply,
            "duration": self.duration,
            "token": self.token,
            "replay": self.replay,
            "at": self.at,
            "id": self.id,
            "failure_key": self.failure_key,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> HistoryRecord:
        """The record :meth:`to_json` gave *value* for."""
        return cls(**value)

    def _numbers(self) -> tuple[str, ...]:
        return tuple(normalize_address(n) for n in (self.from_, self.to) if n)

    def matches(
        self, kind: str | None, verdict: str | None, number: str | None, sid: str | None
    ) -> bool:
        """Whether the record passes the filters of :meth:`~twhooks.store.History.recent`."""
        return (
            (kind is None or self.kind == kind)
            and (verdict is None or self.verdict == verdict)
            and (number is None or normalize_address(number) in self._numbers())
            and (sid is None or self.sid == sid)
        )


@dataclass(slots=True)
class FailedWebhook:
    """A webhook whose handler raised (or answered 5xx): a dead letter, kept until a later
    copy of it succeeds — Twilio's retry, or a re-run (:mod:`twhooks.rerun`).

    :param key: what tells this webhook apart (:func:`~twhooks.store.dead_letters.failure_key`):
        its method, path, query and body, so that a retry or a re-run finds it.
    :param kind: the webhook kind.
    :param method: the HTTP method.
    :param url: the URL its signature was checked against.
    :param path: the path it was sent to, with its query string.
    :param content_type: its ``Content-Type``.
    :param body: its body as text (form parameters or JSON).
    :param params: its form or query parameters.
    :param token: its ``I-Twilio-Idempotency-Token``, if any.
    :param handler: the qualified name of the handler that raised.
    :param error: what it raised, in one line (``"ValueError: no such order"``).
    :param traceback: the traceback, as text.
    :param at: when it first failed (Unix time).
    :param last_at: when it last failed.
    :param attempts: how many times it failed (Twilio's retries and re-runs included).
    """

    key: str
    kind: str | None
    method: str
    url: str
    path: str
    content_type: str
    body: str
    params: dict[str, str]
    token: str | None
    handler: str | None
    error: str
    traceback: str
    at: float
    last_at: float = 0.0
    attempts: int = 1

    @property
    def sid(self) -> str | None:
        """The message's or call's SID from :attr:`params`."""
        p = self.params
        return p.get("MessageSid") or p.get("SmsSid") or p.get("CallSid")

    def to_json(self) -> dict[str, Any]:
        """The record as JSON values (how the SQL and Redis stores keep it)."""
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> FailedWebhook:
        """The record :meth:`to_json` gave *value* for."""
        return cls(**value)
