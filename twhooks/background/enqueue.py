"""The dispatcher's part in background handlers: the webhook's job built and handed to the
runner, and the answer Twilio gets at once.

A background handler's webhook goes through the request path as any other — verified,
claimed, its policies applied (a blocked number, an opt-out keyword, a late status callback
are answered as ever, with no job) — and, where the handler would run, its job is submitted
instead: the answer is an empty ``<Response/>`` for a message, ``204`` for a callback. A
status callback is recorded now, when its job is queued (so ``hooks.deliveries`` and the
ordering of later callbacks do not wait for the job). A runner that cannot take the job
makes the answer ``503``, logged, and the webhook a dead letter (to re-run); Twilio tries
the fallback URL, or retries with ``#rp=5xx``. No web framework here.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from ..exceptions import RunnerUnavailable
from ..handlers import background_name
from ..replies import Reply
from .jobs import Job, job_id
from .runner import Runner

__all__ = ["build_job", "submit"]

logger = logging.getLogger("twhooks.background")


def build_job(begun: Any, *, tracing: bool) -> Job:
    """The job of *begun* (a :class:`~twhooks.dispatch.route.Begun` whose handler is a
    background one), with the current span's trace context when *tracing*."""
    received = begun.received
    request = received.request
    params = tuple(received.verified.params)
    handler = background_name(begun.handler)
    carrier: dict[str, str] = {}
    if tracing:
        from .tracing import carrier as trace_carrier

        carrier = trace_carrier()
    return Job(
        id=job_id(begun.kind.name, handler, params),
        kind=begun.kind.name,
        handler=handler,
        url=received.verified.url,
        params=params,
        account_sid=received.params.get("AccountSid"),
        carrier=carrier,
        queued_at=time.time(),
        origin={
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "content_type": request.headers.get("content-type", ""),
            "body": received.verified.body.decode("utf-8", "surrogateescape"),
        },
    )


def submit(runner: Runner | None, begun: Any, *, tracing: bool) -> Job | Reply:
    """Hand *begun*'s job to *runner*: the job, or the ``503`` when it cannot be queued
    (logged, with the reason in the webhook's history)."""
    received = begun.received
    job = build_job(begun, tracing=tracing)
    try:
        if runner is None:
            raise RunnerUnavailable(
                "missing", "this dispatcher has no runner (set one: dispatcher.runner)"
            )
        runner.submit(job)
    except Exception as error:
        logger.error(
            "%s %s: the job of background handler %s could not be queued (%s: %s); "
            "answering 503 (kept in the dead-letter list, to re-run)",
            received.request.method,
            received.request.path,
            job.handler,
            type(error).__name__,
            error,
        )
        received.why = f"job not queued: {type(error).__name__}"
        received.error = f"{type(error).__name__}: {error}"[:500]
        return Reply.text(503, "Service unavailable: the job queue cannot take the webhook")
    received.why = f"{received.why or 'handler'}; job queued ({runner.name})"
    return job
