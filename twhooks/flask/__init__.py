"""The Flask extension: thin glue between Flask and the dispatcher.

:class:`TwilioHooks` registers a Blueprint named ``twhooks`` under ``TWHOOKS_URL_PREFIX``
(``/twilio`` by default) with one route per webhook kind of :data:`twhooks.kinds.KINDS`
(this table is :func:`twhooks.kinds.route_table`, checked by the tests):

=================================  =========  =============================
route                              methods    handlers
=================================  =========  =============================
``/twilio/messages``               GET, POST  ``@hooks.message``
``/twilio/messages/status``        POST       ``@hooks.message_status``
``/twilio/voice``                  GET, POST  ``@hooks.call``
``/twilio/voice/<step>``           GET, POST  ``@hooks.call('<step>')``
``/twilio/voice/status``           POST       ``@hooks.call_status``
``/twilio/voice/recording``        POST       ``@hooks.recording_status``
``/twilio/voice/transcription``    POST       ``@hooks.transcription``
``/twilio/voice/conference``       POST       ``@hooks.conference_status``
``/twilio/voice/amd``              POST       ``@hooks.amd``
``/twilio/conversations``          GET, POST  ``@hooks.conversation_event``
``/twilio/taskrouter/events``      POST       ``@hooks.taskrouter_event``
``/twilio/taskrouter/assignment``  POST       ``@hooks.assignment``
``/twilio/alerts``                 POST       ``@hooks.alert``
``/twilio/events``                 POST       ``@hooks.event_stream``
=================================  =========  =============================

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

What the Quart extension shares with this one is in :mod:`twhooks.glue`. The package's other
rooms: :mod:`twhooks.flask.sockets` (the voice sockets, mounted by ``init_app`` when
flask-sock is installed, which is imported on the first upgrade),
:mod:`twhooks.flask.testing` (the test client), :mod:`twhooks.flask.metrics` (the
``/metrics`` route, imported when set) and :mod:`twhooks.flask.cli` (the ``flask twhooks``
commands). The inspector (:mod:`twhooks.inspector`, imported when enabled) is Flask-only too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, request, session
from werkzeug.wrappers import Response as BaseResponse

from .. import glue
from ..background.execute import run_job
from ..background.jobs import Job
from ..dispatch import Dispatcher, Received
from ..dispatch.received import Refused
from ..exceptions import RequestError
from ..extras import install_command, installed
from ..glue import BLUEPRINT, AppState, Framework, TwilioHooksBase, note_response
from ..kinds import Kind
from ..replies import Reply
from ..settings import RealtimeSettings, Settings
from ..wsgi import quote_path, request_url, verified_request, webhook_request

__all__ = ["TwilioHooks"]

#: The name of the Blueprint of the voice-socket routes (:mod:`twhooks.flask.sockets`).
SOCKETS_BLUEPRINT = "twhooks_realtime"

# Where the before_request function leaves the received request for the view, and where
# the after_request function leaves the response for the teardown function.
_RECEIVED, _RESPONSE = glue.RECEIVED_KEY, glue.RESPONSE_KEY


class TwilioHooks(TwilioHooksBase[Flask]):
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
    :param call_store: where the voice sessions' call records live (the shared store by
        default; see :mod:`twhooks.realtime.lifecycle`).
    """

    _framework = Framework((BaseResponse,), Blueprint, current_app, Dispatcher)

    def _job_work(self, app: Flask) -> Callable[[Job], str]:
        def work(job: Job) -> str:
            with app.app_context():
                return run_job(self, job)

        return work

    def _check(self, app: Flask, settings: Settings) -> None:
        settings.inspector.check(app.debug)

    def _view(self, state: AppState[Dispatcher], kind: Kind) -> Callable[..., BaseResponse]:
        return _view(state, kind)

    def _attach(self, app: Flask, state: AppState[Dispatcher], sockets: RealtimeSettings) -> None:
        if state.settings.inspector.enabled:
            from ..inspector import mount as mount_inspector

            mount_inspector(app, state, state.settings.inspector)
        if state.settings.observability.metrics_route is not None:
            from .metrics import mount_metrics

            mount_metrics(app, state.settings.observability)
        check_upgrade = _mount_sockets(app, state, sockets)
        # First of the app's before_request functions, whatever is registered later.
        app.before_request_funcs.setdefault(None, []).insert(0, _receiver(state, check_upgrade))
        if state.settings.observability.tracing:
            from .tracing import instrumentation_first

            instrumentation_first(app, running=False)  # FlaskInstrumentor().instrument()
        # First registered, so it runs last of the app's after_request functions.
        app.after_request_funcs.setdefault(None, []).insert(0, _after)
        app.teardown_request(_finisher(state.dispatcher))
        from .cli import twhooks_commands

        app.cli.add_command(twhooks_commands)


def _mount_sockets(
    app: Flask, state: AppState[Dispatcher], sockets: RealtimeSettings
) -> Callable[[], BaseResponse | None] | None:
    """Mount the voice-socket routes if flask-sock is installed; the upgrade check if so.

    Without it, nothing is mounted and registering a relay or stream handler raises
    :class:`~twhooks.exceptions.HandlerError` saying what to install.
    """
    realtime = state.hooks.realtime
    # Whether it is installed, not imported: flask-sock is imported on the first upgrade.
    if not installed("flask_sock"):
        realtime.unavailable = f"flask-sock is not installed: {install_command('voice')}"
        return None
    from .sockets import mount_flask

    return mount_flask(
        app,
        realtime,
        url_prefix=state.url_prefix,
        settings=sockets,
        register_check=False,  # run by the receiver: one function on every request
    )


# -- the request path --------------------------------------------------------------------------


def _receive(
    state: AppState[Dispatcher], environ: dict[str, Any], kind: str | None
) -> Received | Reply:
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
        return dispatcher.refuse(dispatcher.refusal(error, method, path, url=url, kind=kind))
    received = dispatcher.receive(webhook, verified, kind)
    if isinstance(received, Refused):
        return dispatcher.refuse(received)
    replayed = dispatcher.claim(received)
    if replayed is not None:
        return replayed
    environ[_RECEIVED] = received
    return received


def _receiver(
    state: AppState[Dispatcher], check_upgrade: Callable[[], BaseResponse | None] | None
) -> Callable[[], BaseResponse | None]:
    """The app's first ``before_request`` function: verifies webhooks (and, through
    *check_upgrade*, the WebSocket upgrades of the voice routes) before any of the app's."""
    csrf_exempt = False
    kinds = state.kinds

    def receive_twilio_webhook() -> BaseResponse | None:
        nonlocal csrf_exempt
        # The request object itself, looked up once: every ``request.<name>`` through the
        # proxy costs a context-variable lookup, and this runs on every request.
        req = request._get_current_object()  # type: ignore[attr-defined]
        blueprint = req.blueprint
        if blueprint != BLUEPRINT:
            if check_upgrade is not None and blueprint == SOCKETS_BLUEPRINT:
                return check_upgrade()
            return None
        if _RECEIVED in req.environ:
            return None
        if not csrf_exempt:
            # Once, on the first webhook (every extension is initialised by then), before
            # CSRFProtect's own check, whichever was initialised first.
            _exempt_from_csrf(current_app, state.blueprint)
            if state.settings.observability.tracing:
                from .tracing import instrumentation_first

                app = current_app._get_current_object()  # type: ignore[attr-defined]
                instrumentation_first(app, running=True)
            csrf_exempt = True
        received = _receive(state, req.environ, kinds[req.url_rule.endpoint].name)
        if isinstance(received, Reply):
            return _response(received)
        return None

    return receive_twilio_webhook


def _view(state: AppState[Dispatcher], kind: Kind) -> Callable[..., BaseResponse]:
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
    """Keep the response of a twhooks request for the teardown (:func:`glue.note_response
    <twhooks.glue.note_response>`); end at once one the app answered itself."""
    environ = request.environ
    if _RECEIVED in environ:
        state: AppState[Dispatcher] = current_app.extensions["twhooks"]
        path = quote_path(environ.get("PATH_INFO", ""))
        received = note_response(state, environ, response, path)
        if received is not None:
            state.dispatcher.conclude(received, None, response.status_code)
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


def _exempt_from_csrf(app: Flask, blueprint: Any) -> None:
    """Exempt twhooks routes from Flask-WTF's ``CSRFProtect``, if the app has it.

    Twilio cannot send a CSRF token; its requests are authenticated by their signature.
    """
    csrf = app.extensions.get("csrf")
    if csrf is not None and hasattr(csrf, "exempt"):
        csrf.exempt(blueprint)
