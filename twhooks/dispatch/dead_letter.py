"""The conclude step's part in the dead-letter list (:mod:`twhooks.store.dead_letters`).

A webhook whose handler ran and that ended in a 5xx (the handler raised, an ``@hooks.error``
handler answered 5xx, its conversation stayed busy) is kept in the list, with what went wrong;
a webhook that then succeeds under the same key — Twilio's retry, a re-run — is taken off it.
Neither write ever fails the request: a store that fails here is logged. No web framework here.
"""

from __future__ import annotations

import logging
import traceback

from ..store.dead_letters import failure_key
from ..store.history import History
from ..store.records import FailedWebhook
from .received import Received

__all__ = ["failed_webhook", "note_failure", "settle_dead_letter"]

logger = logging.getLogger("twhooks.dispatch")

#: How much of a traceback a dead letter keeps, in characters (its end: where it raised).
TRACEBACK_LIMIT = 8000


def note_failure(received: Received, error: BaseException) -> None:
    """Remember what *received*'s handler raised, for its dead letter."""
    received.error = f"{type(error).__name__}: {error}"[:500]
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    received.traceback = text[-TRACEBACK_LIMIT:]


def failed_webhook(received: Received, status: int) -> FailedWebhook:
    """The dead letter of *received*, answered with *status*."""
    request = received.request
    path = request.path + (f"?{request.query}" if request.query else "")
    body = received.verified.body.decode("utf-8", "surrogateescape")
    return FailedWebhook(
        key=_key(received),
        kind=received.kind,
        method=request.method,
        url=received.verified.url,
        path=path,
        content_type=request.headers.get("content-type", ""),
        body=body,
        params=received.params.to_dict(),
        token=received.token,
        handler=received.handler,
        error=received.error or f"answered {status} ({received.why or 'no reason given'})",
        traceback=received.traceback,
        at=received.at,
        last_at=received.at,
    )


def settle_dead_letter(history: History, received: Received, status: int) -> None:
    """Keep *received* in the dead-letter list if it failed (*status* 5xx), else take any
    earlier failure of it off the list. Only for a webhook whose handler was chosen (or a
    status callback found late: consumed all the same)."""
    if not received.settles or not history.keeps_failed:
        return
    try:
        if status >= 500:
            history.add_failed(failed_webhook(received, status))
        elif history.forget_failed(_key(received)):
            logger.info(
                "%s %s succeeded: taken off the list of failed webhooks",
                received.request.method,
                received.request.path,
            )
    except Exception as error:
        logger.error(
            "the list of failed webhooks could not be updated for %s %s: %s: %s",
            received.request.method,
            received.request.path,
            type(error).__name__,
            error,
        )


def _key(received: Received) -> str:
    request = received.request
    return failure_key(request.method, request.path, request.query, received.verified.body)
