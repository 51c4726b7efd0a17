"""Running one background job, exactly once: what a worker (a thread of the thread runner,
an RQ or Celery worker) calls for each :class:`~twhooks.background.jobs.Job`.

:func:`run_job` needs the app's context (the thread runner pushes it; a worker that imports
the app calls :func:`run_in_app`). It

1. **claims** ``job:<id>`` in the app's store — the claim of :mod:`twhooks.store.replays`,
   with a lease renewed while the handler runs (:mod:`twhooks.store.renewal`). A job already
   done is skipped; one that another worker runs is waited for (then skipped, or taken over
   if that worker died and its lease ran out);
2. rebuilds the typed event from the job's parameters and runs the handler (an ``async
   def`` one on an event loop of its own), inside a span ``twhooks job <kind>`` in the
   webhook's trace when tracing is on;
3. sends a message handler's reply through ``hooks.send`` (Twilio's Messages resource),
   each message under the idempotency key ``<job id>:reply:<n>``;
4. **finishes** the claim: kept as done for ``TWHOOKS_JOB_TTL`` seconds when the handler and
   its replies succeeded; released when they failed, so that a retry of the job (RQ's,
   Celery's, a re-run) runs it again. A failed job is kept in the dead-letter list with its
   traceback, and the error is raised again for the queue to see.

What "exactly once" means: a job that *finished* never runs again (within
``TWHOOKS_JOB_TTL``), however often the webhook or the job is retried, and never runs in two
workers at once. A handler that raised, or whose worker died, did not finish: its job runs
again when it is retried — its handler may have done part of its work, so keep what it does
idempotent (the replies are: each is sent at most once).

No web framework here: the adapters' ``_job_work`` push the context.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import traceback
import uuid
from contextlib import nullcontext
from typing import Any
from urllib.parse import urlsplit

from ..exceptions import ConfigurationError, HandlerError, TwilioApiError
from ..kinds import KINDS
from ..observability import logfields
from ..observability.logfields import WebhookFields, new_request_id
from ..replies import Reply
from ..store.dead_letters import failure_key
from ..store.polling import PENDING, Pending, poll
from ..store.records import FailedWebhook, HistoryRecord
from ..store.renewal import renewals
from .jobs import Job

__all__ = ["hooks_for", "job_key", "replies_of", "run_in_app", "run_job"]

logger = logging.getLogger("twhooks.background")

#: What a finished job's claim keeps.
DONE = Reply(200, [], b"done")
#: How long a job waits for another worker that runs the same job, in seconds.
WAIT_FOR_OTHER = 60.0
#: Twilio's error code of a message to a recipient who opted out.
OPTED_OUT = 21610
#: How much of a traceback a failed job keeps, in characters (its end).
TRACEBACK_LIMIT = 8000


def job_key(job: Job) -> str:
    """The key a job's claim takes in the store."""
    return f"job:{job.id}"


def hooks_for(app: Any) -> Any:
    """The twhooks extension of a Flask or Quart *app* (``app.extensions["twhooks"]``), for
    workers that import the user's app.

    :raises ConfigurationError: the app was not initialised with ``TwilioHooks``.
    """
    state = getattr(app, "extensions", {}).get("twhooks")
    if state is None:
        raise ConfigurationError(
            f"{app!r} was not initialised with twhooks' TwilioHooks: a worker needs the app "
            "whose handlers queued the job"
        )
    return state.hooks


def run_in_app(app: Any, job: Job | str) -> str:
    """Run *job* (or its JSON) in *app*'s context: what a queue's worker calls.

    :returns: ``"done"`` or ``"skipped"`` (see :func:`run_job`).
    """
    if isinstance(job, str):
        job = Job.from_json(job)
    work = hooks_for(app)._job_work(app)
    result: str = work(job)
    return result


def run_job(hooks: Any, job: Job) -> str:
    """Run *job*'s handler once: see the module. The app's context is the caller's, or, when
    none is pushed, that of the one app *hooks* was initialised with.

    :returns: ``"done"`` when the handler ran now, ``"skipped"`` when the job had finished
        already (a duplicate, a retry).
    :raises Exception: what the handler (or sending its reply) raised; the job is kept in
        the dead-letter list, and runs again when retried.
    """
    app = hooks._job_app()
    if app is not None:  # no app context: run in the app's (which calls this again)
        done: str = hooks._job_work(app)(job)
        return done
    params = dict(job.params)
    fields = WebhookFields(
        job.kind,
        new_request_id(),
        job.account_sid,
        params.get("MessageSid") or params.get("SmsSid"),
        params.get("CallSid"),
    )
    fields.handler = job.handler
    logfields.enter(fields)  # the job's log lines carry its webhook's kind and SIDs
    try:
        return _run(hooks, job)
    finally:
        logfields.leave(fields)


def _run(hooks: Any, job: Job) -> str:
    state = hooks._state()
    store = state.facades.store
    settings = state.settings
    lease = settings.replay_lease
    key, owner = job_key(job), f"{uuid.uuid4().hex[:16]}.job"
    claimed = _claim(store, key, owner, lease)
    if claimed is not None:
        logger.info("job %s (%s) finished already; skipped", job.id, job.handler)
        return "skipped"
    renewal = renewals.hold(store, key, owner, lease)
    history = state.facades.history
    started = time.perf_counter()
    _record(history, job, "running", 102)
    try:
        with _span(settings, job):
            handler = hooks.background_handler(job.handler)
            event = _event(hooks, handler, job)
            result = _call(handler, event)
            if job.kind == "message":
                _send_replies(hooks, job, result)
    except BaseException as error:
        renewals.drop(renewal)
        _finish(store, key, owner, None, lease)
        _failed(history, job, error, time.perf_counter() - started)
        raise
    renewals.drop(renewal)
    _finish(store, key, owner, DONE, settings.background.job_ttl)
    _record(history, job, "done", 200, time.perf_counter() - started, failure=_failure_key(job))
    return "done"


# -- the claim ------------------------------------------------------------------------------


def _claim(store: Any, key: str, owner: str, lease: float) -> Reply | None:
    """Claim *key*: ``None`` when this worker runs the job, the stored mark when it is done.
    Another worker's live claim is waited for (its lease ends soon after it died)."""

    def attempt() -> Reply | Pending | None:
        got = store.claim(key, owner, lease)
        if got is True:
            return None
        if got is False:
            return PENDING
        assert isinstance(got, Reply)
        return got

    got = attempt()
    if isinstance(got, Pending):
        got = poll(attempt, WAIT_FOR_OTHER)
    if isinstance(got, Pending):
        raise RuntimeError(
            f"job {key} still runs in another worker after {WAIT_FOR_OTHER:.0f} s; retry it later"
        )
    return got


def _finish(store: Any, key: str, owner: str, reply: Reply | None, ttl: float) -> None:
    try:
        store.finish(key, owner, reply, ttl)
    except Exception as error:  # the claim then ends with its lease
        logger.error(
            "job %s: its claim could not be ended: %s: %s", key, type(error).__name__, error
        )


# -- the handler ----------------------------------------------------------------------------


def _event(hooks: Any, handler: Any, job: Job) -> Any:
    """The typed event of *job*, as the webhook's handler would have had it."""
    kind = KINDS.get(job.kind)
    if kind is None:
        raise HandlerError(f"job {job.id}: no webhook kind {job.kind!r}")
    extra: dict[str, Any] = {}
    if kind.routing == "message":
        extra["match"] = _match(hooks, handler, dict(job.params).get("Body", ""))
        extra["conversation"] = None
    event_class: Any = kind.event
    return event_class.from_params(job.params, idempotency_token=None, **extra)


def _match(hooks: Any, handler: Any, body: str) -> Any:
    """The pattern match of *handler*'s ``@hooks.message(pattern=...)`` in *body*."""
    for route in hooks.messages.routes:
        if route.handler is handler and route.pattern is not None:
            return route.pattern.search(body)
    return None


def _call(handler: Any, event: Any) -> Any:
    """Call a plain *handler*; run an ``async def`` one on an event loop of its own."""
    if inspect.iscoroutinefunction(handler):
        return asyncio.run(handler(event))
    result = handler(event)
    if inspect.isawaitable(result):
        return asyncio.run(_awaited(result))
    return result


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


# -- the replies ----------------------------------------------------------------------------


def replies_of(result: Any) -> list[tuple[str | None, list[str]]]:
    """The messages a background message handler's *result* sends: ``(body, media URLs)``
    for a ``str``, a ``<Message>``, or each ``<Message>`` of a ``MessagingResponse``;
    none for ``None``.

    :raises HandlerError: *result* is none of these.
    """
    from ..twiml import MessagingResponse
    from ..twiml.messaging import Message

    if result is None:
        return []
    if isinstance(result, str):
        return [(result, [])] if result else []
    if isinstance(result, Message):
        return [_message(result)]
    if isinstance(result, MessagingResponse):
        found = []
        for child in result.children:
            if not isinstance(child, Message):
                raise HandlerError(
                    f"a background message handler's MessagingResponse holds <{child.tag}>: "
                    "only <Message> can be sent through the REST API"
                )
            found.append(_message(child))
        return found
    raise HandlerError(
        "a background message handler returns a str, a Message, a MessagingResponse or None, "
        f"not {type(result).__name__}"
    )


def _message(message: Any) -> tuple[str | None, list[str]]:
    body = message.text or None
    media = []
    for child in message.children:
        if child.tag == "Body":
            body = (body or "") + (child.text or "")
        elif child.tag == "Media" and child.text:
            media.append(child.text)
    return body, media


def _send_replies(hooks: Any, job: Job, result: Any) -> None:
    """Send *result* from the webhook's ``To`` to its ``From``, each message at most once
    across retries of the job (its idempotency key)."""
    params = dict(job.params)
    for n, (body, media) in enumerate(replies_of(result)):
        try:
            hooks.send(
                to=params.get("From", ""),
                from_=params.get("To") or None,
                body=body,
                media_url=media or None,
                key=f"{job.id}:reply:{n}",
            )
        except TwilioApiError as error:
            if error.code != OPTED_OUT:
                raise
            # Recorded in hooks.opt_outs by hooks.send; sending again would not help.
            logger.warning(
                "job %s: reply %d not sent: the recipient opted out (error 21610)", job.id, n
            )


# -- seeing it ------------------------------------------------------------------------------


def _span(settings: Any, job: Job) -> Any:
    """The job's span, in the webhook's trace (when tracing is on)."""
    if not settings.observability.tracing:
        return nullcontext()
    from .tracing import job_span

    return job_span(settings.observability.tracer_provider, job)


def _origin(job: Job) -> tuple[str, str, str, str, bytes]:
    """The webhook's method, path, query, content type and body."""
    origin = job.origin
    method = origin.get("method", "POST")
    path = origin.get("path") or urlsplit(job.url).path
    query = origin.get("query", "")
    return (
        method,
        path,
        query,
        origin.get("content_type", ""),
        origin.get("body", "").encode("utf-8", "surrogateescape"),
    )


def _failure_key(job: Job) -> str:
    """The webhook's key in the dead-letter list: a re-run of it (or its retry) takes the
    failed job off the list."""
    method, path, query, _, body = _origin(job)
    return failure_key(method, path, query, body)


def _record(
    history: Any,
    job: Job,
    state: str,
    status: int,
    duration: float = 0.0,
    *,
    reply: str = "",
    failure: str | None = None,
) -> None:
    """Add the job's *state* to the webhook history (never fails the job)."""
    if history is None:
        return
    record = HistoryRecord(
        kind=job.kind,
        method="JOB",
        url=job.url,
        params=dict(job.params),
        verified=True,
        verdict="valid",
        status=status,
        handler=job.handler.rpartition(":")[2],
        why=f"job {state}",
        reply=reply,
        duration=duration,
        token=job.id,
        at=time.time(),
        failure_key=failure,
    )
    try:
        history.queue(record)
    except Exception as error:
        logger.error("job %s: its state %r could not be recorded: %s", job.id, state, error)


def _failed(history: Any, job: Job, error: BaseException, duration: float) -> None:
    """Log a failed job, record it and keep it in the dead-letter list."""
    line = f"{type(error).__name__}: {error}"[:500]
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    text = text[-TRACEBACK_LIMIT:]
    logger.error("job %s (%s) failed: %s", job.id, job.handler, line, exc_info=error)
    _record(history, job, "failed", 500, duration, reply=text)
    if history is None or not history.keeps_failed:
        return
    method, path, query, content_type, body = _origin(job)
    now = time.time()
    try:
        history.add_failed(
            FailedWebhook(
                key=failure_key(method, path, query, body),
                kind=job.kind,
                method=method,
                url=job.url,
                path=path + (f"?{query}" if query else ""),
                content_type=content_type,
                body=body.decode("utf-8", "surrogateescape"),
                params=dict(job.params),
                token=None,
                handler=job.handler.rpartition(":")[2],
                error=f"job {job.id}: {line}",
                traceback=text,
                at=job.queued_at or now,
                last_at=now,
            )
        )
    except Exception as failed:
        logger.error("job %s could not be kept in the dead-letter list: %s", job.id, failed)
