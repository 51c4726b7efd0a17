"""The Event Streams step: one request, many events, each handled once.

An Event Streams sink gets a JSON array of CloudEvents and Twilio retries the *whole*
request when the answer is a 429 or a 5xx, for up to four hours (any other 4xx discards
it). So each event is handled on its own:

- an entry that is not a CloudEvent is logged and skipped (retrying would not mend it);
- an event whose ``id`` was handled before — by this request's earlier copy, or by another
  worker — is skipped: each ``id`` is claimed in the replay store (the one atomic claim of
  :mod:`twhooks.store.replays`), kept for :data:`EVENT_ID_TTL` once handled;
- its handler is the first ``@hooks.event_stream`` glob matching its ``type``; a message or
  call status event is handled like the status callback it stands for
  (:mod:`~twhooks.dispatch.stream_status`): under the lock of its message or call, shared
  with the status callbacks, so that the handlers of one message never overlap across
  workers; a late or duplicate status runs no handler (unless ``include_stale=True``); its
  status is recorded in ``hooks.deliveries`` or ``hooks.calls`` once its handler returned;
- a handler that raises is logged with the event's ``id`` and ``type``, its claim ends
  marked as failed, the event joins the dead-letter list on its own
  (:mod:`~twhooks.dispatch.stream_letters`), and the others go on; the answer is then a
  ``500`` so that Twilio sends the batch again: the events handled already are skipped by
  their ``id``, the failed one runs again — and, once it succeeds, leaves the list.

A failed event's claim is not given back but ended with a failure mark (:data:`FAILED`): the
next copy of the event claims ``cloudevent:<id>:1`` (then ``:2``…) instead, and so knows the
event failed before — the only case where its success takes a dead letter off the list, at
no cost to the events that never failed.

:func:`begin_batch` builds what the dispatcher runs: a plain function, or a coroutine
function when an ``async def`` handler is registered (store calls then go to a worker
thread, and a busy message's lock is waited for on the event loop). No web framework here.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from inspect import iscoroutinefunction
from typing import Any

from ..cloudevents import CloudEvent, EventBatch, parse_batch
from ..events import Params
from ..handlers import Handlers
from ..kinds import Kind
from ..policies import Policies
from ..replies import Reply
from ..store.errors import LockTimeout
from ..store.history import History
from ..store.polling import Pending, poll_async
from ..store.renewal import renewals
from ..store.replays import ReplayStore
from .received import Received
from .route import Begun, name_of
from .stream_letters import event_letter, letter_key
from .stream_status import StatusStep, begin_status, busy_key, end_status

__all__ = ["EVENT_ID_TTL", "FAILED", "HISTORY_BATCH_LIMIT", "begin_batch", "history_params"]

logger = logging.getLogger("twhooks.dispatch")

#: How long a handled event's ``id`` is remembered, in seconds: Event Streams retries for
#: up to four hours; an hour more for its backoff's jitter.
EVENT_ID_TTL = 5 * 3600.0

_DONE = Reply(204, [], b"")
#: What ends the claim of an event whose handler failed: its next copy claims the next key.
FAILED = Reply(500, [], b"twhooks: this event failed")
#: How many times one event is run again at most (then its copies are skipped, logged).
_GENERATIONS = 1000

#: The largest batch kept whole in the webhook history (for the inspector's replay).
HISTORY_BATCH_LIMIT = 64 * 1024


def history_params(events: list[CloudEvent], bad: int, body: bytes) -> Params:
    """What the webhook history keeps of a batch: ``Body``, a line naming its events (the
    inspector's list shows it), and ``Batch``, the JSON as received when it is at most
    :data:`HISTORY_BATCH_LIMIT` bytes (the inspector replays it)."""
    types = Counter(event.type for event in events)
    named = ", ".join(f"{t} ({n})" if n > 1 else t for t, n in types.most_common())
    summary = f"{len(events) + bad} events: {named or '-'}" + (
        f"; {bad} not CloudEvents" if bad else ""
    )
    pairs = [("Body", summary)]
    if len(body) <= HISTORY_BATCH_LIMIT:
        pairs.append(("Batch", body.decode("utf-8", "replace")))
    return Params(pairs)


def begin_batch(
    handlers: Handlers,
    policies: Policies,
    replays: ReplayStore | None,
    received: Received,
    kind: Kind,
    lease: float,
    lock_wait: float,
) -> Begun | Reply:
    """What runs for an Event Streams request: the batch and the function that handles it;
    a ``400`` when the body is not a JSON array of events (logged).

    :param lock_wait: how long an event waits for the lock of its message or call.
    """
    request = received.request
    try:
        events, bad = parse_batch(received.verified.body)
    except ValueError as error:
        logger.warning("%s %s: %s; answering 400", request.method, request.path, error)
        received.why = str(error)
        return Reply.text(400, f"Bad request: {error}")
    for entry in bad:
        logger.warning(
            "%s: entry %d of the batch (id %s) is not a CloudEvent: %s; skipped",
            request.path,
            entry.index,
            entry.id or "?",
            entry.reason,
        )
    batch = EventBatch(events, bad)
    received.params = history_params(events, len(bad), received.verified.body)
    run = _Batch(handlers, policies, replays, received, lease, lock_wait)
    asynchronous = any(map(iscoroutinefunction, handlers.event_streams.handlers()))
    handler: Callable[[EventBatch], Any] = run.run_async if asynchronous else run.run
    received.handler = "event_stream"
    # Its success settles a dead letter of its own (a re-run of one event); its failures
    # are kept event by event, not as this request.
    received.settles = received.per_event = True
    return Begun(kind, handler, batch, None)


@dataclass(frozen=True, slots=True)
class _Claim:
    """An event's claim: its key and owner, and whether the event failed before."""

    key: str
    owner: str
    failed_before: bool
    #: Its renewal while the event runs (a wait for its message's lock may be long).
    renewal: int | None = None


class _Batch:
    """The handling of one batch: the steps of each event, and the answer."""

    def __init__(
        self,
        handlers: Handlers,
        policies: Policies,
        replays: ReplayStore | None,
        received: Received,
        lease: float,
        lock_wait: float,
    ) -> None:
        self.handlers = handlers
        self.router = handlers.event_streams
        self.policies = policies
        self.replays = replays
        self.received = received
        self.lease = lease
        self.lock_wait = lock_wait
        facades = policies.facades
        self.history: History | None = facades.history if facades is not None else None
        self.handled = self.skipped = 0
        self.failed: list[CloudEvent] = []

    # -- the two drivers: they differ only by await ----------------------------------------

    def run(self, batch: EventBatch) -> Reply:
        for event in batch.events:
            claim = self._claim(event)
            if claim is None:
                continue
            step = StatusStep(event)
            try:  # a store that fails to record the event fails this event alone
                found = self._before(event, lock_now=False)
                assert not isinstance(found, Pending)  # waited for, never tried once
                step = found
                if step.handler is not None:
                    step.handler(step.event)
                end_status(self.policies, step)
            except Exception as error:
                self._failed(step, claim, error)
            except BaseException:
                self._abandon(step, claim)
                raise
            else:
                self._done(event, claim)
        return self._answer(batch)

    async def run_async(self, batch: EventBatch) -> Reply:
        for event in batch.events:
            claim = await asyncio.to_thread(self._claim, event)
            if claim is None:
                continue
            step = StatusStep(event)
            try:
                step = await self._before_async(event)
                if step.handler is not None:
                    result = (
                        step.handler(step.event)
                        if iscoroutinefunction(step.handler)
                        else await asyncio.to_thread(step.handler, step.event)
                    )
                    if asyncio.iscoroutine(result):
                        await result
                await asyncio.to_thread(end_status, self.policies, step)
            except Exception as error:
                await asyncio.to_thread(self._failed, step, claim, error)
            except BaseException:  # cancelled: what it holds ends with its lease
                self._abandon(step, claim)
                raise
            else:
                await asyncio.to_thread(self._done, event, claim)
        return self._answer(batch)

    async def _before_async(self, event: CloudEvent) -> StatusStep:
        """:meth:`_before`, waiting for a busy message's lock on the event loop."""

        def attempt() -> Any:
            return asyncio.to_thread(self._before, event, True)

        step: StatusStep | Pending = await poll_async(attempt, self.lock_wait)
        if isinstance(step, Pending):
            raise LockTimeout(busy_key(event), self.lock_wait)
        return step

    # -- the steps, which never await ------------------------------------------------------

    def _claim(self, event: CloudEvent) -> _Claim | None:
        """Claim *event*'s id, or ``None`` when it was handled already or is being handled
        by another request (skipped). A claim ended as :data:`FAILED` sends it to the next
        key: ``cloudevent:<id>:<n>``."""
        base, owner = f"cloudevent:{event.id}", uuid.uuid4().hex
        if self.replays is None:
            return _Claim(base, owner, False)
        for generation in range(_GENERATIONS):
            key = f"{base}:{generation}" if generation else base
            got = self.replays.claim(key, owner, self.lease)
            if got is True:
                renewal = renewals.hold(self.replays, key, owner, self.lease)
                return _Claim(key, owner, generation > 0, renewal)
            if got is False or got.status < 500:
                break
        else:
            got = False
            logger.error(
                "event %s (%s) failed %d times; skipped", event.id, event.type, _GENERATIONS
            )
        logger.info(
            "event %s (%s) %s; skipped",
            event.id,
            event.type,
            "is being handled by another request" if got is False else "was handled before",
        )
        self.skipped += 1
        return None

    def _before(self, event: CloudEvent, lock_now: bool) -> StatusStep | Pending:
        """What runs for *event*: its handler, and for a status event the lock of its
        message or call (:func:`~twhooks.dispatch.stream_status.begin_status`; tried once
        with *lock_now*: :data:`PENDING` while another request holds it).

        :raises LockTimeout: the lock stayed busy for the whole wait (not *lock_now*).
        """
        handler = self.router.match(event.type)
        if handler is None:
            logger.info(
                "no @hooks.event_stream handler for type %r (event %s); add "
                "@hooks.event_stream() to handle every one",
                event.type,
                event.id,
            )
        return begin_status(self.policies, self.handlers.include_stale, event, handler, lock_now)

    def _done(self, event: CloudEvent, claim: _Claim) -> None:
        self.handled += 1
        renewals.drop(claim.renewal)
        if self.replays is not None:
            self.replays.finish(claim.key, claim.owner, _DONE, EVENT_ID_TTL)
        if claim.failed_before and self.history is not None and self.history.keeps_failed:
            try:  # its dead letter, if kept, is done with (never the request's failure)
                self.history.forget_failed(letter_key(self.received, event))
            except Exception:
                logger.exception("event %s succeeded, but its dead letter stays", event.id)

    def _failed(self, step: StatusStep, claim: _Claim, error: Exception) -> None:
        event = step.event
        if step.handler is not None:
            where = name_of(step.handler)
        elif isinstance(error, LockTimeout):
            where = "waiting for its message or call (busy)"
        else:
            where = "recording it in the store"
        logger.error(
            "event %s (%s) failed in %s: %s: %s; the batch is answered 500 so that Twilio "
            "sends it again (the events handled already are skipped by their id)",
            event.id,
            event.type,
            where,
            type(error).__name__,
            error,
            exc_info=error,
        )
        step.release()  # its status is not recorded: its next copy runs the handler again
        self.failed.append(event)
        renewals.drop(claim.renewal)
        if self.replays is not None:
            self.replays.finish(claim.key, claim.owner, FAILED, EVENT_ID_TTL)
        if self.history is not None and self.history.keeps_failed:
            try:
                self.history.add_failed(event_letter(self.received, event, where, error))
            except Exception:
                logger.exception("event %s could not be kept in the dead-letter list", event.id)

    @staticmethod
    def _abandon(step: StatusStep, claim: _Claim) -> None:
        """Give back what an interrupted event holds: its claim ends with its lease (no
        longer renewed), its message's lock now (once, however it goes)."""
        renewals.drop(claim.renewal)
        try:
            step.release()
        except Exception:
            logger.exception("event %s: its message's lock ends with its lease", step.event.id)

    def _answer(self, batch: EventBatch) -> Reply:
        total = len(batch.events) + len(batch.bad)
        parts = [f"{self.handled} handled"]
        if self.skipped:
            parts.append(f"{self.skipped} duplicate")
        if batch.bad:
            parts.append(f"{len(batch.bad)} not CloudEvents")
        if self.failed:
            parts.append(f"{len(self.failed)} failed: " + ", ".join(e.id for e in self.failed))
        self.received.why = f"{total} events: " + "; ".join(parts)
        if self.failed:
            return Reply.text(500, f"{len(self.failed)} of {total} events failed; send again")
        return Reply.empty()
