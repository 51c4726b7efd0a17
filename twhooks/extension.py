"""The Flask extension: webhook routes, signature checks, handlers and replies.

:class:`TwilioHooks` registers a Blueprint named ``twhooks`` under ``TWHOOKS_URL_PREFIX``
(``/twilio`` by default) with one route per webhook kind:

========================  =========  ==============================================
route                     methods    handlers
========================  =========  ==============================================
``/messages``             POST       :meth:`TwilioHooks.message`
``/messages/status``      POST       :meth:`TwilioHooks.message_status`
``/voice``                GET, POST  :meth:`TwilioHooks.call` (the incoming call)
``/voice/<step>``         GET, POST  :meth:`TwilioHooks.call` with a step name
``/voice/status``         POST       :meth:`TwilioHooks.call_status`
``/voice/recording``      POST       :meth:`TwilioHooks.recording_status`
``/voice/transcription``  POST       :meth:`TwilioHooks.transcription`
``/voice/conference``     POST       :meth:`TwilioHooks.conference_status`
``/voice/amd``            POST       :meth:`TwilioHooks.amd`
========================  =========  ==============================================

Every request on these routes goes through the same few steps, kept lean because they run
on every webhook: verify the signature over the raw body (:func:`twhooks.wsgi.verify_environ`,
never ``request.form``), parse the parameters into a typed event (:mod:`twhooks.events`), pick
the handler (:mod:`twhooks.routing`), call it, and render what it returns
(:mod:`twhooks.replies`).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, current_app, request, session, url_for
from werkzeug.wrappers import Request as BaseRequest
from werkzeug.wrappers import Response as BaseResponse

from .conversation import Conversation
from .events import (
    AMD_RESULTS,
    CALL_STATUSES,
    CONFERENCE_EVENTS,
    MESSAGE_STATUS_RANK,
    RECORDING_STATUSES,
    TRANSCRIPTION_STATUSES,
    AmdResult,
    Call,
    CallStatus,
    ConferenceStatus,
    IncomingMessage,
    MessageStatus,
    Params,
    RecordingStatus,
    Transcription,
    _Event,
)
from .exceptions import ConfigurationError, HandlerError, RequestError, SignatureError
from .forms import parse_form
from .replies import EMPTY_TWIML, XML_CONTENT_TYPE, TextVerb, render_twiml
from .routing import RESERVED_STEPS, MessageRouter, StatusRouter, StepRouter
from .settings import DEFAULTS, AppState
from .wsgi import ENVIRON_KEY, VerifiedRequest, form_params, read_body, verify_environ

__all__ = ["TwilioHooks"]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
ErrorHandler = Callable[[Exception, Any], Any]

#: Endpoints of the Blueprint, for :meth:`TwilioHooks.callback_url`.
CALLBACKS: Mapping[str, str] = {
    "messages": "/messages",
    "message_status": "/messages/status",
    "voice": "/voice",
    "call_status": "/voice/status",
    "recording_status": "/voice/recording",
    "transcription": "/voice/transcription",
    "conference_status": "/voice/conference",
    "amd": "/voice/amd",
}


# Where a request that claimed its idempotency token keeps the claim until it finishes.
_CLAIM_KEY = "twhooks.replay_claim"


def _handler_name(handler: Callable[..., Any]) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


def _describe(event: _Event) -> str:
    """The SIDs of an event, for log lines (no phone numbers, no message text)."""
    parts = [type(event).__name__]
    for name in ("sid", "call_sid", "account_sid"):
        value = getattr(event, name, None)
        if value:
            parts.append(f"{name}={value}")
    return " ".join(parts)


def _app() -> Flask:
    # One context-variable lookup instead of one per ``current_app.<name>``: this is the hot path.
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def _plain(text: str, status: int) -> BaseResponse:
    return current_app.response_class(text + "\n", status=status, mimetype="text/plain")


def _twiml(app: Flask, body: bytes) -> BaseResponse:
    return app.response_class(body, status=200, content_type=XML_CONTENT_TYPE)


def _read_form(environ: dict[str, Any], limit: int) -> list[tuple[str, str]]:
    """The form parameters of an unverified request (``TWHOOKS_VALIDATE = False``)."""
    return form_params(environ, read_body(environ, limit))


class TwilioHooks:
    """Receive Twilio webhooks in a Flask app.

    ::

        hooks = TwilioHooks(app)          # or TwilioHooks() now, hooks.init_app(app) later

        @hooks.message(keyword="HELP")
        def help_(msg):
            return "Reply BAL for your balance."

    Handlers are registered on the extension and shared by every app it is initialised
    with; settings are read from ``current_app.config`` on each request. See
    :doc:`/routing` for the matching order.

    :param app: the app to initialise now (see :meth:`init_app`).
    """

    def __init__(self, app: Flask | None = None) -> None:
        self._messages = MessageRouter()
        self._message_status = StatusRouter("message_status", MESSAGE_STATUS_RANK)
        self._steps = StepRouter()
        self._call_status = StatusRouter("call_status", CALL_STATUSES)
        self._recording_status = StatusRouter("recording_status", RECORDING_STATUSES)
        self._transcription = StatusRouter("transcription", TRANSCRIPTION_STATUSES)
        self._conference_status = StatusRouter("conference_status", CONFERENCE_EVENTS)
        self._amd = StatusRouter("amd", AMD_RESULTS)
        self._error_handlers: list[ErrorHandler] = []
        if app is not None:
            self.init_app(app)

    # -- setup ------------------------------------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Set the ``TWHOOKS_*`` defaults on ``app`` and register the ``twhooks`` Blueprint.

        ``TWHOOKS_URL_PREFIX`` is read now (routes are fixed once registered); every other
        setting is read on each request.
        """
        for name, value in DEFAULTS.items():
            app.config.setdefault(name, value)
        prefix = "/" + str(app.config["TWHOOKS_URL_PREFIX"] or "").strip("/")
        prefix = prefix.rstrip("/")
        state = AppState(self, prefix)
        app.extensions["twhooks"] = state
        blueprint = Blueprint("twhooks", __name__, url_prefix=prefix or None)
        post = ["POST"]
        routes: list[tuple[str, str, Callable[..., BaseResponse], list[str]]] = [
            ("/messages", "messages", self._view_message, post),
            ("/messages/status", "message_status", self._view_message_status, post),
            ("/voice", "voice", self._view_call, ["GET", "POST"]),
            ("/voice/<step>", "voice_step", self._view_call, ["GET", "POST"]),
            ("/voice/status", "call_status", self._view_call_status, post),
            ("/voice/recording", "recording_status", self._view_recording_status, post),
            ("/voice/transcription", "transcription", self._view_transcription, post),
            ("/voice/conference", "conference_status", self._view_conference, post),
            ("/voice/amd", "amd", self._view_amd, post),
        ]
        for rule, endpoint, view, methods in routes:
            # A stray trailing slash in the Twilio console must not turn into a 404.
            blueprint.add_url_rule(
                rule, endpoint, _replayable(view), methods=methods, strict_slashes=False
            )
        app.register_blueprint(blueprint)

    # -- decorators -------------------------------------------------------------------------

    def message(
        self,
        *,
        keyword: str | Sequence[str] | None = None,
        pattern: str | re.Pattern[str] | None = None,
        state: str | None = None,
    ) -> Callable[[F], F]:
        """Handle incoming messages (SMS, MMS, WhatsApp, RCS) on ``POST /messages``.

        The handler gets an :class:`~twhooks.events.IncomingMessage` and returns the reply.

        :param keyword: a word or a list of words; matches when the *whole* body, trimmed,
            equals one of them, ignoring case (``"help"``, ``" HELP "``; not ``"help me"``).
        :param pattern: a regular expression *searched* anywhere in the body; a ``str`` is
            compiled case-insensitive, a compiled pattern keeps its own flags. The match is
            ``msg.match``.
        :param state: matches only while the conversation is at this dialog state
            (:doc:`/state`).

        Handlers with conditions are tried in registration order, then the one without any
        (the catch-all).
        """

        def register(handler: F) -> F:
            self._messages.add(handler, keyword=keyword, pattern=pattern, state=state)
            return handler

        return register

    def call(self, step: str | None = None) -> Callable[[F], F]:
        """Handle an incoming call (``/voice``) or a named step of one (``/voice/<step>``).

        The handler gets a :class:`~twhooks.events.Call` and returns TwiML (a ``str`` is
        said with ``<Say>``). Use :meth:`step_url` for the ``action`` of a ``<Gather>``,
        ``<Record>`` or ``<Dial>`` that should continue at a step.

        :param step: the step name: letters, digits, ``_`` and ``-``; ``status``,
            ``recording``, ``transcription``, ``conference`` and ``amd`` are reserved.
        """
        if callable(step):
            raise HandlerError("use @hooks.call() or @hooks.call('step'), with parentheses")

        def register(handler: F) -> F:
            self._steps.add(handler, step)
            return handler

        return register

    def message_status(self, *statuses: str) -> Callable[[F], F]:
        """Handle message status callbacks (``POST /messages/status``), for ``statuses`` or all.

        The handler gets a :class:`~twhooks.events.MessageStatus`; returning ``None`` answers
        ``204 No Content``.
        """
        return self._status_decorator(self._message_status, statuses)

    def call_status(self, *statuses: str) -> Callable[[F], F]:
        """Handle call status callbacks (``POST /voice/status``), for ``statuses`` or all.

        The handler gets a :class:`~twhooks.events.CallStatus`.
        """
        return self._status_decorator(self._call_status, statuses)

    def recording_status(self, *statuses: str) -> Callable[[F], F]:
        """Handle recording status callbacks (``POST /voice/recording``).

        The handler gets a :class:`~twhooks.events.RecordingStatus`.
        """
        return self._status_decorator(self._recording_status, statuses)

    def transcription(self, *statuses: str) -> Callable[[F], F]:
        """Handle transcriptions (``POST /voice/transcription``), ``completed`` or ``failed``.

        The handler gets a :class:`~twhooks.events.Transcription`.
        """
        return self._status_decorator(self._transcription, statuses)

    def conference_status(self, *events: str) -> Callable[[F], F]:
        """Handle conference events (``POST /voice/conference``), such as ``participant-join``.

        The handler gets a :class:`~twhooks.events.ConferenceStatus`.
        """
        return self._status_decorator(self._conference_status, events)

    def amd(self, *answered_by: str) -> Callable[[F], F]:
        """Handle asynchronous answering machine detection results (``POST /voice/amd``).

        The handler gets an :class:`~twhooks.events.AmdResult`; filter on ``AnsweredBy``
        values such as ``"human"`` or ``"machine_end_beep"``.
        """
        return self._status_decorator(self._amd, answered_by)

    def error(self, handler: F) -> F:
        """Register ``handler(error, event)``, called when a webhook handler raises.

        It may return a reply (TwiML, ``str``, a response) sent instead of the 500; returning
        ``None`` leaves the 500, so that Twilio tries your fallback URL. Error handlers are
        tried in registration order.
        """
        self._error_handlers.append(handler)
        return handler

    def _status_decorator(self, router: StatusRouter, values: tuple[Any, ...]) -> Callable[[F], F]:
        if values and callable(values[0]):
            raise HandlerError(f"use @hooks.{router.what}(...) with parentheses")

        def register(handler: F) -> F:
            router.add(handler, values)
            return handler

        return register

    # -- URLs -------------------------------------------------------------------------------

    def step_url(self, step: str | None = None, *, external: bool = False, **query: str) -> str:
        """The URL of a call step, for TwiML ``action`` attributes.

        Relative by default (``/twilio/voice/menu``): Twilio resolves it against the URL of
        the request being answered. With ``external=True`` the URL is absolute, built on
        ``TWHOOKS_PUBLIC_URL`` when set. Needs an app context (a request's, usually).

        :param step: a step registered with :meth:`call`; ``None`` for the incoming-call URL.
        :param query: added to the query string (``attempt="2"``), read back from
            ``flask.request.args``.
        :raises HandlerError: no handler is registered for ``step``.
        """
        if step is not None and self._steps.match(step) is None:
            known = ", ".join(repr(s) for s in self._steps.handlers if s is not None)
            raise HandlerError(
                f"no @hooks.call({step!r}) handler is registered (steps: {known or 'none'})"
            )
        if step is None:
            return self._url("voice", "/voice", external, query)
        return self._url("voice_step", "/voice/" + quote(step), external, query, step=step)

    def callback_url(self, kind: str, *, external: bool = False, **query: str) -> str:
        """The URL of a twhooks route, for ``statusCallback`` and similar attributes.

        :param kind: ``messages``, ``message_status``, ``voice``, ``call_status``,
            ``recording_status``, ``transcription``, ``conference_status`` or ``amd``.
        """
        if kind not in CALLBACKS:
            raise HandlerError(f"unknown callback {kind!r}; one of: {', '.join(CALLBACKS)}")
        return self._url(kind, CALLBACKS[kind], external, query)

    def _url(
        self, endpoint: str, path: str, external: bool, query: Mapping[str, str], **values: str
    ) -> str:
        public = current_app.config.get("TWHOOKS_PUBLIC_URL") if external else None
        if public:
            state: AppState = current_app.extensions["twhooks"]
            url = str(public).rstrip("/") + state.url_prefix + path
            return f"{url}?{urlencode(query)}" if query else url
        return url_for(f"twhooks.{endpoint}", _external=external, **values, **query)

    # -- request handling -------------------------------------------------------------------

    def _receive(self, req: BaseRequest) -> tuple[Flask, Params, str | None] | BaseResponse:
        """Verify and parse the request, or the response that refuses it."""
        app = _app()
        environ = req.environ
        config = app.config
        state: AppState = app.extensions["twhooks"]
        verified = environ.get(ENVIRON_KEY)
        try:
            if isinstance(verified, VerifiedRequest):
                # Checked already, by TwilioSignatureMiddleware in front of the app.
                pairs = verified.params
            elif config["TWHOOKS_VALIDATE"] is not False:
                pairs = verify_environ(
                    state.verifier_for(config),
                    environ,
                    public_url=config["TWHOOKS_PUBLIC_URL"],
                    max_body_size=config["TWHOOKS_MAX_BODY_SIZE"],
                ).params
            else:
                pairs = _read_form(environ, config["TWHOOKS_MAX_BODY_SIZE"])
        except SignatureError as error:
            logger.warning("rejected %s %s: %s [%s]", req.method, req.path, error, error.code)
            return _plain("forbidden: the X-Twilio-Signature check failed", 403)
        except RequestError as error:
            logger.warning("rejected %s %s: %s", req.method, req.path, error.reason)
            return _plain(f"bad request: {error.reason}", error.status_code)
        except ConfigurationError as error:
            logger.error("cannot answer %s %s: %s", req.method, req.path, error)
            return _plain("twhooks is misconfigured; see the application log", 500)
        if not pairs and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            query = environ.get("QUERY_STRING")
            if query:
                pairs = parse_form(query.encode("latin-1"))
        token = environ.get("HTTP_I_TWILIO_IDEMPOTENCY_TOKEN")
        if token and config["TWHOOKS_DEDUPLICATE"]:
            replayed = _claim_or_replay(app, state, environ, token)
            if replayed is not None:
                return replayed
        return app, Params(pairs), token

    def _view_message(self, req: BaseRequest) -> BaseResponse:
        received = self._receive(req)
        if isinstance(received, BaseResponse):
            return received
        app, params, token = received
        # flask.session is passed as the proxy: the conversation reads it only if needed.
        conversation = Conversation(session)
        router = self._messages
        state = conversation.state if router.states else None
        found = router.match(params.get("Body", ""), state)
        if found is None:
            if not self._messages:
                logger.warning(
                    "no @hooks.message handler is registered; answering MessageSid=%s "
                    "with an empty <Response/>",
                    params.get("MessageSid"),
                )
            else:
                logger.info(
                    "no @hooks.message handler matched body %r (state %r); add "
                    "@hooks.message() as a catch-all",
                    params.get("Body", "")[:40],
                    state,
                )
            return _twiml(app, EMPTY_TWIML)
        route, match = found
        event = IncomingMessage.from_params(
            params, idempotency_token=token, match=match, conversation=conversation
        )
        return self._run(app, route.handler, event, "message", "@hooks.message", conversation)

    def _view_call(self, req: BaseRequest, step: str | None = None) -> BaseResponse:
        received = self._receive(req)
        if isinstance(received, BaseResponse):
            return received
        app, params, token = received
        handler = self._steps.match(step)
        if handler is None and step in RESERVED_STEPS:
            # GET /voice/status and the like: the fixed route exists, for POST only.
            logger.warning("%s %s: this callback route accepts POST only", req.method, step)
            return _plain(f"/voice/{step} accepts POST only", 405)
        if handler is None:
            where = "@hooks.call()" if step is None else f"@hooks.call({step!r})"
            logger.warning(
                "no %s handler is registered; answering CallSid=%s with an empty <Response/> "
                "(Twilio hangs up)",
                where,
                params.get("CallSid"),
            )
            return _twiml(app, EMPTY_TWIML)
        conversation = Conversation(session)
        event = Call.from_params(
            params, idempotency_token=token, step=step, conversation=conversation
        )
        return self._run(app, handler, event, "say", "@hooks.call", conversation)

    def _view_status(
        self,
        req: BaseRequest,
        router: StatusRouter,
        event_type: type[_Event],
        field: str,
        text_verb: TextVerb,
    ) -> BaseResponse:
        received = self._receive(req)
        if isinstance(received, BaseResponse):
            return received
        app, params, token = received
        event = event_type.from_params(params, idempotency_token=token)
        value = getattr(event, field)
        handler = router.match(value)
        if handler is None:
            logger.info(
                "no @hooks.%s handler for %s %r; add @hooks.%s() to handle every one",
                router.what,
                field,
                value,
                router.what,
            )
            return app.response_class(status=204)
        return self._run(app, handler, event, text_verb, f"@hooks.{router.what}", None)

    def _view_message_status(self, req: BaseRequest) -> BaseResponse:
        return self._view_status(req, self._message_status, MessageStatus, "status", "message")

    def _view_call_status(self, req: BaseRequest) -> BaseResponse:
        return self._view_status(req, self._call_status, CallStatus, "status", "say")

    def _view_recording_status(self, req: BaseRequest) -> BaseResponse:
        return self._view_status(req, self._recording_status, RecordingStatus, "status", "say")

    def _view_transcription(self, req: BaseRequest) -> BaseResponse:
        return self._view_status(req, self._transcription, Transcription, "status", "say")

    def _view_conference(self, req: BaseRequest) -> BaseResponse:
        return self._view_status(req, self._conference_status, ConferenceStatus, "event", "say")

    def _view_amd(self, req: BaseRequest) -> BaseResponse:
        return self._view_status(req, self._amd, AmdResult, "answered_by", "say")

    def _run(
        self,
        app: Flask,
        handler: Callable[..., Any],
        event: _Event,
        text_verb: TextVerb,
        decorator: str,
        conversation: Conversation | None,
    ) -> BaseResponse:
        """Call ``handler`` and turn its result (or its exception) into the response."""
        try:
            result = handler(event)
            if conversation is not None:
                _save(conversation)
            if isinstance(result, BaseResponse):
                return result
            if result is None and conversation is None:
                # A status callback: Twilio reads no TwiML, any 2xx will do.
                return app.response_class(status=204)
            body = render_twiml(result, text_verb)
        except Exception as error:
            return self._failed(app, error, handler, event, text_verb, decorator)
        return _twiml(app, body)

    def _failed(
        self,
        app: Flask,
        error: Exception,
        handler: Callable[..., Any],
        event: _Event,
        text_verb: TextVerb,
        decorator: str,
    ) -> BaseResponse:
        logger.exception(
            "%s handler %s failed on %s", decorator, _handler_name(handler), _describe(event)
        )
        for error_handler in self._error_handlers:
            try:
                result = error_handler(error, event)
                if result is None:
                    continue
                if isinstance(result, BaseResponse):
                    return result
                return _twiml(app, render_twiml(result, text_verb))
            except Exception:
                logger.exception(
                    "@hooks.error handler %s failed too on %s",
                    _handler_name(error_handler),
                    _describe(event),
                )
                break
        propagate = app.config.get("PROPAGATE_EXCEPTIONS")
        if propagate is None:
            propagate = app.testing or app.debug
        if propagate:
            # Like Flask: with TESTING or DEBUG, show the error instead of a bare 500.
            raise error
        return _plain("a webhook handler failed; see the application log", 500)


def _save(conversation: Conversation) -> None:
    try:
        conversation.save_if_changed()
    except RuntimeError as error:
        # Flask's NullSession refuses writes when the app has no secret key.
        raise HandlerError(
            "conversation state is kept in flask.session, which needs app.secret_key "
            f"(SECRET_KEY): {error}"
        ) from error


def _claim_or_replay(
    app: Flask, state: AppState, environ: dict[str, Any], token: str
) -> BaseResponse | None:
    """Claim ``token`` for this request, or the response of the request it is a retry of."""
    cache = state.replay_cache(app.config)
    path = environ.get("PATH_INFO", "")
    claim, first = cache.claim(f"{path} {token}")
    if first:
        environ[_CLAIM_KEY] = (cache, claim)
        return None
    stored = cache.replay(claim)
    if stored is None:
        # The first request failed or is still running after the wait: run this one.
        logger.info("retry of %s (idempotency token %s) runs again", path, token)
        return None
    logger.info("retry of %s (idempotency token %s) answered with the first response", path, token)
    return app.response_class(stored.get_data(), status=stored.status_code, headers=stored.headers)


def _replayable(view: Callable[..., BaseResponse]) -> Callable[..., BaseResponse]:
    """Wrap a view so that a request that claimed its idempotency token finishes the claim.

    The claim keeps the response *object*, read only if a retry comes. Flask's own
    processing (the session cookie) changes that same object right after the view returns,
    long before Twilio gives up on a request and retries, so a retry gets exactly what the
    first request got, cookie included. An ``after_request`` function that *replaces* the
    response object is not seen by the replay.
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> BaseResponse:
        # The request object itself, looked up once: every ``request.<name>`` through the
        # proxy costs a context-variable lookup, and this runs on every webhook.
        req: BaseRequest = request._get_current_object()  # type: ignore[attr-defined]
        environ = req.environ
        try:
            response = view(req, *args, **kwargs)
        except BaseException:
            pending = environ.pop(_CLAIM_KEY, None)
            if pending is not None:
                pending[0].finish(pending[1], None)
            raise
        pending = environ.pop(_CLAIM_KEY, None)
        if pending is not None:
            # Failures are not kept, so that their retry runs again.
            keep = response.status_code < 500 and not response.is_streamed
            pending[0].finish(pending[1], response if keep else None)
        return response

    return wrapped
