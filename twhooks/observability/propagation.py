"""The trace context of a webhook, carried into the work it starts elsewhere (a background
job): :func:`inject` writes the current one into a plain dict, :func:`extract` reads it back.

The carrier is W3C Trace Context (``traceparent``, and ``tracestate`` when there is one), the
format of HTTP headers: a ``dict[str, str]`` that fits in a job's JSON. On the side that sends
the job, while the webhook's span is current::

    job = Job(..., carrier=inject())

and on the side that runs it::

    with tracer.start_as_current_span(f"twhooks job {job.kind}", context=extract(job.carrier)):
        ...  # a span in the webhook's trace, a child of its span

Both cost a dictionary lookup and nothing else when no span can be current: when
``opentelemetry-api`` is not installed, or installed and never imported (tracing off), they
return ``{}`` and ``None`` without importing it. Always the W3C format, whatever global
propagator the app set: twhooks writes the carrier and twhooks reads it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["extract", "inject"]

#: The keys of a carrier (W3C Trace Context).
KEYS = ("traceparent", "tracestate")

_propagator: Any = None


def _w3c() -> Any:
    """The W3C Trace Context propagator of ``opentelemetry-api`` (made once)."""
    global _propagator
    if _propagator is None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        _propagator = TraceContextTextMapPropagator()
    return _propagator


def inject(carrier: dict[str, str] | None = None) -> dict[str, str]:
    """The current trace context as W3C Trace Context entries: *carrier* (a new dict by
    default) with ``traceparent`` (and ``tracestate``) added; nothing added when no span is
    current (or ``opentelemetry-api`` was never imported: then none can be).
    """
    out: dict[str, str] = {} if carrier is None else carrier
    if "opentelemetry.context" in sys.modules:  # else nothing imported it: no span started
        _w3c().inject(out)
    return out


def extract(carrier: Mapping[str, str] | None) -> Any:
    """The OpenTelemetry ``Context`` that *carrier* (from :func:`inject`) holds, for the
    ``context=`` of ``start_span``/``start_as_current_span``: spans started in it are
    children of the span that was current at :func:`inject`.

    :returns: ``None`` when *carrier* holds no trace context (empty, malformed, or
        ``opentelemetry-api`` not installed); a span started with ``context=None`` is a
        child of the current span, or a root.
    """
    if not carrier or "traceparent" not in carrier:
        return None
    try:
        propagator = _w3c()
    except ModuleNotFoundError:
        return None  # a job traced by a process with opentelemetry-api, run by one without
    from opentelemetry import trace

    context = propagator.extract({key: str(carrier[key]) for key in KEYS if key in carrier})
    if not trace.get_current_span(context).get_span_context().is_valid:
        return None  # a traceparent that is not one
    return context
