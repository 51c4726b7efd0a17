"""The route step: which handler a webhook goes to, and the typed event it gets.

Before any handler, the policies of the shared store have their say (a blocked number, an
opt-out keyword, a status callback recorded and found late); then a message is routed by its
body and its conversation's state, a call by its step, a callback by its value. This module
knows nothing of any web framework.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..cloudevents import CloudEvent, EventBatch
from ..conversation import Conversation
from ..events import Event, Params
from ..handlers import Handlers
from ..kinds import RESERVED_STEPS, Kind
from ..policies import Policies
from ..replies import EMPTY_TWIML, Reply
from ..store.locks import StoreLock
from .received import Received

__all__ = ["Begun", "describe", "name_of", "no_answer", "route"]

logger = logging.getLogger("twhooks.dispatch")


@dataclass(slots=True)
class Begun:
    """A handler about to run: what it gets, and how its result becomes the reply."""

    kind: Kind
    handler: Callable[..., Any]
    #: The event; for Event Streams, the batch of events.
    event: Event | EventBatch
    #: The conversation of a message or call, saved once the handler returned.
    conversation: Conversation | None
    #: The lock of a status callback's message or call, held until the webhook is answered.
    lock: StoreLock | None = None
    #: What records a status callback in the store once its handler succeeded (a handler
    #: that raised leaves it unrecorded: its retry runs the handler again).
    settle: Callable[[], object] | None = None
    #: The request it handles.
    received: Received | None = None


def route(
    handlers: Handlers,
    policies: Policies,
    received: Received,
    kind: Kind,
    step: str | None,
    conversation: Conversation | None,
) -> Begun | Reply:
    """The policies, the handler and the event of *received*; the reply when no handler is
    to run. Why the handler was chosen (or none) goes in ``received.why``, for the history.

    :param step: the call step (``/voice/<step>``), for the ``call`` kind.
    """
    params, token = received.params, received.token
    event_class = kind.event
    # (An Event Streams batch never comes here: see twhooks.dispatch.streams.)
    assert not issubclass(event_class, CloudEvent), kind.name
    blocked = policies.blocked(kind, step, params)
    if blocked is not None:
        received.why = "blocked number"
        return blocked
    if kind.routing == "message":
        keyword = policies.keyword(params, handlers.keyword_handlers, conversation)
        match = None
        if keyword is not None:
            handler, received.why = keyword
        else:
            router = handlers.messages
            state = conversation.state if router.states and conversation else None
            found = router.match(params.get("Body", ""), state)
            if found is None:
                _no_message_handler(handlers, params, state)
                received.why = "no handler matched"
                return Reply.twiml(EMPTY_TWIML)
            route, match = found
            handler = route.handler
            received.why = route.why(state)
        event: Event = event_class.from_params(
            params, idempotency_token=token, match=match, conversation=conversation
        )
        return _begun(received, kind, handler, event, conversation)
    if kind.routing == "step":
        step_handler = handlers.steps.match(step)
        if step_handler is None:
            received.why = "no handler registered"
            return _no_step_handler(params, step, received.request.method)
        event = event_class.from_params(
            params, idempotency_token=token, step=step, conversation=conversation
        )
        received.why = "incoming call" if step is None else f"step {step}"
        return _begun(received, kind, step_handler, event, conversation)
    return _route_callback(handlers, policies, received, kind, event_class)


def _route_callback(
    handlers: Handlers,
    policies: Policies,
    received: Received,
    kind: Kind,
    event_class: type[Event],
) -> Begun | Reply:
    """A status callback, routed by its value. It is recorded at once when no handler runs
    (none registered, or a late one); else once its handler succeeded, under the lock of its
    message or call (:meth:`Policies.callback_lock`): a handler that raised did not consume
    the callback, whose retry then runs it again."""
    params = received.params
    may_run = bool(handlers.values[kind.name])
    if may_run:
        extra = policies.preview_callback(kind, params)
    else:
        extra = policies.record_callback(kind, params)
    event = event_class.from_params(params, idempotency_token=received.token, **extra)
    value = getattr(event, kind.field or "")
    handler = handlers.values[kind.name].match(value)
    if handler is None:
        # An assignment without an instruction stays pending until it times out: say so.
        logger.log(
            logging.WARNING if kind.name == "assignment" else logging.INFO,
            "no @hooks.%s handler for %s %r; add @hooks.%s() to handle every one%s",
            kind.name,
            kind.field,
            value,
            kind.name,
            " (answered {}: the reservation waits for the REST API until it times out)"
            if kind.name == "assignment"
            else "",
        )
        if may_run:
            policies.record_callback(kind, params)
        received.why = "no handler registered"
        return no_answer(kind)
    if extra.get("advanced") is False and handler not in handlers.include_stale:
        logger.info(
            "%s %r of %s is late or a duplicate (furthest: %r); recorded, no handler run",
            kind.field,
            value,
            params.get("MessageSid"),
            extra.get("previous"),
        )
        policies.record_callback(kind, params)
        received.why = "late or duplicate callback"
        received.settles = True  # consumed: a failure of it kept earlier is done with
        return Reply.empty()
    received.why = f"{kind.field} {value}"
    begun = _begun(received, kind, handler, event, None)
    begun.settle = lambda: policies.record_callback(kind, params)
    return begun


def no_answer(kind: Kind) -> Reply:
    """The answer to a callback of *kind* whose handler returned nothing (or that has none),
    as Twilio reads it: a Conversations pre-action is blocked by any answer but a ``200``;
    TaskRouter reads an assignment callback only as a ``200`` with JSON (``{}``: decide
    later; anything else calls the fallback URL) and asks ``204`` with
    ``Content-Type: application/json`` of its event callbacks; other callbacks ``204``."""
    if kind.name == "conversation_event":
        return Reply.empty(200)
    if kind.name == "assignment":
        return Reply(200, [("Content-Type", "application/json")], b"{}")
    if kind.name == "taskrouter_event":
        return Reply(204, [("Content-Type", "application/json")], b"")
    return Reply.empty()


def _begun(
    received: Received,
    kind: Kind,
    handler: Callable[..., Any],
    event: Event,
    conversation: Conversation | None,
) -> Begun:
    received.handler = name_of(handler)
    received.settles = True
    return Begun(kind, handler, event, conversation, received=received)


def _no_message_handler(handlers: Handlers, params: Params, state: str | None) -> None:
    if not handlers.messages:
        logger.warning(
            "no @hooks.message handler is registered; answering MessageSid=%s "
            "with an empty <Response/>",
            params.get("MessageSid"),
        )
    else:
        logger.info(
            "no @hooks.message handler matched body %r (state %r); add "
            "@hooks.message() as a catch-all",
            params.get("Body", "")[:40],
            state,
        )


def _no_step_handler(params: Params, step: str | None, method: str) -> Reply:
    if step in RESERVED_STEPS:
        # GET /voice/status and the like: the fixed route exists, for POST only.
        logger.warning("%s /voice/%s: this callback route accepts POST only", method, step)
        reply = Reply.text(405, f"/voice/{step} accepts POST only")
        reply.headers.append(("Allow", "POST"))
        return reply
    where = "@hooks.call()" if step is None else f"@hooks.call({step!r})"
    logger.warning(
        "no %s handler is registered; answering CallSid=%s with an empty <Response/> "
        "(Twilio hangs up)",
        where,
        params.get("CallSid"),
    )
    return Reply.twiml(EMPTY_TWIML)


def name_of(handler: Callable[..., Any]) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


def describe(event: object) -> str:
    """The SIDs of an event, for log lines (no phone numbers, no message text)."""
    parts = [type(event).__name__]
    for name in ("sid", "call_sid", "account_sid"):
        value = getattr(event, name, None)
        if value:
            parts.append(f"{name}={value}")
    return " ".join(parts)
