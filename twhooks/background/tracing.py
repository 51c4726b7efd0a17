"""A background job's span, in the trace of the webhook that queued it.

When the webhook is answered, its span's W3C trace context is written into the job
(:func:`carrier`); the worker that runs the job starts the span ``twhooks job <kind>`` as
its child (:func:`job_span`), so the webhook and its job are one trace, whichever process
or host runs the job. Imported only when tracing is on (it imports ``opentelemetry-api``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace

from .jobs import Job

__all__ = ["carrier", "job_span"]


def carrier() -> dict[str, str]:
    """The current span's trace context (``traceparent``, ``tracestate``)."""
    found: dict[str, str] = {}
    propagate.inject(found)
    return found


@contextmanager
def job_span(provider: Any, job: Job) -> Iterator[Any]:
    """The span of *job*, current while it runs; ``ERROR`` when the handler raised."""
    from .. import __version__

    tracer = trace.get_tracer("twhooks", __version__, tracer_provider=provider)
    attributes = {"twhooks.kind": job.kind, "twhooks.handler": job.handler, "twhooks.job": job.id}
    params = dict(job.params)
    for name, attribute in (
        ("AccountSid", "twilio.account_sid"),
        ("MessageSid", "twilio.message_sid"),
        ("CallSid", "twilio.call_sid"),
    ):
        if params.get(name):
            attributes[attribute] = params[name]
    with tracer.start_as_current_span(
        f"twhooks job {job.kind}",
        context=propagate.extract(job.carrier),
        kind=trace.SpanKind.CONSUMER,
        attributes=attributes,
    ) as span:
        yield span
