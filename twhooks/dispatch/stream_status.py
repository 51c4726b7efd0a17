"""A status event of an Event Streams batch, handled as the status callback it stands for.

A message or call status event (:class:`~twhooks.cloudevents.MessageStatusEvent`,
:class:`~twhooks.cloudevents.CallStatusEvent`) follows the status callbacks' rule (see
:meth:`Policies.callback_lock <twhooks.policies.Policies.callback_lock>`):

- its handler runs under the lock of its message or call — the lock that message's status
  callbacks take — so the handlers of one message never overlap, across workers and hosts,
  whether its statuses come as events, as callbacks or both;
- a message status that does not move its message forward (late, or a duplicate) is
  recorded and runs no handler, unless the handler was registered with
  ``include_stale=True``; one that does gets ``previous`` and ``advanced`` like a callback;
- its status is recorded in ``hooks.deliveries`` / ``hooks.calls`` once its handler
  returned (:func:`end_status`): a handler that raised leaves it unrecorded, and its next
  copy runs the handler again. A status event no handler takes is recorded at once.

Plain steps that never await: the batch step (:mod:`~twhooks.dispatch.streams`) drives them
from both drivers. No web framework here.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from ..cloudevents import MESSAGE_STATUS_PREFIX, CloudEvent, MessageStatusEvent
from ..events import MessageStatus, Params
from ..kinds import Kind, kind_named
from ..policies import Policies
from ..store.errors import LockTimeout
from ..store.locks import StoreLock
from ..store.polling import PENDING, Pending

__all__ = ["StatusStep", "begin_status", "busy_key", "end_status", "status_kind"]

logger = logging.getLogger("twhooks.dispatch")


@dataclass(slots=True)
class StatusStep:
    """What runs for one event: its handler (``None``: none runs) on its (typed) event; for
    a status event, its callback kind and parameters, and the lock held while it runs."""

    event: CloudEvent
    handler: Callable[..., Any] | None = None
    kind: Kind | None = None
    params: Params | None = None
    lock: StoreLock | None = None
    #: Its status is recorded already (no handler was registered for it).
    recorded: bool = False

    def release(self) -> None:
        """Give the lock back, if held (once)."""
        if self.lock is not None:
            lock, self.lock = self.lock, None
            lock.release()


def status_kind(event: CloudEvent) -> Kind | None:
    """The status callback kind *event* stands for (``None``: not a status event)."""
    if event.status_params is None:
        return None
    name = "message_status" if event.type.startswith(MESSAGE_STATUS_PREFIX) else "call_status"
    return kind_named(name)


def busy_key(event: CloudEvent) -> str:
    """What a status event waits for, for a :class:`LockTimeout`: its message or call."""
    params = event.status_params
    sid = params.get("MessageSid") or params.get("CallSid") if params is not None else None
    return sid or event.id


def begin_status(
    policies: Policies,
    include_stale: Collection[Callable[..., Any]],
    event: CloudEvent,
    handler: Callable[..., Any] | None,
    lock_now: bool,
) -> StatusStep | Pending:
    """The step of *event*, whose *handler* was chosen: a status event's lock taken (tried
    once with *lock_now*: :data:`PENDING` while another request holds it; else waited for)
    and its status previewed.

    :param include_stale: the handlers registered with ``include_stale=True``.
    :raises LockTimeout: the lock stayed busy for the whole wait (not *lock_now*).
    """
    params = event.status_params
    kind = status_kind(event)
    if params is None or kind is None or policies.facades is None:
        return StatusStep(event, handler)
    step = StatusStep(event, handler, kind, params)
    if handler is None:  # nothing to order: recorded at once
        policies.record_callback(kind, params)
        step.recorded = True
        return step
    step.lock = policies.callback_lock(kind, params)
    if step.lock is not None:
        try:
            step.lock.acquire(wait=0.0 if lock_now else None)
        except LockTimeout:
            step.lock = None
            if lock_now:
                return PENDING
            raise
    try:
        extra = policies.preview_callback(kind, params)
        if extra.get("advanced") is False and handler not in include_stale:
            logger.info(
                "event %s: status %r of %s is late or a duplicate (furthest: %r); "
                "recorded, no handler run",
                event.id,
                params.get("MessageStatus"),
                params.get("MessageSid"),
                extra.get("previous"),
            )
            step.handler = None
        elif extra and isinstance(event, MessageStatusEvent):
            status = MessageStatus.from_params(params, **extra)
            step.event = dataclasses.replace(event, status=status)
    except BaseException:
        step.release()
        raise
    return step


def end_status(policies: Policies, step: StatusStep) -> None:
    """Once *step*'s handler returned (or none was to run): record its status, then give its
    lock back."""
    try:
        if step.kind is not None and step.params is not None and not step.recorded:
            policies.record_callback(step.kind, step.params)
            step.recorded = True
    finally:
        step.release()
