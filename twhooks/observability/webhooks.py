"""Where the dispatcher tells what becomes of each webhook: its start and its end.

The dispatcher calls :meth:`Observers.start` when a request is received (verified),
:meth:`Observers.refusing` and :meth:`Observers.refused` around the log line of a refusal,
and :meth:`Observers.end` when a request is concluded, with its outcome:

============  =====================================================================
outcome       what happened
============  =====================================================================
``handled``   a handler (or twhooks itself: a blocked number, an opt-out) answered
``replayed``  a retry, answered with the first copy's reply
``refused``   not verified: 403, or 400/413/415 for a request that cannot be read
``failed``    the handler raised and no ``@hooks.error`` handler answered (500)
``busy``      another worker held its conversation (or its first copy ran) too long: 503
============  =====================================================================

At each step the webhook's log fields are set (:mod:`~twhooks.observability.logfields`:
always on, standard library only), a line is logged at the end (INFO, logger
``twhooks.webhooks``), and the app's observers — the tracer
(:mod:`~twhooks.observability.tracing`) and the metrics
(:mod:`~twhooks.observability.metrics`), when on — are told. Nothing else is imported here.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from .logfields import WebhookFields, enter, leave, new_request_id

__all__ = ["NO_OBSERVERS", "OUTCOMES", "Observed", "Observer", "Observers", "outcome_of"]

logger = logging.getLogger("twhooks.webhooks")

#: Every outcome of a webhook.
OUTCOMES = ("handled", "replayed", "refused", "failed", "busy")


class Observer(Protocol):
    """What the tracer and the metrics are told of each webhook."""

    def start(self, observed: Observed) -> None:
        """*observed* was received (``observed.handles`` is the observers' to keep)."""

    def refused(self, observed: Observed, reason: str) -> None:
        """*observed* is refused for *reason* (a signature error's code, or
        ``status_<4xx>``); :meth:`end` follows."""

    def end(self, observed: Observed) -> None:
        """*observed* was concluded: its outcome, status and duration are known."""


class Observed:
    """One webhook as the observers see it."""

    __slots__ = ("at", "duration", "fields", "handles", "started", "status")

    def __init__(self, fields: WebhookFields, at: float, started: float) -> None:
        self.fields = fields
        #: When it arrived: Unix time, and :func:`time.perf_counter`.
        self.at = at
        self.started = started
        self.status = 0
        self.duration = 0.0
        #: What each observer keeps between start and end (a span), by observer.
        self.handles: dict[int, Any] = {}


def outcome_of(status: int, why: str | None, replay: bool) -> str:
    """The outcome of a concluded webhook, from its status and the history's ``why``."""
    if replay:
        return "replayed"
    if why is not None and (why.startswith("busy") or why == "first copy still running"):
        return "busy"
    return "failed" if status >= 500 else "handled"


class Observers:
    """The observers of an app's webhooks (none: the log fields and line only).

    :param observers: the tracer, the metrics.
    """

    __slots__ = ("observers",)

    def __init__(self, observers: tuple[Observer, ...] = ()) -> None:
        self.observers = observers

    def start(
        self, kind: str | None, params: Any, token: str | None, at: float, started: float
    ) -> Observed:
        """A verified webhook of *kind* was received, with *params* (its ``Params``) and its
        idempotency *token*, at *at* (Unix time) and *started* (:func:`time.perf_counter`)."""
        fields = WebhookFields(
            kind,
            new_request_id(),
            params.get("AccountSid"),
            params.get("MessageSid") or params.get("SmsSid"),
            params.get("CallSid"),
            token,
        )
        enter(fields)
        observed = Observed(fields, at, started)
        for observer in self.observers:
            observer.start(observed)
        return observed

    def refusing(self, kind: str | None, reason: str, started: float | None) -> Observed:
        """A request to *kind*'s route is being refused for *reason* (then logged, then
        :meth:`refused`). The SIDs it claims are not fields: they are not verified."""
        now = time.perf_counter()
        began = now if started is None else started
        fields = WebhookFields(kind, new_request_id())
        fields.outcome = "refused"
        enter(fields)
        observed = Observed(fields, time.time() - (now - began), began)
        for observer in self.observers:
            observer.start(observed)
            observer.refused(observed, reason)
        return observed

    def refused(self, observed: Observed, status: int) -> None:
        """*observed* was refused with *status*."""
        self._end(observed, status, time.perf_counter())

    def end(
        self, observed: Observed | None, status: int, handler: str | None, outcome: str
    ) -> None:
        """*observed* was concluded with *status* and *outcome*."""
        if observed is None or observed.fields.outcome is not None:
            return  # not started here (a Received built by hand), or ended already
        fields = observed.fields
        fields.handler = handler
        fields.outcome = outcome
        self._end(observed, status, time.perf_counter())

    def _end(self, observed: Observed, status: int, now: float) -> None:
        observed.status = status
        observed.duration = now - observed.started
        fields = observed.fields
        for observer in self.observers:
            observer.end(observed)
        if logger.isEnabledFor(logging.INFO):
            duration_ms = round(observed.duration * 1000, 3)
            logger.info(
                "%s %s: %d in %.1f ms",
                fields.kind or "webhook",
                fields.outcome,
                status,
                duration_ms,
                extra={"status": status, "duration_ms": duration_ms},
            )
        leave(fields)


#: No observer but the log fields and line.
NO_OBSERVERS = Observers()
