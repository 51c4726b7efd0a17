"""Twilio Conversations' webhooks: what a handler's answer means to Twilio.

Conversations calls its *pre-action* webhook (``onMessageAdd``, ``onConversationAdd``…)
before it acts, and waits up to 5 seconds for the answer: a ``200`` lets the action go on
(with a JSON body, some of its fields changed), a 4xx or 5xx blocks it, and no answer within
5 seconds lets it go on unchanged. Its *post-action* webhooks (``onMessageAdded``…) are
notifications. A handler of ``@hooks.conversation_event`` returns:

- ``None`` (or ``True``): allow — ``200`` with an empty body;
- ``False`` or :class:`RejectAction`: block — ``403`` (or the status given), with the reason;
- :class:`ModifyAction` (or a ``dict``): allow with changes — ``200`` and the JSON of the fields.
  Twilio lets a pre-action answer change only the fields of :data:`MODIFIABLE` (its
  Conversations webhooks page, "Modifiable Fields"); any other is left out of the answer and
  logged.

:func:`answering` wraps a handler so that its result becomes that reply, and logs a handler
that ran past Twilio's 5-second budget. This module knows nothing of any web framework.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from inspect import iscoroutinefunction
from typing import Any

from .exceptions import HandlerError
from .replies import Reply

__all__ = ["BUDGET", "MODIFIABLE", "ModifyAction", "RejectAction", "answer_for", "answering"]

logger = logging.getLogger("twhooks.dispatch")

#: Twilio's timeout of a Conversations webhook, in seconds.
BUDGET = 5.0

_MESSAGE_FIELDS = frozenset({"body", "author", "attributes"})
_CONVERSATION_FIELDS = frozenset({"friendly_name"})

#: The fields a pre-action answer may change, per event type, as Twilio's Conversations
#: webhooks page lists them ("Modifiable Fields"): a message's ``body``, ``author`` and
#: ``attributes`` (JSON text), a conversation's ``friendly_name``. The page lists none for the
#: other pre-action events.
MODIFIABLE: Mapping[str, frozenset[str]] = {
    "onMessageAdd": _MESSAGE_FIELDS,
    "onMessageUpdate": _MESSAGE_FIELDS,
    "onConversationAdd": _CONVERSATION_FIELDS,
    "onConversationUpdate": _CONVERSATION_FIELDS,
}


@dataclass(frozen=True, slots=True)
class RejectAction:
    """Block a pre-action (the message is not added, the participant not joined…).

    :param reason: a line for the log and the answer's body (Twilio shows it nowhere).
    :param status: the status to answer: any but 200 blocks the action.
    """

    reason: str = "rejected by the app"
    status: int = 403

    def __post_init__(self) -> None:
        if self.status == 200 or not 100 <= self.status <= 599:
            raise HandlerError(f"RejectAction(status={self.status}): a rejection is not a 200")


@dataclass(frozen=True, slots=True)
class ModifyAction:
    """Let a pre-action go on with some of its fields changed, by the names of Twilio's
    Conversations webhooks page: ``body``, ``author`` and ``attributes`` of a message
    (``onMessageAdd``, ``onMessageUpdate``), ``friendly_name`` of a conversation
    (``onConversationAdd``, ``onConversationUpdate``); see :data:`MODIFIABLE`.
    ``attributes`` given as a ``dict`` is sent as JSON text, as Twilio keeps it.
    """

    fields: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, fields: Mapping[str, Any] | None = None, **more: Any) -> None:
        object.__setattr__(self, "fields", {**(fields or {}), **more})


def answer_for(result: Any, event_type: str | None = None) -> Reply:
    """The reply for a ``@hooks.conversation_event`` handler's *result* on an event of
    *event_type* (when given, the fields of a :class:`ModifyAction` that Twilio does not let
    that event change are left out, with a warning).

    :raises HandlerError: *result* is none of the answers above.
    """
    if result is None or result is True:
        return Reply(200, [("Content-Type", "text/plain; charset=utf-8")], b"")
    if result is False:
        result = RejectAction()
    if isinstance(result, RejectAction):
        return Reply.text(result.status, result.reason)
    if isinstance(result, Mapping):
        result = ModifyAction(result)
    if isinstance(result, ModifyAction):
        fields = _modifiable(result.fields, event_type)
        if not fields:
            return Reply(200, [("Content-Type", "text/plain; charset=utf-8")], b"")
        body = {
            name: json.dumps(value) if name == "attributes" and isinstance(value, dict) else value
            for name, value in fields.items()
        }
        return Reply(200, [("Content-Type", "application/json")], json.dumps(body).encode())
    raise HandlerError(
        "a @hooks.conversation_event handler returns None (allow), False or RejectAction(...) "
        f"(block) or ModifyAction(...) (allow with changes), not {type(result).__name__}"
    )


def _modifiable(fields: Mapping[str, Any], event_type: str | None) -> Mapping[str, Any]:
    """*fields* without those Twilio does not let *event_type*'s answer change (logged)."""
    if event_type is None:
        return fields
    allowed = MODIFIABLE.get(event_type, frozenset())
    dropped = sorted(name for name in fields if name not in allowed)
    if not dropped:
        return fields
    logger.warning(
        "@hooks.conversation_event answer to %s: %s left out of the answer: %s",
        event_type,
        ", ".join(dropped),
        f"Twilio lets it change only {', '.join(sorted(allowed))}"
        if allowed
        else "Twilio lets no field of this event be changed (only onMessageAdd, "
        "onMessageUpdate, onConversationAdd and onConversationUpdate)",
    )
    return {name: value for name, value in fields.items() if name in allowed}


def answering(handler: Callable[..., Any]) -> Callable[..., Any]:
    """*handler*, its result turned into the reply Twilio reads (:func:`answer_for`), and a
    warning logged when it ran past :data:`BUDGET` (Twilio has stopped waiting by then)."""
    if iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def answer_async(event: Any) -> Reply:
            started = time.perf_counter()
            try:
                return answer_for(await handler(event), _event_type(event))
            finally:
                _check_budget(handler, event, time.perf_counter() - started)

        return answer_async

    @functools.wraps(handler)
    def answer(event: Any) -> Reply:
        started = time.perf_counter()
        try:
            return answer_for(handler(event), _event_type(event))
        finally:
            _check_budget(handler, event, time.perf_counter() - started)

    return answer


def _event_type(event: Any) -> str | None:
    event_type = getattr(event, "event_type", None)
    return event_type if isinstance(event_type, str) else None


def _check_budget(handler: Callable[..., Any], event: Any, took: float) -> None:
    if took <= BUDGET:
        return
    logger.warning(
        "@hooks.conversation_event handler %s took %.1f s on %s of %s: over Twilio's %g s "
        "budget, so Twilio did not wait for its answer%s",
        getattr(handler, "__qualname__", handler),
        took,
        getattr(event, "event_type", "?"),
        getattr(event, "conversation_sid", "?"),
        BUDGET,
        " (a pre-action: Twilio went on with the action unchanged, whatever it answered)"
        if getattr(event, "is_pre_action", False)
        else "",
    )
