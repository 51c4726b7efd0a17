"""The handler registry: the decorators every adapter shares, and the routers they fill.

:class:`Handlers` holds one router per webhook kind of :data:`twhooks.kinds.KINDS` and the
``@hooks.error`` handlers. The Flask extension (:class:`twhooks.TwilioHooks`) and the Quart
adapter are subclasses: the decorators, their checks and their order are the same everywhere.
Decorators return the function unchanged. See :doc:`/routing` for the matching order.

This module knows nothing of any web framework.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from .cloudevents import EventRouter
from .conversations_webhooks import answering
from .exceptions import HandlerError
from .kinds import KINDS, Kind, kind_named
from .routing import MessageRouter, StatusRouter, StepRouter
from .store.keys import classify_opt_keyword
from .taskrouter import GlobRouter, answering_assignment

__all__ = ["ErrorHandler", "Handlers", "background_name"]

F = TypeVar("F", bound=Callable[..., Any])

#: ``handler(error, event)``: may return a reply instead of the failure.
ErrorHandler = Callable[[Exception, Any], Any]


#: What the opt-out rules do with a keyword of each class, before any message handler.
_ANSWERED_FIRST = {
    "opt_out": "an opt-out: the person is recorded as opted out",
    "opt_in": "an opt-in: a person who opted out is opted in",
    "help": "a help request: the @hooks.help() handler answers",
}


#: The callbacks whose answer Twilio reads (no ``background=True``), and why.
_READ_ANSWERS = {
    "conversation_event": "its answer allows, blocks or changes the action",
    "assignment": "its answer is the task's instruction",
}


class Handlers:
    """The webhook handlers of an app, registered with the decorators below."""

    def __init__(self) -> None:
        self.messages = MessageRouter()
        self.steps = StepRouter()
        #: One router per kind routed by a value (statuses, events, AMD results).
        self.values: dict[str, StatusRouter] = {
            kind.name: (GlobRouter if kind.name == "taskrouter_event" else StatusRouter)(
                kind.name, kind.known
            )
            for kind in KINDS.values()
            if kind.routing == "value"
        }
        #: The ``@hooks.event_stream`` handlers, by CloudEvent type.
        self.event_streams = EventRouter()
        self.error_handlers: list[ErrorHandler] = []
        #: ``@hooks.message_status`` handlers that also get late and duplicate callbacks.
        self.include_stale: set[Callable[..., Any]] = set()
        #: The ``@hooks.opt_out()``, ``opt_in()`` and ``help()`` handlers, by keyword class.
        self.keyword_handlers: dict[str, Callable[..., Any]] = {}
        #: The handlers registered with ``background=True``, by name (``module:qualname``):
        #: run by a runner once the webhook is answered (:mod:`twhooks.background`).
        self.background_handlers: dict[str, Callable[..., Any]] = {}

    # -- decorators -------------------------------------------------------------------------

    def message(
        self,
        *,
        keyword: str | Sequence[str] | None = None,
        pattern: str | re.Pattern[str] | None = None,
        state: str | None = None,
        background: bool = False,
    ) -> Callable[[F], F]:
        """Handle incoming messages (SMS, MMS, WhatsApp, RCS) on ``/messages``.

        The handler gets an :class:`~twhooks.events.IncomingMessage` and returns the reply.

        :param keyword: a word or a list of words; matches when the *whole* body, trimmed,
            equals one of them, ignoring case (``"help"``, ``" HELP "``; not ``"help me"``).
        :param pattern: a regular expression *searched* anywhere in the body; a ``str`` is
            compiled case-insensitive, a compiled pattern keeps its own flags. The match is
            ``msg.match``.
        :param state: matches only while the conversation is at this dialog state
            (:doc:`/state`).
        :param background: answer Twilio at once (an empty ``<Response/>``) and run the
            handler on the runner (``TWHOOKS_RUNNER``); what it returns is sent through
            Twilio's REST API. See :doc:`/background`.

        Handlers with conditions are tried in registration order, then the one without any
        (the catch-all).
        """

        def register(handler: F) -> F:
            route = self.messages.add(handler, keyword=keyword, pattern=pattern, state=state)
            if route.keywords is not None:
                self._warn_answered_first(route.keywords, handler)
            if background:
                self._add_background(handler)
            return handler

        return register

    def call(self, step: str | None = None, *, background: bool = False) -> Callable[[F], F]:
        """Handle an incoming call (``/voice``) or a named step of one (``/voice/<step>``).

        The handler gets a :class:`~twhooks.events.Call` and returns TwiML (a ``str`` is
        said with ``<Say>``). Use ``step_url`` for the ``action`` of a ``<Gather>``,
        ``<Record>`` or ``<Dial>`` that should continue at a step.

        :param step: the step name: letters, digits, ``_`` and ``-``; ``status``,
            ``recording``, ``transcription``, ``conference`` and ``amd`` are reserved.
        """
        if callable(step):
            raise HandlerError("use @hooks.call() or @hooks.call('step'), with parentheses")
        _no_background(background, "call", "its TwiML is what Twilio does next in the call")

        def register(handler: F) -> F:
            self.steps.add(handler, step)
            return handler

        return register

    def on(self, kind: str, *values: str, background: bool = False) -> Callable[[F], F]:
        """Handle the callbacks of *kind* (a name of :data:`~twhooks.kinds.KINDS`) with
        *values* (all when none are given): the decorators below are shortcuts for it.
        """
        found = kind_named(kind)
        if found.routing != "value":
            raise HandlerError(f"use @hooks.{found.name}(...) for {found.summary}")
        return self._value_decorator(found, values, background)

    def message_status(
        self, *statuses: str, include_stale: bool = False, background: bool = False
    ) -> Callable[[F], F]:
        """Handle message status callbacks (``/messages/status``), for ``statuses`` or all.

        The handler gets a :class:`~twhooks.events.MessageStatus`; returning ``None`` answers
        ``204 No Content``. Every callback is recorded in ``hooks.deliveries`` first; the
        handler runs only for callbacks that move the message forward (not for ``sent``
        after ``delivered``, nor for a duplicate) unless ``include_stale=True``.

        With ``background=True`` (this decorator, and every other callback's) the callback is
        answered ``204`` at once and the handler runs on the runner (:doc:`/background`).
        """
        register = self._value_decorator(KINDS["message_status"], statuses, background)
        if not include_stale:
            return register

        def register_stale(handler: F) -> F:
            self.include_stale.add(handler)
            return register(handler)

        return register_stale

    def call_status(self, *statuses: str, background: bool = False) -> Callable[[F], F]:
        """Handle call status callbacks (``/voice/status``), for ``statuses`` or all.

        The handler gets a :class:`~twhooks.events.CallStatus`.
        """
        return self._value_decorator(KINDS["call_status"], statuses, background)

    def recording_status(self, *statuses: str, background: bool = False) -> Callable[[F], F]:
        """Handle recording status callbacks (``/voice/recording``).

        The handler gets a :class:`~twhooks.events.RecordingStatus`.
        """
        return self._value_decorator(KINDS["recording_status"], statuses, background)

    def transcription(self, *statuses: str, background: bool = False) -> Callable[[F], F]:
        """Handle transcriptions (``/voice/transcription``), ``completed`` or ``failed``.

        The handler gets a :class:`~twhooks.events.Transcription`.
        """
        return self._value_decorator(KINDS["transcription"], statuses, background)

    def conference_status(self, *events: str, background: bool = False) -> Callable[[F], F]:
        """Handle conference events (``/voice/conference``), such as ``participant-join``.

        The handler gets a :class:`~twhooks.events.ConferenceStatus`.
        """
        return self._value_decorator(KINDS["conference_status"], events, background)

    def amd(self, *answered_by: str, background: bool = False) -> Callable[[F], F]:
        """Handle asynchronous answering machine detection results (``/voice/amd``).

        The handler gets an :class:`~twhooks.events.AmdResult`; filter on ``AnsweredBy``
        values such as ``"human"`` or ``"machine_end_beep"``.
        """
        return self._value_decorator(KINDS["amd"], answered_by, background)

    def conversation_event(self, *event_types: str, background: bool = False) -> Callable[[F], F]:
        """Handle Twilio Conversations' webhooks (``/conversations``) of *event_types*
        (``"onMessageAdd"``, ``"onMessageAdded"``…), or all.

        The handler gets a :class:`~twhooks.events.ConversationEvent`. For a pre-action
        event Twilio waits (5 s at most) for its answer: return ``None`` to allow, ``False``
        or :class:`~twhooks.conversations_webhooks.RejectAction` to block,
        :class:`~twhooks.conversations_webhooks.ModifyAction` to change fields of the action. See
        :doc:`/conversations_webhooks`.
        """
        _no_background(background, "conversation_event", _READ_ANSWERS["conversation_event"])
        register = self._value_decorator(KINDS["conversation_event"], event_types)

        def register_answering(handler: F) -> F:
            register(cast(F, answering(handler)))
            return handler

        return register_answering

    def taskrouter_event(self, *event_types: str, background: bool = False) -> Callable[[F], F]:
        """Handle TaskRouter's workspace event callbacks (``/taskrouter/events``) whose
        ``EventType`` matches one of *event_types*, globs such as ``"task.*"`` or
        ``"reservation.accepted"`` (all when none is given).

        The handler gets a :class:`~twhooks.events.TaskRouterEvent`; TaskRouter needs only a
        2xx. See :doc:`/taskrouter`.
        """
        return self._value_decorator(KINDS["taskrouter_event"], event_types, background)

    def assignment(self, *task_queue_sids: str, background: bool = False) -> Callable[[F], F]:
        """Answer TaskRouter's assignment callback (``/taskrouter/assignment``), for the tasks
        of *task_queue_sids* (all when none is given).

        The handler gets an :class:`~twhooks.events.Assignment` and returns an
        :class:`~twhooks.taskrouter.Instruction` (``Instruction.accept()``,
        ``.dequeue(from_=...)``…), a ``dict``, or ``None`` to decide later (``{}``).
        """
        _no_background(background, "assignment", _READ_ANSWERS["assignment"])
        register = self._value_decorator(KINDS["assignment"], task_queue_sids)

        def register_answering(handler: F) -> F:
            register(cast(F, answering_assignment(handler)))
            return handler

        return register_answering

    def alert(
        self, *levels: str, level: str | None = None, background: bool = False
    ) -> Callable[[F], F]:
        """Handle the Debugger's alerts (``/alerts``): errors and warnings on the account,
        of the *levels* given (``"error"``, ``"warning"``; any case), or all.

        The handler gets an :class:`~twhooks.events.Alert`, with its payload parsed: its
        ``error_code`` and the ``resource_sid`` it concerns. See :doc:`/alerts`.
        """
        wanted = (*levels, level) if level is not None else levels
        if wanted and callable(wanted[0]):
            raise HandlerError("use @hooks.alert(...) with parentheses")
        return self._value_decorator(
            KINDS["alert"],
            tuple(v.lower() if isinstance(v, str) else v for v in wanted),
            background,
        )

    def event_stream(self, *types: str) -> Callable[[F], F]:
        """Handle the events an Event Streams webhook sink receives (``/events``) whose
        ``type`` matches one of *types*, globs such as ``"com.twilio.messaging.message.*"``
        (all events when none is given: the catch-all, tried last).

        The handler gets a :class:`~twhooks.cloudevents.CloudEvent` (a
        :class:`~twhooks.cloudevents.MessageStatusEvent` or
        :class:`~twhooks.cloudevents.CallStatusEvent` for the status types, recorded in
        ``hooks.deliveries`` and ``hooks.calls``); it runs once per event ``id``. Handlers
        are tried in registration order; see :doc:`/event_streams`.
        """
        if types and callable(types[0]):
            raise HandlerError("use @hooks.event_stream(...) with parentheses")

        def register(handler: F) -> F:
            self.event_streams.add(handler, types)
            return handler

        return register

    def opt_out(self) -> Callable[[F], F]:
        """Handle opt-out messages (STOP, UNSUBSCRIBE… or ``OptOutType=STOP``).

        They are recognised before any other message handler; the person is recorded in
        ``hooks.opt_outs`` and their conversation ends. Without this handler the answer is
        empty (Twilio sends its own confirmation).
        """
        return self._keyword_decorator("opt_out")

    def opt_in(self) -> Callable[[F], F]:
        """Handle opt-in messages (START, UNSTOP, YES… or ``OptOutType=START``) of a person
        who had opted out; their opt-out is cleared and their conversation ends. (``YES``
        from someone who never opted out is an ordinary message.)
        """
        return self._keyword_decorator("opt_in")

    def help(self) -> Callable[[F], F]:
        """Handle help requests (HELP, INFO or ``OptOutType=HELP``) before any other message
        handler. Without this handler they are routed like any message.
        """
        return self._keyword_decorator("help")

    def _keyword_decorator(self, which: str) -> Callable[[F], F]:
        def register(handler: F) -> F:
            if callable(handler) is False:
                raise HandlerError(f"@hooks.{which}() decorates a function")
            if which in self.keyword_handlers:
                raise HandlerError(
                    f"an @hooks.{which}() handler is already registered "
                    f"({getattr(self.keyword_handlers[which], '__qualname__', '?')})"
                )
            self.keyword_handlers[which] = handler
            if which == "help":
                for route in self.messages.routes:
                    if route.keywords is not None:
                        self._warn_answered_first(route.keywords, route.handler)
            return handler

        return register

    def _warn_answered_first(self, keywords: Iterable[str], handler: Callable[..., Any]) -> None:
        """Warn when a ``keyword=`` of a ``@hooks.message`` is answered before any message
        handler (:meth:`Policies.keyword <twhooks.policies.Policies.keyword>`), so that the
        handler never runs for it; the warning points at the app's registration."""
        found: dict[str, list[str]] = {}
        for word in sorted(keywords):
            which = classify_opt_keyword(word)
            if which is None or word.upper() == "YES":  # YES is an ordinary answer, too
                continue
            if which == "help" and "help" not in self.keyword_handlers:
                continue  # without @hooks.help(), HELP is routed like any message
            found.setdefault(which, []).append(word.upper())
        if not found:
            return
        words = ", ".join(word for which in _ANSWERED_FIRST for word in found.get(which, ()))
        why = "; ".join(
            f"{', '.join(found[which])}: {what}, use @hooks.{which}()"
            for which, what in _ANSWERED_FIRST.items()
            if which in found
        )
        warnings.warn(
            f"@hooks.message(keyword=...) of {getattr(handler, '__qualname__', '?')} is not "
            f"given {words}: twhooks handles them before any @hooks.message handler ({why}; "
            "see 'Opt-out, opt-in and help' in the routing guide)",
            UserWarning,
            stacklevel=3,
        )

    def error(self, handler: F) -> F:
        """Register ``handler(error, event)``, called when a webhook handler raises.

        It may return a reply (TwiML, ``str``, a response) sent instead of the failure;
        returning ``None`` leaves the exception to the web framework's error handling (a 500,
        so that Twilio tries your fallback URL). Error handlers are tried in registration
        order.
        """
        self.error_handlers.append(handler)
        return handler

    def _value_decorator(
        self, kind: Kind, values: tuple[Any, ...], background: bool = False
    ) -> Callable[[F], F]:
        if values and callable(values[0]):
            raise HandlerError(f"use @hooks.{kind.name}(...) with parentheses")
        if background and (not kind.is_callback or kind.name in _READ_ANSWERS):
            _no_background(background, kind.name, _READ_ANSWERS.get(kind.name, "Twilio reads it"))
        router = self.values[kind.name]

        def register(handler: F) -> F:
            router.add(handler, values)
            if background:
                self._add_background(handler)
            return handler

        return register

    # -- background handlers ---------------------------------------------------------------

    def _add_background(self, handler: Callable[..., Any]) -> None:
        name = background_name(handler)
        other = self.background_handlers.get(name)
        if other is not None and other is not handler:
            raise HandlerError(
                f"two background handlers are named {name}: a worker finds a job's handler by "
                "its module and qualified name; rename one"
            )
        self.background_handlers[name] = handler

    def is_background(self, handler: Callable[..., Any]) -> bool:
        """Whether *handler* was registered with ``background=True``."""
        return self.background_handlers.get(background_name(handler)) is handler

    def background_handler(self, name: str) -> Callable[..., Any]:
        """The background handler registered as *name* (``module:qualname``).

        :raises HandlerError: none is (the worker runs another version of the app?).
        """
        try:
            return self.background_handlers[name]
        except KeyError:
            raise HandlerError(
                f"no background handler {name} is registered in this process: does the worker "
                "import the same app, of the same version, as the web process?"
            ) from None


def background_name(handler: Callable[..., Any]) -> str:
    """A background handler's registered name, ``module:qualname``: how a worker finds it."""
    module = getattr(handler, "__module__", None) or "?"
    return f"{module}:{getattr(handler, '__qualname__', None) or repr(handler)}"


def _no_background(background: bool, decorator: str, why: str) -> None:
    if background:
        raise HandlerError(
            f"@hooks.{decorator}(background=True): a {decorator} handler cannot run in the "
            f"background ({why}); only handlers whose answer Twilio does not read can: "
            "messages (replies go through the REST API) and status callbacks"
        )
