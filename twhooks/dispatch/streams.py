"""The Event Streams step: one request, many events, each handled once.

An Event Streams sink gets a JSON array of CloudEvents and Twilio retries the *whole*
request when the answer is a 429 or a 5xx, for up to four hours (any other 4xx discards
it). So each event is handled on its own:

- an entry that is not a CloudEvent is logged and skipped (retrying would not mend it);
- an event whose ``id`` was handled before — by this request's earlier copy, or by another
  worker — is skipped: each ``id`` is claimed in the replay store (the one atomic claim of
  :mod:`twhooks.store.replays`), kept for :data:`EVENT_ID_TTL` once handled;
- a message or call status event is recorded in ``hooks.deliveries`` or ``hooks.calls``,
  like the status callback it stands for, then its handler runs (the first
  ``@hooks.event_stream`` glob matching its ``type``);
- a handler that raises is logged with the event's ``id`` and ``type``, its claim given back,
  and the others go on; the answer is then a ``500`` so that Twilio sends the batch again:
  the events handled already are skipped by their ``id``, the failed one runs again.

:func:`begin_batch` builds what the dispatcher runs: a plain function, or a coroutine
function when an ``async def`` handler is registered (store calls then go to a worker
thread). No web framework here.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any

from ..cloudevents import CloudEvent, EventBatch, EventRouter, parse_batch
from ..events import Params
from ..kinds import Kind
from ..policies import Policies
from ..replies import Reply
from ..store.replays import ReplayStore
from .received import Received
from .route import Begun, name_of

__all__ = ["EVENT_ID_TTL", "HISTORY_BATCH_LIMIT", "begin_batch", "history_params"]

logger = logging.getLogger("twhooks.dispatch")

#: How long a handled event's ``id`` is remembered, in seconds: Event Streams retries for
#: up to four hours; an hour more for its backoff's jitter.
EVENT_ID_TTL = 5 * 3600.0

_DONE = Reply(204, [], b"")

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
    router: EventRouter,
    policies: Policies,
    replays: ReplayStore | None,
    received: Received,
    kind: Kind,
    lease: float,
) -> Begun | Reply:
    """What runs for an Event Streams request: the batch and the function that handles it;
    a ``400`` when the body is not a JSON array of events (logged)."""
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
    run = _Batch(router, policies, replays, received, lease)
    asynchronous = any(map(iscoroutinefunction, router.handlers()))
    handler: Callable[[EventBatch], Any] = run.run_async if asynchronous else run.run
    received.handler = "event_stream"
    return Begun(kind, handler, batch, None)


class _Batch:
    """The handling of one batch: the steps of each event, and the answer."""

    def __init__(
        self,
        router: EventRouter,
        policies: Policies,
        replays: ReplayStore | None,
        received: Received,
        lease: float,
    ) -> None:
        self.router = router
        self.policies = policies
        self.replays = replays
        self.received = received
        self.lease = lease
        self.handled = self.skipped = 0
        self.failed: list[CloudEvent] = []

    # -- the two drivers: they differ only by await ----------------------------------------

    def run(self, batch: EventBatch) -> Reply:
        for event in batch.events:
            claim = self._claim(event)
            if claim is None:
                continue
            handler = None
            try:  # a store that fails to record the event fails this event alone
                handler = self._before(event)
                if handler is not None:
                    handler(event)
            except Exception:
                self._failed(event, handler, claim)
            else:
                self._done(event, claim)
        return self._answer(batch)

    async def run_async(self, batch: EventBatch) -> Reply:
        for event in batch.events:
            claim = await asyncio.to_thread(self._claim, event)
            if claim is None:
                continue
            handler = None
            try:
                handler = await asyncio.to_thread(self._before, event)
                if handler is not None:
                    result = (
                        handler(event)
                        if iscoroutinefunction(handler)
                        else await asyncio.to_thread(handler, event)
                    )
                    if asyncio.iscoroutine(result):
                        await result
            except Exception:
                await asyncio.to_thread(self._failed, event, handler, claim)
            else:
                await asyncio.to_thread(self._done, event, claim)
        return self._answer(batch)

    # -- the steps, which never await ------------------------------------------------------

    def _claim(self, event: CloudEvent) -> tuple[str, str] | None:
        """Claim *event*'s id: ``(key, owner)``, or ``None`` when it was handled already or
        is being handled by another request (skipped)."""
        key, owner = f"cloudevent:{event.id}", uuid.uuid4().hex
        if self.replays is None:
            return key, owner
        got = self.replays.claim(key, owner, self.lease)
        if got is True:
            return key, owner
        logger.info(
            "event %s (%s) %s; skipped",
            event.id,
            event.type,
            "is being handled by another request" if got is False else "was handled before",
        )
        self.skipped += 1
        return None

    def _before(self, event: CloudEvent) -> Callable[..., Any] | None:
        """Record a status event in the store; the handler of *event*."""
        params = event.status_params
        facades = self.policies.facades
        if params is not None and facades is not None:
            if event.type.startswith("com.twilio.messaging."):
                facades.deliveries.record_callback(params)
            else:
                facades.calls.record("call_status", params)
        handler = self.router.match(event.type)
        if handler is None:
            logger.info(
                "no @hooks.event_stream handler for type %r (event %s); add "
                "@hooks.event_stream() to handle every one",
                event.type,
                event.id,
            )
        return handler

    def _done(self, event: CloudEvent, claim: tuple[str, str]) -> None:
        self.handled += 1
        if self.replays is not None:
            self.replays.finish(claim[0], claim[1], _DONE, EVENT_ID_TTL)

    def _failed(
        self, event: CloudEvent, handler: Callable[..., Any] | None, claim: tuple[str, str]
    ) -> None:
        logger.exception(
            "event %s (%s) failed in %s; the batch is answered 500 so that Twilio sends it "
            "again (the events handled already are skipped by their id)",
            event.id,
            event.type,
            name_of(handler) if handler is not None else "recording it in the store",
        )
        self.failed.append(event)
        if self.replays is not None:
            self.replays.finish(claim[0], claim[1], None, EVENT_ID_TTL)  # its retry runs again

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
