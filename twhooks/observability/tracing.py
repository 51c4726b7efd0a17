"""One OpenTelemetry span per webhook, and one per store call.

The span of a webhook is named ``twhooks <kind>`` (``twhooks refused`` for a request that a
signature middleware refused at a path of no twhooks route); it is a child of the span
current when the request is received — the framework's HTTP span when the app is
instrumented (a WSGI/ASGI middleware such as ``OpenTelemetryMiddleware``), else a root. Its
attributes:

=========================  ==========================================================
``twhooks.kind``           the webhook's kind (``message``, ``call_status``, ...)
``twhooks.outcome``        ``handled``, ``replayed``, ``refused``, ``failed``, ``busy``
``twhooks.handler``        the handler that ran, if one did
``twhooks.request_id``     the request id of its log records
``twilio.account_sid``     ``AccountSid``
``twilio.message_sid``     ``MessageSid``, where the webhook has one
``twilio.call_sid``        ``CallSid``, where the webhook has one
``http.response.status_code``  the status answered
=========================  ==========================================================

While the webhook is handled, its span is the current one (in the thread that received it):
spans the handler starts — a REST call through an instrumented HTTP client, the app's own —
are its children, and so are the store's calls (``twhooks.store <operation>``). A failed
webhook's span has the status ``ERROR``.

Only ``opentelemetry-api`` is imported (the app picks its SDK and exporter), and only when
tracing is on (``TWHOOKS_TRACING``).

The webhook's trace continues in the work it hands off (a background job) through a carrier:
:func:`inject` the current context into a ``dict`` where the webhook is handled,
:func:`extract` it where the work runs (:mod:`twhooks.observability.propagation`, which
imports nothing: a job's code may call them whether tracing is on or not).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from opentelemetry import context, trace

from .propagation import extract as extract
from .propagation import inject as inject
from .webhooks import Observed

__all__ = ["Tracing", "extract", "inject"]

R = TypeVar("R")

#: Whether the store call under way is traced (``None``: none is), decided by its first
#: watcher (:meth:`Tracing.store_call`).
_store_traced: ContextVar[bool | None] = ContextVar("twhooks_store_traced", default=None)


class Tracing:
    """The webhook spans of an app.

    :param provider: the tracer provider (the global one by default: the spans go where
        ``trace.set_tracer_provider`` says, even when that is set after ``init_app``).
    """

    def __init__(self, provider: Any = None) -> None:
        from .. import __version__

        self.provider = provider
        self.tracer = trace.get_tracer("twhooks", __version__, tracer_provider=provider)

    # One watcher of the store per provider, however many apps share it.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tracing) and other.provider is self.provider

    def __hash__(self) -> int:
        return id(self.provider)

    def start(self, observed: Observed) -> None:
        fields = observed.fields
        attributes: dict[str, str] = {"twhooks.request_id": fields.request_id}
        if fields.kind:
            attributes["twhooks.kind"] = fields.kind
        if fields.account_sid:
            attributes["twilio.account_sid"] = fields.account_sid
        if fields.message_sid:
            attributes["twilio.message_sid"] = fields.message_sid
        if fields.call_sid:
            attributes["twilio.call_sid"] = fields.call_sid
        span = self.tracer.start_span(
            # A refusal at a path of no twhooks route (a middleware's) has no kind.
            f"twhooks {fields.kind or fields.outcome or 'webhook'}",
            kind=trace.SpanKind.INTERNAL,
            attributes=attributes,
            start_time=int(observed.at * 1e9),
        )
        if not span.is_recording() and not span.get_span_context().is_valid:
            # No SDK (the API's no-op tracer): nothing to record, and nothing to make
            # current — the span current before (an instrumented framework's) stays the
            # parent of the handler's spans, and the store's calls are not traced.
            observed.handles[id(self)] = None
            return
        token = context.attach(trace.set_span_in_context(span))
        observed.handles[id(self)] = (span, token, threading.get_ident())

    def refused(self, observed: Observed, reason: str) -> None:
        handle = observed.handles[id(self)]
        if handle is not None:
            handle[0].set_attribute("twhooks.refusal", reason)

    def end(self, observed: Observed) -> None:
        handle = observed.handles.pop(id(self))
        if handle is None:  # a no-op span (start)
            return
        span, token, thread = handle
        fields = observed.fields
        span.set_attribute("twhooks.outcome", fields.outcome or "")
        span.set_attribute("http.response.status_code", observed.status)
        if fields.handler:
            span.set_attribute("twhooks.handler", fields.handler)
        if fields.outcome == "failed":
            span.set_status(trace.Status(trace.StatusCode.ERROR))
        span.end()
        # Detached where it was attached (in its thread), if still current: the framework's
        # instrumentation may have ended its own HTTP span, and restored the context from
        # before both, already. Ended in another thread (an event loop's worker thread), the
        # span stays current in the request's task, which ends with it.
        if thread == threading.get_ident() and trace.get_current_span() is span:
            context.detach(token)

    # -- the store ----------------------------------------------------------------------------

    def store_call(self, operation: str, function: Callable[[], R]) -> R:
        # Traced as a child of a recording span (a webhook's, or one of the app's): under a
        # span that records nothing (no SDK, or one its sampler dropped), and in the store's
        # own threads (the history batches, the upkeep, the renewals), a span would cost
        # some 15 µs a call and record nothing a trace shows. Decided once per call, by the
        # span current before the first watcher's: a watcher of another provider (another
        # app's) makes its own span current around this one's.
        traced = _store_traced.get()
        if traced is None:
            token = _store_traced.set(trace.get_current_span().is_recording())
            try:
                return self.store_call(operation, function)
            finally:
                _store_traced.reset(token)
        if not traced:
            return function()
        with self.tracer.start_as_current_span(
            f"twhooks.store {operation}",
            kind=trace.SpanKind.CLIENT,
            attributes={"twhooks.store.operation": operation},
        ):
            return function()

    def store_error(self, operation: str) -> None:
        pass

    def lock_wait(self, seconds: float) -> None:
        pass
