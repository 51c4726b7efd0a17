"""TaskRouter: the workspace's event callbacks and the workflow's assignment callback.

- **Event callbacks** (the Workspace's ``EventCallbackUrl``): one form-encoded POST per event,
  ``EventType`` such as ``task.created`` or ``reservation.accepted``; any 2xx will do. Their
  handlers are chosen by a glob on ``EventType`` (:class:`GlobRouter`: ``"task.*"``).
- **The assignment callback** (the Workflow's ``AssignmentCallbackUrl``): TaskRouter has
  reserved a Worker for a Task and asks what to do; the answer is JSON, an *instruction*
  (:class:`Instruction`: accept, reject, dequeue, call, redirect, conference), or ``{}`` to
  decide later through the REST API before the reservation times out (120 s by default).

This module knows nothing of any web framework.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from inspect import iscoroutinefunction
from typing import Any

from .exceptions import HandlerError
from .replies import Reply
from .routing import StatusRouter

__all__ = ["GlobRouter", "Instruction", "answering_assignment", "instruction_reply"]


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
        """Reject it; the worker moves to *activity_sid* if given."""
        return cls("reject", _fields(activity_sid=activity_sid))

    @classmethod
    def dequeue(
        cls,
        from_: str,
        *,
        to: str | None = None,
        post_work_activity_sid: str | None = None,
        timeout: int | None = None,
        record: str | None = None,
        status_callback_url: str | None = None,
        **extra: Any,
    ) -> Instruction:
        """Connect the call waiting in ``<Enqueue>`` to the worker (its ``contact_uri``
        unless *to* is given), with *from_* as caller ID."""
        return cls(
            "dequeue",
            _fields(
                **{"from": from_},
                to=to,
                post_work_activity_sid=post_work_activity_sid,
                timeout=timeout,
                record=record,
                status_callback_url=status_callback_url,
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
        """Call the worker and run the TwiML at *url* when they answer."""
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
        post_work_activity_sid: str | None = None,
        **extra: Any,
    ) -> Instruction:
        """Send the call *call_sid* (waiting in a queue) to the TwiML at *url*."""
        return cls(
            "redirect",
            _fields(
                call_sid=call_sid,
                url=url,
                accept=accept,
                post_work_activity_sid=post_work_activity_sid,
                **extra,
            ),
        )

    @classmethod
    def conference(
        cls,
        *,
        from_: str | None = None,
        to: str | None = None,
        post_work_activity_sid: str | None = None,
        timeout: int | None = None,
        **extra: Any,
    ) -> Instruction:
        """Put the caller and the worker in a conference (its options in *extra*, such as
        ``end_conference_on_exit=True``)."""
        return cls(
            "conference",
            _fields(
                **{"from": from_},
                to=to,
                post_work_activity_sid=post_work_activity_sid,
                timeout=timeout,
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
    """*handler*, its result turned into the JSON TaskRouter reads."""
    if iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def answer_async(event: Any) -> Reply:
            return instruction_reply(await handler(event))

        return answer_async

    @functools.wraps(handler)
    def answer(event: Any) -> Reply:
        return instruction_reply(handler(event))

    return answer
