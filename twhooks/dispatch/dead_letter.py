"""The conclude step's part in the dead-letter list (:mod:`twhooks.store.dead_letters`).

A webhook whose handler ran and that ended in a 5xx (the handler raised, an ``@hooks.error``
handler answered 5xx, its conversation stayed busy) is kept in the list at once, with what
went wrong (a store that fails here is logged, never the request's failure). A webhook that
then succeeds under the same key — Twilio's retry, a re-run — names the key in its history
record, and the store takes it off the list when it writes that record: with the history's
batch, off the request path. No web framework here.
"""

from __future__ import annotations

import logging
import traceback

from ..store.dead_letters import failure_key
from ..store.history import History
from ..store.records import FailedWebhook
from .received import Received

__all__ = ["failed_webhook", "keep_dead_letter", "note_failure", "settled_key"]

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


def keep_dead_letter(history: History, received: Received, status: int) -> None:
    """Keep *received*, answered with a 5xx *status*, in the dead-letter list (never fails
    the request: a store that fails here is logged)."""
    try:
        history.add_failed(failed_webhook(received, status))
    except Exception as error:
        logger.error(
            "%s %s failed, and could not be kept in the list of failed webhooks: %s: %s",
            received.request.method,
            received.request.path,
            type(error).__name__,
            error,
        )


def settled_key(history: History | None, received: Received, status: int) -> str | None:
    """The dead letter a request that ended with *status* takes off the list, written with
    its history record: a success of a webhook whose handler was chosen (or of a status
    callback found late: consumed all the same)."""
    if status >= 500 or not received.settles or history is None or not history.keeps_failed:
        return None
    return _key(received)


def _key(received: Received) -> str:
    request = received.request
    return failure_key(request.method, request.path, request.query, received.verified.body)
