"""Timelines: a message's status callbacks as they arrived, a call's callbacks and steps."""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Calls, Deliveries, History
from ..store.records import CallRecord, Delivery, HistoryRecord, message_status_order

__all__ = ["CallTimeline", "MessageTimeline", "StatusArrival", "call_timeline", "message_timeline"]

#: How many history records a timeline reads at most.
TIMELINE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class StatusArrival:
    """One status callback of a message, in arrival order.

    :param mark: ``"advanced"`` (moved the message forward), ``"stale"`` (arrived after a
        further status) or ``"duplicate"`` (this status had arrived before).
    """

    record: HistoryRecord
    status: str
    error_code: str | None
    mark: str


@dataclass(frozen=True, slots=True)
class MessageTimeline:
    """A message's callbacks as they arrived, beside what the store made of them."""

    sid: str
    arrivals: tuple[StatusArrival, ...]
    delivery: Delivery | None
    #: The other requests about the message (the incoming message itself, for one).
    others: tuple[HistoryRecord, ...]


@dataclass(frozen=True, slots=True)
class CallTimeline:
    """A call's callbacks by ``SequenceNumber`` and the steps of its conversation."""

    sid: str
    call: CallRecord | None
    #: Every request about the call, in arrival order (its voice steps included).
    requests: tuple[HistoryRecord, ...]


def _arrivals(history: History | None, sid: str) -> list[HistoryRecord]:
    if history is None:
        return []
    return sorted(history.recent(TIMELINE_LIMIT, sid=sid), key=lambda r: (r.at, r.id or 0))


def message_timeline(
    sid: str, history: History | None, deliveries: Deliveries | None
) -> MessageTimeline:
    """The timeline of message *sid*: each status callback marked advanced, stale or
    duplicate, as the store judged it when it arrived."""
    arrivals: list[StatusArrival] = []
    others: list[HistoryRecord] = []
    seen: set[str] = set()
    furthest = -1
    for record in _arrivals(history, sid):
        status = record.params.get("MessageStatus") or record.params.get("SmsStatus")
        if record.kind != "message_status" or not status or not record.verified:
            others.append(record)
            continue
        order = message_status_order(status)
        if status in seen:
            mark = "duplicate"
        elif order > furthest:
            mark = "advanced"
        else:
            mark = "stale"
        seen.add(status)
        furthest = max(furthest, order)
        arrivals.append(StatusArrival(record, status, record.params.get("ErrorCode"), mark))
    delivery = deliveries.get(sid) if deliveries is not None else None
    return MessageTimeline(sid, tuple(arrivals), delivery, tuple(others))


def call_timeline(sid: str, history: History | None, calls: Calls | None) -> CallTimeline:
    """The timeline of call *sid*."""
    call = calls.get(sid) if calls is not None else None
    return CallTimeline(sid, call, tuple(_arrivals(history, sid)))
