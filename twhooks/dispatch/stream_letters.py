"""The dead letter of one Event Streams event: a failed event kept, and re-run, on its own.

An Event Streams request carries many events, and one of them may fail while the others
succeed. The dead-letter list (:mod:`twhooks.store.dead_letters`) keeps the failed event
alone, as the request that runs it again: the path it came to, a JSON array of that one
event as the body (:func:`event_body`), and the URL Twilio signed with its ``bodySHA256``
replaced by that body's hash (:func:`with_body_hash`), so that a re-run (:mod:`twhooks.rerun`,
signed again for that URL) verifies and runs that event and no other.

Its key is the :func:`~twhooks.store.dead_letters.failure_key` of that one-event request: a
re-run that succeeds takes it off the list as any webhook's success does; Twilio's resend
of the whole batch takes it off when the event succeeds there (:func:`letter_key`, called by
the batch step for an event that failed before). No web framework here.
"""

from __future__ import annotations

import hashlib
import json
import traceback

from ..cloudevents import CloudEvent
from ..store.dead_letters import failure_key
from ..store.records import FailedWebhook
from .dead_letter import TRACEBACK_LIMIT
from .received import Received

__all__ = ["event_body", "event_letter", "letter_key", "with_body_hash"]

_PARAM = "bodySHA256"


def event_body(event: CloudEvent) -> bytes:
    """The body of a request that carries *event* alone: a JSON array of it, as received
    (the same bytes each time: a re-run of it, parsed and written again, gives them back)."""
    return json.dumps([dict(event.raw)], ensure_ascii=False, separators=(",", ":")).encode()


def with_body_hash(text: str, body: bytes) -> str:
    """*text* — a URL, or a query string — with the value of its ``bodySHA256`` parameter
    replaced by the SHA-256 of *body* (unchanged when it has none: the app verifies no
    signature, or the request was not signed)."""
    head, mark, query = text.rpartition("?") if "?" in text else ("", "", text)
    if not query:
        return text
    digest = hashlib.sha256(body).hexdigest()
    pairs = [
        f"{_PARAM}={digest}" if pair.partition("=")[0] == _PARAM else pair
        for pair in query.split("&")
    ]
    return head + mark + "&".join(pairs)


def letter_key(received: Received, event: CloudEvent) -> str:
    """The key of *event*'s dead letter: the failure key of the request that re-runs it."""
    request = received.request
    body = event_body(event)
    return failure_key(request.method, request.path, with_body_hash(request.query, body), body)


def event_letter(
    received: Received,
    event: CloudEvent,
    where: str,
    error: BaseException,
) -> FailedWebhook:
    """The dead letter of *event*, which failed with *error* in *where* (its handler's
    qualified name, or the step before it) in the batch *received*."""
    request = received.request
    body = event_body(event)
    query = with_body_hash(request.query, body)
    params = {"EventId": event.id, "EventType": event.type}
    data = event.data if isinstance(event.data, dict) else {}
    account = data.get("accountSid") or data.get("AccountSid") or data.get("account_sid")
    if isinstance(account, str):
        params["AccountSid"] = account  # which auth token signs its re-run
    status = event.status_params
    for name in ("MessageSid", "CallSid"):  # the inspector's SID column
        if status is not None and status.get(name):
            params[name] = status[name]
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return FailedWebhook(
        key=failure_key(request.method, request.path, query, body),
        kind=received.kind,
        method=request.method,
        url=with_body_hash(received.verified.url, body),
        path=request.path + (f"?{query}" if query else ""),
        content_type=request.headers.get("content-type", "") or "application/json",
        body=body.decode("utf-8"),
        params=params,
        token=None,
        handler=where,
        error=f"event {event.id} ({event.type}): {type(error).__name__}: {error}"[:500],
        traceback=text[-TRACEBACK_LIMIT:],
        at=received.at,
        last_at=received.at,
    )
