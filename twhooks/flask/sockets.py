"""The relay and stream WebSocket routes in a Flask app, through flask-sock.

:func:`mount_flask` adds ``<prefix>/relay/<CallSid>`` and ``<prefix>/stream/<CallSid>``.
The upgrade's signature is checked by a ``before_request`` function placed *first* among
the app's own, so a forged upgrade reaches no app code and no socket is opened for it;
then the view claims the call (one socket per CallSid, none while draining) and hands the
request to flask-sock, which opens the socket on werkzeug, gunicorn (threads), eventlet or
gevent. The session then runs on the request's thread
(:meth:`~twhooks.realtime.handlers.RealtimeHandlers.serve`). The Flask extension mounts
them in ``init_app`` when flask-sock is installed.

Needs the ``voice`` extra: ``pip install 'twhooks[voice]'``. flask-sock itself (and its
WebSocket stack) is imported on the first upgrade, with :mod:`twhooks.flask.websocket`, so
that an app whose voice routes are never called does not load it.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, request

from ..exceptions import HandlerError
from ..realtime.errors import UpgradeRefused
from ..realtime.handlers import SOCKET_KINDS, RealtimeHandlers, RealtimeSettings
from ..realtime.transport import MAX_FRAME_BYTES
from ..realtime.verify import Upgrade
from . import SOCKETS_BLUEPRINT

if TYPE_CHECKING:
    from .websocket import FlaskSockSocket as FlaskSockSocket

__all__ = ["BLUEPRINT", "FlaskSockSocket", "mount_flask"]

_LIVE_KEY = "twhooks.realtime.live"
#: The name of the blueprint of the socket routes.
BLUEPRINT = _BLUEPRINT = SOCKETS_BLUEPRINT


def mount_flask(
    app: Flask,
    handlers: RealtimeHandlers,
    *,
    url_prefix: str = "/twilio",
    settings: RealtimeSettings | None = None,
    register_check: bool = True,
) -> Callable[[], Response | None]:
    """Add the WebSocket routes of *handlers* to *app*.

    :param url_prefix: ``TWHOOKS_URL_PREFIX``.
    :param settings: read from ``app.config`` now if not given
        (:meth:`~twhooks.realtime.handlers.RealtimeSettings.from_config`).
    :param register_check: register the upgrade check as the app's first
        ``before_request`` function; without it the caller runs the returned check from its
        own first ``before_request`` function (as the Flask extension does, so that requests
        pay for one function, not two), for requests to :data:`BLUEPRINT`.
    :returns: the check: a refusal for a forged upgrade, else ``None``.
    :raises ConfigurationError: no auth token with validation on.
    """
    settings = settings if settings is not None else RealtimeSettings.from_config(app.config)
    # Twilio's messages are small: a frame over 1 MiB closes the socket (flask-sock's
    # default is no limit). An app's own SOCK_SERVER_OPTIONS win.
    app.config.setdefault("SOCK_SERVER_OPTIONS", {"max_message_size": MAX_FRAME_BYTES})
    prefix = "/" + url_prefix.strip("/") if url_prefix.strip("/") else ""
    blueprint = Blueprint(_BLUEPRINT, __name__, url_prefix=prefix or None)
    for kind in SOCKET_KINDS:
        blueprint.add_url_rule(
            f"/{kind}/<call_sid>",
            endpoint=kind,
            view_func=_view(kind, handlers, settings),
            websocket=True,
        )
    app.register_blueprint(blueprint)

    endpoints = {f"{_BLUEPRINT}.{kind}": kind for kind in SOCKET_KINDS}

    def verify_upgrade() -> Response | None:
        kind = endpoints.get(request.endpoint or "")
        if kind is None:
            return None
        upgrade = Upgrade.from_environ(request.environ)
        call_sid = (request.view_args or {}).get("call_sid", "")
        try:
            handler = handlers.handlers.get(kind)
            if handler is not None and inspect.iscoroutinefunction(handler):
                raise HandlerError(f"the @{kind}() handler must be a plain def on Flask")
            handlers.check(kind, upgrade, call_sid, settings)
        except UpgradeRefused as refused:
            return _refusal(refused)
        return None

    if register_check:
        # First among the app's own: a forged upgrade runs none of them.
        app.before_request_funcs.setdefault(None, []).insert(0, verify_upgrade)
    return verify_upgrade


def _refusal(refused: UpgradeRefused) -> Response:
    return Response(
        f"WebSocket upgrade refused ({refused.status}).\n", refused.status, mimetype="text/plain"
    )


def _view(kind: str, handlers: RealtimeHandlers, settings: RealtimeSettings) -> Any:
    def session(ws: Any, call_sid: str) -> None:
        from .websocket import FlaskSockSocket

        live = request.environ.pop(_LIVE_KEY)
        handlers.serve(kind, FlaskSockSocket(ws), live, settings.first_message_timeout)

    opener: list[Callable[..., Any]] = []  # flask-sock's view of *session*, on first use

    def view(call_sid: str) -> Any:
        upgrade = Upgrade.from_environ(request.environ)
        try:
            live = handlers.open(kind, upgrade, call_sid)
        except UpgradeRefused as refused:
            return _refusal(refused)
        request.environ[_LIVE_KEY] = live
        try:
            if not opener:
                from .websocket import socket_opener

                opener.append(socket_opener(session))
            return opener[0](call_sid=call_sid)
        finally:
            if request.environ.pop(_LIVE_KEY, None) is not None:
                # The socket never opened (a failed handshake): free the call.
                handlers.registry.close(live, "refused")

    view.__name__ = f"twhooks_{kind}"
    return view


def __getattr__(name: str) -> Any:
    if name == "FlaskSockSocket":  # its home loads flask-sock: imported when asked for
        return importlib.import_module(".websocket", __package__).FlaskSockSocket
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
