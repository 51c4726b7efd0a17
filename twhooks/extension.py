"""The Flask extension: thin glue between Flask and the dispatcher.

:class:`TwilioHooks` registers a Blueprint named ``twhooks`` under ``TWHOOKS_URL_PREFIX``
(``/twilio`` by default) with one route per webhook kind of :data:`twhooks.kinds.KINDS`
(this table is :func:`twhooks.kinds.route_table`, checked by the tests):

===============================  =========  ============================
route                            methods    handlers
===============================  =========  ============================
``/twilio/messages``             GET, POST  ``@hooks.message``
``/twilio/messages/status``      POST       ``@hooks.message_status``
``/twilio/voice``                GET, POST  ``@hooks.call``
``/twilio/voice/<step>``         GET, POST  ``@hooks.call('<step>')``
``/twilio/voice/status``         POST       ``@hooks.call_status``
``/twilio/voice/recording``      POST       ``@hooks.recording_status``
``/twilio/voice/transcription``  POST       ``@hooks.transcription``
``/twilio/voice/conference``     POST       ``@hooks.conference_status``
``/twilio/voice/amd``            POST       ``@hooks.amd``
===============================  =========  ============================

The request path itself lives in :mod:`twhooks.dispatch`; this module only connects it to
Flask:

- a ``before_request`` function that runs **before the app's own** verifies every request to
  a twhooks route and claims its idempotency token, so that a forged request reaches no user
  code and a retry is answered with the first reply; the body stays readable afterwards;
- the views hand the verified request to the dispatcher with :data:`flask.session` for the
  conversation state, and turn its :class:`~twhooks.replies.Reply` into a Flask response;
- a handler exception that no ``@hooks.error`` handler answers propagates into Flask, so
  ``@app.errorhandler(500)`` and ``got_request_exception`` see it;
- once Flask has finished the response (session cookie included), its bytes are kept for the
  retries of the request (in a ``teardown_request`` function).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, current_app, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from .app_store import StoreProperties, share_call_records, start_app
from .dispatch import Dispatcher, Received
from .exceptions import ConfigurationError, HandlerError, RequestError
from .handlers import Handlers
from .inspector import check_settings as check_inspector_settings
from .inspector import mount as mount_inspector
from .kinds import KINDS, Kind, add_routes, kind_named
from .realtime.handlers import FLASK_BLUEPRINT as REALTIME_BLUEPRINT
from .realtime.handlers import RealtimeDecorators, RealtimeHandlers, RealtimeSettings
from .realtime.lifecycle import CallStore
from .replies import Reply
from .settings import Settings
from .store.settings import StoreFacades
from .wsgi import quote_path, request_url, verified_request, webhook_request

__all__ = ["TwilioHooks"]

logger = logging.getLogger(__name__)

BLUEPRINT = "twhooks"

# Where the before_request function leaves the received request for the view, and where
# the after_request function leaves the response for the teardown function.
_RECEIVED = "twhooks.received"
_RESPONSE = "twhooks.response"


@dataclass(frozen=True, slots=True)
class _AppState:
    """What :class:`TwilioHooks` keeps per app, in ``app.extensions["twhooks"]``."""

    hooks: TwilioHooks
    settings: Settings
    dispatcher: Dispatcher
    blueprint: Blueprint
    #: The shared store and its facades (``hooks.deliveries`` and the like).
    facades: StoreFacades

    @property
    def url_prefix(self) -> str:
        return self.settings.url_prefix


class TwilioHooks(StoreProperties, Handlers, RealtimeDecorators):
    """Receive Twilio webhooks in a Flask app.

    ::

        hooks = TwilioHooks(app)          # or TwilioHooks() now, hooks.init_app(app) later

        @hooks.message(keyword="HELP")
        def help_(msg):
            return "Reply BAL for your balance."

    Handlers are registered on the extension and shared by every app it is initialised
    with. Settings are read once, by :meth:`init_app`. See :doc:`/routing` for the matching
    order.

    :param app: the app to initialise now (see :meth:`init_app`).
    """

    def __init__(self, app: Flask | None = None, *, call_store: CallStore | None = None) -> None:
        super().__init__()
        #: The relay and stream handlers, and the live voice sessions of this process.
        self.realtime = RealtimeHandlers(call_store)
        self._call_store_given = call_store is not None
        if app is not None:
            self.init_app(app)

    # -- setup ------------------------------------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Read and check the settings of *app*, and register the ``twhooks`` Blueprint.

        Missing ``TWHOOKS_*`` settings are set to their defaults on ``app.config``. Settings
        are read now, once: change them before calling this.

        :raises ConfigurationError: a setting is missing or malformed (such as no
            ``TWILIO_AUTH_TOKEN`` with validation on); the message names it.
        """
        settings, facades, dispatcher = start_app(
            self,
            app.config,
            native=(BaseResponse,),
            instance_path=app.instance_path,
            testing=app.testing,
        )
        inspector = check_inspector_settings(app.config, app.debug)
        blueprint = Blueprint(BLUEPRINT, __name__, url_prefix=settings.url_prefix or None)
        state = _AppState(self, settings, dispatcher, blueprint, facades)
        add_routes(blueprint, lambda kind: _view(state, kind))
        app.register_blueprint(blueprint)
        app.extensions["twhooks"] = state
        if inspector.enabled:
            mount_inspector(app, state, inspector)
        if not self._call_store_given:
            share_call_records(self.realtime, facades, settings.url_prefix)
        check_upgrade = self.realtime.attach_flask(
            app,
            RealtimeSettings.from_settings(settings, app.config),
            url_prefix=settings.url_prefix,
            register_check=False,  # run by the receiver: one function on every request
        )
        # First of the app's before_request functions, whatever is registered later.
        app.before_request_funcs.setdefault(None, []).insert(0, _receiver(state, check_upgrade))
        # First registered, so it runs last of the app's after_request functions.
        app.after_request_funcs.setdefault(None, []).insert(0, _after)
        app.teardown_request(_finisher(dispatcher))

    # -- shared state (hooks.deliveries and the like: StoreProperties) --------------------

    def _store_facades(self) -> StoreFacades:
        return _state().facades

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
        if step is not None and self.steps.match(step) is None:
            known = ", ".join(repr(s) for s in self.steps.handlers if s is not None)
            raise HandlerError(
                f"no @hooks.call({step!r}) handler is registered (steps: {known or 'none'})"
            )
        path = KINDS["call"].path
        if step is None:
            return _url("call", path, external, query)
        return _url("call_step", f"{path}/{quote(step)}", external, query, step=step)

    def callback_url(self, kind: str, *, external: bool = False, **query: str) -> str:
        """The URL of a twhooks route, for ``statusCallback`` and similar attributes.

        :param kind: a name of :data:`twhooks.kinds.KINDS` (``message_status``,
            ``call_status``, ``recording_status``, ...).
        :raises HandlerError: no kind has that name.
        """
        try:
            found = kind_named(kind)
        except HandlerError:
            raise HandlerError(f"unknown callback {kind!r}; one of: {', '.join(KINDS)}") from None
        return _url(found.name, found.path, external, query)


def _state() -> _AppState:
    """The state of the current app (the properties above need an app context)."""
    try:
        state: _AppState = current_app.extensions["twhooks"]
    except KeyError:
        raise ConfigurationError("this app was not initialised with TwilioHooks") from None
    return state


def _url(endpoint: str, path: str, external: bool, query: Mapping[str, str], **values: str) -> str:
    state: _AppState = current_app.extensions["twhooks"]
    public = state.settings.public_url if external else None
    if public:
        url = public + state.url_prefix + path
        return f"{url}?{urlencode(query)}" if query else url
    return url_for(f"{BLUEPRINT}.{endpoint}", _external=external, **values, **query)


# -- the request path --------------------------------------------------------------------------


def _receive(state: _AppState, environ: dict[str, Any], kind: str | None) -> Received | Reply:
    """Read and verify the request in *environ*, and claim its idempotency token."""
    dispatcher = state.dispatcher
    settings = state.settings
    verified = verified_request(environ)  # by TwilioSignatureMiddleware in front of the app
    try:
        webhook = webhook_request(
            environ,
            public_url=settings.public_url,
            max_body_size=settings.max_body_size,
            max_params=settings.max_params,
            read=verified is None
            and (not settings.validate or "HTTP_X_TWILIO_SIGNATURE" in environ),
        )
    except RequestError as error:
        method = str(environ.get("REQUEST_METHOD", ""))
        path = quote_path(environ.get("PATH_INFO", ""))
        url = request_url(environ, settings.public_url)
        return dispatcher.refuse(error, method, path, url=url, kind=kind)
    received = dispatcher.receive(webhook, verified, kind)
    if isinstance(received, Reply):
        return received
    replayed = dispatcher.claim(received)
    if replayed is not None:
        return replayed
    environ[_RECEIVED] = received
    return received


def _receiver(
    state: _AppState, check_upgrade: Callable[[], BaseResponse | None] | None
) -> Callable[[], BaseResponse | None]:
    """The app's first ``before_request`` function: verifies webhooks (and, through
    *check_upgrade*, the WebSocket upgrades of the voice routes) before any of the app's."""
    csrf_exempt = False

    def receive_twilio_webhook() -> BaseResponse | None:
        nonlocal csrf_exempt
        # The request object itself, looked up once: every ``request.<name>`` through the
        # proxy costs a context-variable lookup, and this runs on every request.
        req = request._get_current_object()  # type: ignore[attr-defined]
        blueprint = req.blueprint
        if blueprint != BLUEPRINT:
            if check_upgrade is not None and blueprint == REALTIME_BLUEPRINT:
                return check_upgrade()
            return None
        if _RECEIVED in req.environ:
            return None
        endpoint: str = req.url_rule.endpoint
        if not csrf_exempt:
            # Once, on the first webhook (every extension is initialised by then), before
            # CSRFProtect's own check, whichever was initialised first.
            _exempt_from_csrf(current_app, state.blueprint)
            csrf_exempt = True
        kind = endpoint.removeprefix(BLUEPRINT + ".").removesuffix("_step")
        received = _receive(state, req.environ, kind)
        if isinstance(received, Reply):
            return _response(received)
        return None

    return receive_twilio_webhook


def _view(state: _AppState, kind: Kind) -> Callable[..., BaseResponse]:
    dispatcher = state.dispatcher

    def view(step: str | None = None) -> BaseResponse:
        environ = request.environ
        received = environ.get(_RECEIVED)
        if received is None:
            # Only when the app skipped its before_request functions.
            received = _receive(state, environ, kind.name)
            if isinstance(received, Reply):
                return _response(received)
        return _response(dispatcher.handle(received, kind, step, session))

    view.__name__ = f"twhooks_{kind.name}"
    return view


def _response(reply: Reply) -> BaseResponse:
    if reply.native is not None:
        native: BaseResponse = reply.native
        return native
    headers = reply.headers
    if len(headers) == 1 and headers[0][0] == "Content-Type":  # the usual TwiML reply
        return current_app.response_class(
            reply.body, status=reply.status, content_type=headers[0][1]
        )
    return current_app.response_class(reply.body, status=reply.status, headers=headers)


def _after(response: BaseResponse) -> BaseResponse:
    """Note the response of a twhooks request, for the teardown function; warn on a redirect."""
    environ = request.environ
    if _RECEIVED not in environ:
        return response
    environ[_RESPONSE] = response
    status = response.status_code
    if 300 <= status < 400:
        logger.warning(
            "twhooks route %s answered %s (redirect to %s): a before_request function of "
            "the app, such as a login guard, handled a Twilio webhook; exempt twhooks routes "
            "(request.blueprint == %r), see the docs' 'Adding twhooks to an existing app'",
            quote_path(environ.get("PATH_INFO", "")),
            status,
            response.headers.get("Location", "-"),
            BLUEPRINT,
        )
    return response


def _finisher(dispatcher: Dispatcher) -> Callable[[BaseException | None], None]:
    def finish_twilio_webhook(error: BaseException | None) -> None:
        """Keep the final bytes of a claimed request's response for its retries, and the
        request in the webhook history.

        Teardown runs once Flask has finished the response, session cookie included; a
        request that ended in an exception keeps nothing, so that its retry runs again.
        """
        environ = request.environ
        received: Received | None = environ.pop(_RECEIVED, None)
        response: BaseResponse | None = environ.pop(_RESPONSE, None)
        if received is None:
            return
        stored = None
        if error is None and response is not None and not response.is_streamed:
            stored = Reply(
                response.status_code, list(response.headers.items()), response.get_data()
            )
        dispatcher.conclude(received, stored, 500 if response is None else response.status_code)

    return finish_twilio_webhook


def _exempt_from_csrf(app: Flask, blueprint: Blueprint) -> None:
    """Exempt twhooks routes from Flask-WTF's ``CSRFProtect``, if the app has it.

    Twilio cannot send a CSRF token; its requests are authenticated by their signature.
    """
    csrf = app.extensions.get("csrf")
    if csrf is not None and hasattr(csrf, "exempt"):
        csrf.exempt(blueprint)
