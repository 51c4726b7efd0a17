"""Which handler answers a webhook: the matching rules, in one place.

Incoming messages (:class:`MessageRouter`)
    A handler may have conditions: ``keyword`` (the whole body, trimmed, compared
    case-insensitively to one or several words), ``pattern`` (a regular expression *searched*
    anywhere in the body; a ``str`` pattern is compiled case-insensitive, a compiled pattern is
    used with its own flags) and ``state`` (the conversation's dialog state). All of a handler's
    conditions must hold. Handlers with conditions are tried **in registration order**; the
    first that matches wins. Only when none matches does the catch-all (the handler with no
    condition) run. There is at most one catch-all.

Named steps of calls (:class:`StepRouter`)
    One handler per step name; ``None`` is the incoming call itself.

Status callbacks (:class:`StatusRouter`)
    A handler may list the values it wants (``"delivered", "undelivered"``); handlers with a
    list are tried in registration order, then the catch-all (no list).

Routers know nothing of Flask; they hold plain callables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from .exceptions import HandlerError
from .kinds import RESERVED_STEPS

__all__ = [
    "RESERVED_STEPS",
    "MessageRoute",
    "MessageRouter",
    "StatusRouter",
    "StepRouter",
]

Handler = Callable[..., Any]


_STEP_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _name(handler: Handler) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


@dataclass(frozen=True, slots=True)
class MessageRoute:
    """One ``@hooks.message`` registration."""

    handler: Handler
    #: Casefolded keywords, or ``None`` when the handler has no keyword condition.
    keywords: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    state: str | None = None

    @property
    def is_catch_all(self) -> bool:
        """Whether the route has no condition at all."""
        return self.keywords is None and self.pattern is None and self.state is None

    def why(self, state: str | None = None) -> str:
        """Why this route answers a message (for the webhook history)."""
        if self.is_catch_all:
            return "catch-all"
        parts = []
        if self.keywords is not None:
            parts.append("keyword " + "/".join(sorted(self.keywords)))
        if self.pattern is not None:
            parts.append(f"pattern {self.pattern.pattern}")
        if self.state is not None:
            parts.append(f"state {state}")
        return ", ".join(parts)

    def describe(self) -> str:
        """The decorator call that registered this route, for log lines."""
        args = []
        if self.keywords is not None:
            args.append(f"keyword={sorted(self.keywords)!r}")
        if self.pattern is not None:
            args.append(f"pattern={self.pattern.pattern!r}")
        if self.state is not None:
            args.append(f"state={self.state!r}")
        return f"@hooks.message({', '.join(args)}) {_name(self.handler)}"


class MessageRouter:
    """Routes an incoming message to a handler by keyword, pattern and conversation state."""

    __slots__ = ("catch_all", "routes", "states")

    def __init__(self) -> None:
        #: Routes with conditions, in registration order.
        self.routes: list[MessageRoute] = []
        self.catch_all: MessageRoute | None = None
        #: Every state some route waits for (lets callers skip reading the state otherwise).
        self.states: set[str] = set()

    def add(
        self,
        handler: Handler,
        *,
        keyword: str | Iterable[str] | None = None,
        pattern: str | re.Pattern[str] | None = None,
        state: str | None = None,
    ) -> MessageRoute:
        """Register ``handler``; raises :class:`~twhooks.HandlerError` on a bad condition."""
        if keyword is not None and pattern is not None:
            raise HandlerError(
                f"{_name(handler)}: give keyword= or pattern=, not both "
                "(a keyword is an exact whole-body match, a pattern a regular expression search)"
            )
        keywords = None
        if keyword is not None:
            words = [keyword] if isinstance(keyword, str) else list(keyword)
            if not words or not all(isinstance(w, str) and w.strip() for w in words):
                raise HandlerError(f"{_name(handler)}: keyword= needs non-empty strings")
            keywords = frozenset(w.strip().casefold() for w in words)
        compiled = None
        if pattern is not None:
            try:
                compiled = (
                    re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
                )
            except re.error as exc:
                raise HandlerError(
                    f"{_name(handler)}: pattern {pattern!r} is invalid: {exc}"
                ) from exc
            if not isinstance(compiled, re.Pattern):
                raise HandlerError(f"{_name(handler)}: pattern= must be a str or re.Pattern")
        if state is not None and (not isinstance(state, str) or not state):
            raise HandlerError(f"{_name(handler)}: state= must be a non-empty string")
        route = MessageRoute(handler, keywords, compiled, state)
        if route.is_catch_all:
            if self.catch_all is not None:
                raise HandlerError(
                    f"{_name(handler)}: a catch-all @hooks.message() is already registered "
                    f"({_name(self.catch_all.handler)}); there can be only one"
                )
            self.catch_all = route
        else:
            self.routes.append(route)
            if state is not None:
                self.states.add(state)
        return route

    def match(
        self, body: str, state: str | None = None
    ) -> tuple[MessageRoute, re.Match[str] | None] | None:
        """The route answering ``body`` in dialog ``state``, with its pattern's match."""
        folded: str | None = None
        for route in self.routes:
            if route.state is not None and route.state != state:
                continue
            if route.keywords is not None:
                if folded is None:
                    folded = body.strip().casefold()
                if folded not in route.keywords:
                    continue
            if route.pattern is not None:
                found = route.pattern.search(body)
                if found is None:
                    continue
                return route, found
            return route, None
        if self.catch_all is not None:
            return self.catch_all, None
        return None

    def __bool__(self) -> bool:
        return bool(self.routes) or self.catch_all is not None


class StepRouter:
    """Maps call step names (``None`` for the incoming call) to handlers."""

    __slots__ = ("handlers",)

    def __init__(self) -> None:
        self.handlers: dict[str | None, Handler] = {}

    def add(self, handler: Handler, step: str | None = None) -> None:
        """Register ``handler`` for ``step``; a bad or taken name raises HandlerError."""
        if step is not None:
            if not isinstance(step, str) or not _STEP_NAME.fullmatch(step):
                raise HandlerError(
                    f"{_name(handler)}: step name {step!r} must be letters, digits, '_' or '-'"
                )
            if step in RESERVED_STEPS:
                raise HandlerError(
                    f"{_name(handler)}: step name {step!r} is reserved for a fixed route "
                    f"(reserved: {', '.join(sorted(RESERVED_STEPS))})"
                )
        if step in self.handlers:
            where = "the incoming call" if step is None else f"step {step!r}"
            raise HandlerError(
                f"{_name(handler)}: {where} already has a handler ({_name(self.handlers[step])})"
            )
        self.handlers[step] = handler

    def match(self, step: str | None) -> Handler | None:
        """The handler of ``step``, or ``None``."""
        return self.handlers.get(step)


class StatusRouter:
    """Routes a callback by one value (a status, an event name) to a handler.

    :param what: the decorator's name, for error messages (``"message_status"``).
    :param known: the values Twilio sends; registering another is a typo, so it raises.
        Empty means anything goes.
    """

    __slots__ = ("catch_all", "known", "routes", "what")

    def __init__(self, what: str, known: Collection[str] = ()) -> None:
        self.what = what
        self.known = frozenset(known)
        self.routes: list[tuple[frozenset[str], Handler]] = []
        self.catch_all: Handler | None = None

    def add(self, handler: Handler, values: Iterable[str] = ()) -> None:
        """Register ``handler`` for ``values`` (all values when empty)."""
        wanted = frozenset(values)
        if not wanted:
            if self.catch_all is not None:
                raise HandlerError(
                    f"{_name(handler)}: a catch-all @hooks.{self.what}() is already registered "
                    f"({_name(self.catch_all)})"
                )
            self.catch_all = handler
            return
        bad = sorted(v for v in wanted if not isinstance(v, str) or v not in self.known)
        if self.known and bad:
            raise HandlerError(
                f"{_name(handler)}: @hooks.{self.what} got unknown value(s) {bad!r}; "
                f"Twilio sends: {', '.join(sorted(self.known))}"
            )
        self.routes.append((wanted, handler))

    def match(self, value: str | None) -> Handler | None:
        """The handler for ``value``, or ``None``."""
        for wanted, handler in self.routes:
            if value in wanted:
                return handler
        return self.catch_all

    def __bool__(self) -> bool:
        return bool(self.routes) or self.catch_all is not None
