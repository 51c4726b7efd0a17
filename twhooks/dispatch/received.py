"""What the steps pass along: a received request, a refusal, the reply as kept for retries.

No web framework here.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..events import Params
from ..replies import Reply
from ..request import VerifiedRequest, WebhookRequest

__all__ = ["Received", "Refused", "Session", "status_of", "stored"]

#: Where conversations live with ``TWHOOKS_CONVERSATIONS = "cookie"``: the framework's signed
#: session (``None``: a fresh ``dict``).
Session = MutableMapping[str, Any] | None


@dataclass(slots=True)
class Received:
    """A verified request, ready to be handled."""

    request: WebhookRequest
    #: What was verified: the URL that matched, the parameters, the body.
    verified: VerifiedRequest
    params: Params
    #: The ``I-Twilio-Idempotency-Token``, if Twilio sent one.
    token: str | None
    #: The kind of webhook, when the adapter knows it already.
    kind: str | None = None
    #: ``(key, owner, renewal)`` while this request holds the claim of its token (its
    #: handle in :data:`~twhooks.store.renewal.renewals`).
    claim: tuple[str, str, int | None] | None = None
    #: When it arrived: Unix time, and :func:`time.perf_counter` for its duration.
    at: float = 0.0
    started: float = 0.0
    #: ``"valid"``, or ``"skipped"`` with ``TWHOOKS_VALIDATE = False``.
    verdict: str = "valid"
    #: The handler chosen, and why (for the webhook history).
    handler: str | None = None
    why: str | None = None
    #: What the observers keep of it (:class:`~twhooks.observability.webhooks.Observed`).
    observed: Any = None
    #: Whether a handler was to run for it (or would have, had its status callback not been
    #: late, or its conversation not been busy): its failure is kept in the dead-letter list,
    #: its success takes it off.
    settles: bool = False
    #: Its failures are kept in the dead-letter list one by one (the events of an Event
    #: Streams batch), not as this request.
    per_event: bool = False
    #: What the handler raised, in one line, and its traceback (for the dead-letter list).
    error: str | None = None
    traceback: str = ""


class Refused(NamedTuple):
    """A refused request: its reply, and its record for the webhook history."""

    reply: Reply
    record: Any


def stored(reply: Reply | None) -> Reply | None:
    """*reply* as kept for retries (``None`` for a framework response: its adapter keeps it,
    or for a failure)."""
    if reply is None or reply.native is not None:
        return None
    return Reply(reply.status, list(reply.headers), reply.body)


def status_of(reply: Reply | None) -> int:
    """*reply*'s status for the history: ``500`` when the handler raised."""
    if reply is None:
        return 500
    if reply.native is not None:
        return int(getattr(reply.native, "status_code", 200))
    return reply.status
