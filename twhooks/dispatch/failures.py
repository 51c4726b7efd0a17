"""The fail step: a handler's exception offered to the ``@hooks.error`` handlers.

The first error handler that returns something answers with it; one that returns ``None``
passes to the next; one that fails too ends the offer. An exception nobody answered is
logged once and re-raised into the web framework, whose error handling (error pages,
``got_request_exception``, error reporters) then sees it. The drivers call each error handler
(awaited, or in a thread, on an event loop) and hand its :func:`outcome` to :func:`answer`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from ..kinds import Kind
from ..replies import Reply
from .dead_letter import note_failure
from .route import Begun, describe, name_of

__all__ = ["Raised", "answer", "noted", "outcome", "unanswered"]

logger = logging.getLogger("twhooks.dispatch")


class Raised(NamedTuple):
    """What calling an ``@hooks.error`` handler raised."""

    error: Exception


def noted(begun: Begun, error: Exception) -> Exception:
    """*error*, remembered as what *begun*'s handler raised (for the dead-letter list)."""
    if begun.received is not None:
        note_failure(begun.received, error)
    return error


def outcome(handler: Callable[..., Any], error: Exception, begun: Begun) -> Any:
    """What calling the error *handler* gave: its result, or what it raised."""
    try:
        return handler(error, begun.event)
    except Exception as raised:
        return Raised(raised)


def answer(
    begun: Begun,
    error: Exception,
    handler: Callable[..., Any],
    outcome: Any,
    render: Callable[[Kind, Any], Reply],
) -> Reply | None:
    """The reply of an ``@hooks.error`` *handler* that gave *outcome* for *error*;
    ``None``: offer it to the next one.

    :raises Exception: *error*, when the error handler failed too.
    """
    try:
        if isinstance(outcome, Raised):
            raise outcome.error
        if outcome is None:
            return None
        reply = render(begun.kind, outcome)
    except Exception:
        logger.exception(
            "@hooks.error handler %s failed too on %s", name_of(handler), describe(begun.event)
        )
        raise unanswered(begun, error) from None
    logger.error(
        "@hooks.%s handler %s failed on %s; an @hooks.error handler answered",
        begun.kind.name,
        name_of(begun.handler),
        describe(begun.event),
        exc_info=error,
    )
    return reply


def unanswered(begun: Begun, error: Exception) -> Exception:
    """Log a failure no error handler answered; *error*, for the caller to re-raise into
    the web framework (which logs its traceback)."""
    logger.error(
        "@hooks.%s handler %s failed on %s: %s: %s",
        begun.kind.name,
        name_of(begun.handler),
        describe(begun.event),
        type(error).__name__,
        error,
    )
    return error
