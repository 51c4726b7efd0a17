"""TaskRouter: the workspace's event callbacks and the workflow's assignment callback.

- **Event callbacks** (the Workspace's ``EventCallbackUrl``): one form-encoded POST per event,
  ``EventType`` such as ``task.created`` or ``reservation.accepted``, answered ``204`` within
  15 seconds. Their handlers are chosen by a glob on ``EventType`` (:class:`GlobRouter`:
  ``"task.*"``).
- **The assignment callback** (the Workflow's ``AssignmentCallbackUrl``): TaskRouter has
  reserved a Worker for a Task and asks what to do; the answer is a ``200`` with
  ``Content-Type: application/json`` within 5 seconds — an *instruction* (:class:`Instruction`:
  accept, reject, dequeue, call, redirect, conference), or ``{}`` to decide later through the
  REST API before the reservation times out (120 s by default). Any other answer (a ``204``,
  another status, no JSON, too late) is not read: TaskRouter calls the Workflow's
  ``FallbackAssignmentCallbackUrl`` instead.

This module knows nothing of any web framework.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from inspect import iscoroutinefunction
from typing import Any

from .exceptions import HandlerError
from .replies import Reply
from .routing import StatusRouter

__all__ = [
    "ASSIGNMENT_BUDGET",
    "GlobRouter",
    "Instruction",
    "answering_assignment",
    "instruction_reply",
]

logger = logging.getLogger("twhooks.dispatch")

#: How long TaskRouter waits for the assignment callback's answer, in seconds; a later one
#: is not read (the fallback URL is called).
ASSIGNMENT_BUDGET = 5.0


class GlobRouter(StatusRouter):
    """A :class:`~twhooks.routing.StatusRouter` whose values are globs (``"task.*"``): the
    first route with a glob matching the value, in registration order, then the catch-all.
    A glob that matches none of the known values is a typo and raises."""

    __slots__ = ()

    def add(self, handler: Callable[..., Any], values: Iterable[str] = ()) -> None:
        globs = list(values)
        for glob in globs:
            if not isinstance(glob, str) or not glob:
                raise HandlerError(f"@hooks.{self.what} takes event type globs, not {glob!r}")
            if self.known and not any(fnmatchcase(value, glob) for value in self.known):
                raise HandlerError(
                    f"@hooks.{self.what}({glob!r}) matches none of the event types TaskRouter "
                    f"sends: {', '.join(sorted(self.known))}"
                )
        known, self.known = self.known, frozenset()  # checked above, as globs
        try:
            super().add(handler, globs)
        finally:
            self.known = known

    def match(self, value: str | None) -> Callable[..., Any] | None:
        for globs, handler in self.routes:
            if value is not None and any(fnmatchcase(value, glob) for glob in globs):
                return handler
        return self.catch_all


@dataclass(frozen=True, slots=True)
class Instruction:
    """An answer to TaskRouter's assignment callback: build one with the class methods, as
    TwiML is built with its verbs. Fields are sent by TaskRouter's names; ``None`` ones are
    left out. ``extra`` adds any other parameter of the instruction."""

    instruction: str | None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def accept(cls) -> Instruction:
        """Accept the reservation (the app delivers the task to the worker itself)."""
        return cls("accept")

    @classmethod
    def reject(cls, activity_sid: str | None = None) -> Instruction:
        """Reject it: the task goes back to its queue, and the worker moves to
        *activity_sid* (an unavailable activity, so that the task is not reserved for them
        again at once); without one the worker stays in its activity."""
        return cls("reject", _fields(activity_sid=activity_sid))

    @classmethod
    def dequeue(
        cls,
        from_: str | None = None,
        *,
        to: str | None = None,
        post_work_activity_sid: str | None = None,
        timeout: int | None = None,
        record: str | None = None,
        status_callback_url: str | None = None,
        status_callback_events: str | None = None,
        **extra: Any,
    ) -> Instruction:
        """Connect the call waiting in ``<Enqueue>`` to the worker: TaskRouter calls *to*
        (the worker's ``contact_uri`` attribute when not given) from *from_* (a Twilio
        number or verified caller ID; the number the caller dialled when not given).

        :param record: ``"record-from-answer"`` records both legs (default
            ``"do-not-record"``).
        :param timeout: how long the worker's phone rings, in seconds (60 by default).
        :param status_callback_events: comma-separated call events (``"answered,completed"``)
            sent to *status_callback_url* besides ``completed``.
        """
        return cls(
            "dequeue",
            _fields(
                **{"from": from_},
                to=to,
                post_work_activity_sid=post_work_activity_sid,
                timeout=timeout,
                record=record,
                status_callback_url=status_callback_url,
                status_callback_events=status_callback_events,
                **extra,
            ),
        )

    @classmethod
    def call(
        cls,
        url: str,
        from_: str,
        *,
        to: str | None = None,
        accept: bool | None = None,
        record: str | None = None,
        timeout: int | None = None,
        status_callback_url: str | None = None,
        **extra: Any,
    ) -> Instruction:
        """Call the worker (*to*, else its ``contact_uri``) from *from_* and run the TwiML
        at *url* when they answer; *accept* ``True`` accepts the reservation too (else the
        app accepts or rejects it later)."""
        return cls(
            "call",
            _fields(
                url=url,
                **{"from": from_},
                to=to,
                accept=accept,
                record=record,
                timeout=timeout,
                status_callback_url=status_callback_url,
                **extra,
            ),
        )

    @classmethod
    def redirect(
        cls,
        call_sid: str,
        url: str,
        *,
        accept: bool | None = None,
        **extra: Any,
    ) -> Instruction:
        """Send the call *call_sid* (waiting in a queue) to the TwiML at *url*; *accept*
        ``True`` accepts the reservation too."""
        return cls("redirect", _fields(call_sid=call_sid, url=url, accept=accept, **extra))

    @classmethod
    def conference(
        cls,
        from_: str,
        *,
        to: str | None = None,
        post_work_activity_sid: str | None = None,
        timeout: int | None = None,
        status_callback_url: str | None = None,
        **extra: Any,
    ) -> Instruction:
        """Put the caller and the worker (*to*, else its ``contact_uri``) in a conference,
        calling the worker from *from_*; its other options in *extra*, sent as they are
        (``end_conference_on_exit=True``)."""
        return cls(
            "conference",
            _fields(
                **{"from": from_},
                to=to,
                post_work_activity_sid=post_work_activity_sid,
                timeout=timeout,
                status_callback_url=status_callback_url,
                **extra,
            ),
        )

    @classmethod
    def later(cls) -> Instruction:
        """No instruction now (``{}``): the app accepts or rejects through the REST API
        before the reservation times out."""
        return cls(None)

    def to_dict(self) -> dict[str, Any]:
        """The instruction as TaskRouter reads it."""
        if self.instruction is None:
            return {}
        return {"instruction": self.instruction, **self.fields}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def _fields(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def instruction_reply(result: Any) -> Reply:
    """The answer to an assignment callback for a handler's *result*: an
    :class:`Instruction`, a ``dict`` of one, or ``None`` (``{}``: decide later).

    :raises HandlerError: any other result.
    """
    if result is None:
        result = Instruction.later()
    if isinstance(result, Instruction):
        result = result.to_dict()
    if not isinstance(result, Mapping):
        raise HandlerError(
            "an @hooks.assignment handler returns an Instruction (Instruction.accept(), "
            f".dequeue(...)…), a dict or None, not {type(result).__name__}"
        )
    body = json.dumps(dict(result)).encode()
    return Reply(200, [("Content-Type", "application/json")], body)


def answering_assignment(handler: Callable[..., Any]) -> Callable[..., Any]:
    """*handler*, its result turned into the JSON TaskRouter reads, and a warning logged
    when it ran past :data:`ASSIGNMENT_BUDGET` (TaskRouter has called the fallback URL by
    then)."""
    if iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def answer_async(event: Any) -> Reply:
            started = time.perf_counter()
            try:
                return instruction_reply(await handler(event))
            finally:
                _check_budget(handler, event, time.perf_counter() - started)

        return answer_async

    @functools.wraps(handler)
    def answer(event: Any) -> Reply:
        started = time.perf_counter()
        try:
            return instruction_reply(handler(event))
        finally:
            _check_budget(handler, event, time.perf_counter() - started)

    return answer


def _check_budget(handler: Callable[..., Any], event: Any, took: float) -> None:
    if took <= ASSIGNMENT_BUDGET:
        return
    logger.warning(
        "@hooks.assignment handler %s took %.1f s on reservation %s: over TaskRouter's %g s "
        "budget, so its instruction was not read (TaskRouter calls the Workflow's "
        "FallbackAssignmentCallbackUrl instead); answer {} at once and decide through the "
        "REST API",
        getattr(handler, "__qualname__", handler),
        took,
        getattr(event, "reservation_sid", "?"),
        ASSIGNMENT_BUDGET,
    )
