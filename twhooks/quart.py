"""twhooks for Quart apps: webhooks and voice sockets on asyncio, on the same core as Flask.

:class:`TwilioHooks` is the Quart twin of the Flask extension: the same decorators (it is a
:class:`~twhooks.handlers.Handlers`), routes, events, settings and replies, run by the same
:class:`~twhooks.dispatch.Dispatcher` (:meth:`~twhooks.dispatch.Dispatcher.handle_async`).
Handlers may be ``async def``; plain ones run in a worker thread, so neither they nor the
replay store's blocking calls stall the event loop. Like the Flask extension, it verifies
each webhook in a ``before_request`` function placed before the app's own, keeps the final
bytes of each reply (session cookie included) for Twilio's retries, and lets a handler
exception that no ``@hooks.error`` handler answers propagate into Quart's error handling.

::

    app = Quart(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = os.environ["TWILIO_AUTH_TOKEN"]
    hooks = TwilioHooks(app)

    @hooks.message(keyword="HELLO")
    async def hello(msg):
        return f"Hi {await crm.name_of(msg.from_)}!"

    @hooks.relay()
    async def agent(session):
        async for prompt in session.prompts():
            await session.say(llm.stream(prompt.text))

:func:`mount_quart` adds ``<prefix>/relay/<CallSid>`` and ``<prefix>/stream/<CallSid>``
to a Quart app. As on Flask, the upgrade is verified by a ``before_websocket`` function
placed first among the app's own, so a forged upgrade runs no app code and is answered
with an HTTP status before the socket is accepted (Hypercorn and Uvicorn support that
ASGI extension; other servers close the socket instead). Handlers are ``async def`` and get
an :class:`~twhooks.realtime.relay.AsyncRelaySession` or
:class:`~twhooks.realtime.stream.AsyncStreamSession`.

Needs the ``quart`` extra: ``pip install twhooks[quart]``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from quart import (
    Blueprint,
    Quart,
    Request,
    Response,
    current_app,
    request,
    session,
    url_for,
    websocket,
)
from quart.wrappers.response import DataBody
from werkzeug.datastructures import Headers

from . import asgi, testing
from .app_store import StoreProperties, share_call_records, start_app
from .dispatch import Dispatcher, Received
from .exceptions import ConfigurationError, HandlerError, RequestError, RequestTooLarge
from .handlers import Handlers
from .kinds import KINDS as WEBHOOK_KINDS
from .kinds import Kind, add_routes, kind_named
from .realtime.errors import SessionClosed, UpgradeRefused
from .realtime.handlers import SOCKET_KINDS, RealtimeDecorators, RealtimeHandlers, RealtimeSettings
from .realtime.lifecycle import CallStore
from .realtime.verify import Upgrade
from .replies import Reply
from .settings import Settings
from .simulator import Request as SimRequest
from .simulator import Response as SimResponse
from .store.settings import StoreFacades
from .wsgi import quote_path, request_url

__all__ = ["QuartSocket", "QuartTransport", "TwilioHooks", "TwilioTestClient", "mount_quart"]

F = TypeVar("F", bound=Callable[..., Any])

BLUEPRINT = "twhooks"

# Where the before_request function leaves the received request for the view, and where
# the after_request function leaves the response for the teardown function (in the scope).
_RECEIVED = "twhooks.received"
_RESPONSE = "twhooks.response"


@dataclass(frozen=True, slots=True)
class _AppState:
    """What :class:`TwilioHooks` keeps per app, in ``app.extensions["twhooks"]``."""

    hooks: TwilioHooks
    settings: Settings
    dispatcher: Dispatcher
    #: The shared store and its facades (``hooks.deliveries`` and the like).
    facades: StoreFacades


class TwilioHooks(StoreProperties, Handlers, RealtimeDecorators):
    """Receive Twilio webhooks and voice sockets in a Quart app.

    The decorators are those of the Flask extension, including :meth:`relay`, :meth:`stream`
    and :meth:`session_end` for ConversationRelay and Media Streams (see
    :doc:`/voice_agents`).

    :param app: the app to initialise now (see :meth:`init_app`).
    :param call_store: where the voice sessions' call records live (the shared store by
        default; see :mod:`twhooks.realtime.lifecycle`).
    """

    def __init__(self, app: Quart | None = None, *, call_store: CallStore | None = None) -> None:
        super().__init__()
        #: The relay and stream handlers, and the live sessions of this process.
        self.realtime = RealtimeHandlers(call_store)
        self._call_store_given = call_store is not None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Quart) -> None:
        """Read and check the settings of *app*, open its store, register the webhook and
        socket routes.

        The store is that of the Flask extension (``TWHOOKS_STORE``: an SQLite file in the
        app's instance folder by default, a memory store for a ``TESTING`` app).

        :raises ConfigurationError: a setting is missing or malformed (such as no
            ``TWILIO_AUTH_TOKEN`` with validation on); the message names it.
        """
        settings, facades, dispatcher = start_app(
            self,
            app.config,
            native=(Response,),
            instance_path=app.instance_path,
            testing=app.testing,
        )
        state = _AppState(self, settings, dispatcher, facades)
        blueprint = Blueprint(BLUEPRINT, __name__, url_prefix=settings.url_prefix or None)
        add_routes(blueprint, lambda kind: _view(state, kind))
        app.register_blueprint(blueprint)
        app.extensions["twhooks"] = state
        # First of the app's before_request functions, whatever is registered later.
        app.before_request_funcs.setdefault(None, []).insert(0, _receiver(state))
        app.after_request_funcs.setdefault(None, []).insert(0, _after)
        app.teardown_request(_teardown)
        if not self._call_store_given:
            share_call_records(self.realtime, facades, settings.url_prefix)
        mount_quart(
            app,
            self.realtime,
            url_prefix=settings.url_prefix,
            settings=RealtimeSettings.from_settings(settings, app.config),
        )

    # -- shared state (hooks.deliveries and the like: StoreProperties) --------------------

    def _store_facades(self) -> StoreFacades:
        try:
            state: _AppState = current_app.extensions["twhooks"]
        except KeyError:
            raise ConfigurationError("this app was not initialised with TwilioHooks") from None
        return state.facades

    # -- URLs -------------------------------------------------------------------------------

    def step_url(self, step: str | None = None, *, external: bool = False, **query: str) -> str:
        """The URL of a call step, as :meth:`twhooks.TwilioHooks.step_url` (app context)."""
        if step is not None and self.steps.match(step) is None:
            known = ", ".join(repr(s) for s in self.steps.handlers if s is not None)
            raise HandlerError(
                f"no @hooks.call({step!r}) handler is registered (steps: {known or 'none'})"
            )
        path = WEBHOOK_KINDS["call"].path
        if step is None:
            return _url("call", path, external, query)
        return _url("call_step", f"{path}/{quote(step)}", external, query, step=step)

    def callback_url(self, kind: str, *, external: bool = False, **query: str) -> str:
        """The URL of a twhooks route, as :meth:`twhooks.TwilioHooks.callback_url`."""
        try:
            found = kind_named(kind)
        except HandlerError:
            raise HandlerError(
                f"unknown callback {kind!r}; one of: {', '.join(WEBHOOK_KINDS)}"
            ) from None
        return _url(found.name, found.path, external, query)


def _url(endpoint: str, path: str, external: bool, query: Mapping[str, str], **values: str) -> str:
    state: _AppState = current_app.extensions["twhooks"]
    public = state.settings.public_url if external else None
    if public:
        url = public + state.settings.url_prefix + path
        return f"{url}?{urlencode(query)}" if query else url
    return url_for(f"{BLUEPRINT}.{endpoint}", _external=external, **values, **query)


# -- the request path --------------------------------------------------------------------------


def _request() -> Request:
    """The current request itself (each use of the ``request`` proxy looks it up again)."""
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    return req


async def _receive(state: _AppState, req: Request) -> Received | Reply:
    """Read and verify the request *req*, and claim its idempotency token (the store's
    calls, and the history of a refusal, in a worker thread when the store blocks)."""
    dispatcher, settings = state.dispatcher, state.settings
    kind = _kind(req)
    scope: MutableMapping[str, Any] = req.scope  # type: ignore[assignment]
    verified = asgi.verified_request(scope)  # by the ASGI middleware in front of the app
    read = verified is None and (not settings.validate or "X-Twilio-Signature" in req.headers)
    try:
        body = b""
        if read:
            length = req.content_length
            if length is not None and length > settings.max_body_size:
                raise RequestTooLarge(
                    f"Content-Length {length} is over the limit of {settings.max_body_size} bytes",
                    limit=settings.max_body_size,
                    length=length,
                )
            # Cached: the body stays readable for the app after verification.
            body = await req.get_data(cache=True, as_text=False, parse_form_data=False)
        webhook = asgi.webhook_request(
            scope,
            body,
            public_url=settings.public_url,
            max_body_size=settings.max_body_size,
            max_params=settings.max_params,
            read=read,
        )
    except RequestError as error:
        url = request_url(asgi.scope_environ(scope), settings.public_url)
        return await dispatcher.refuse_async(
            error, req.method, quote_path(req.path), url=url, kind=kind
        )
    received = await dispatcher.receive_async(webhook, verified, kind)
    if isinstance(received, Reply):
        return received
    if received.token is not None and dispatcher.replays is not None:
        # On the loop only when the store does not block; a retry waits in a thread.
        replayed = await dispatcher.claim_async(received)
        if replayed is not None:
            return replayed
    scope[_RECEIVED] = received
    return received


def _kind(req: Request) -> str | None:
    """The webhook kind of a twhooks route's request (from its endpoint)."""
    rule = req.url_rule
    if rule is None or rule.endpoint is None:
        return None
    return str(rule.endpoint).removeprefix(BLUEPRINT + ".").removesuffix("_step")


def _receiver(state: _AppState) -> Callable[[], Awaitable[Response | None]]:
    async def receive_twilio_webhook() -> Response | None:
        req = _request()
        if req.blueprint != BLUEPRINT or _RECEIVED in req.scope:
            return None
        received = await _receive(state, req)
        if isinstance(received, Reply):
            return _response(received)
        return None

    return receive_twilio_webhook


def _view(state: _AppState, kind: Kind) -> Callable[..., Awaitable[Response]]:
    dispatcher = state.dispatcher

    async def view(step: str | None = None) -> Response:
        req = _request()
        scope: MutableMapping[str, Any] = req.scope  # type: ignore[assignment]
        received: Received | Reply | None = scope.get(_RECEIVED)
        if received is None:
            # Only when the app skipped its before_request functions.
            received = await _receive(state, req)
        if isinstance(received, Reply):
            return _response(received)
        return _response(await dispatcher.handle_async(received, kind, step, session))

    view.__name__ = f"twhooks_{kind.name}"
    return view


def _scope() -> MutableMapping[str, Any]:
    """The ASGI scope of the current request, where twhooks keeps its per-request values."""
    scope: MutableMapping[str, Any] = request.scope  # type: ignore[assignment]
    return scope


def _response(reply: Reply) -> Response:
    if reply.native is not None:
        native: Response = reply.native
        return native
    # Its Content-Type among the headers: the response class keeps it as given.
    headers = Headers(reply.headers)
    return current_app.response_class(reply.body, status=reply.status, headers=headers)


async def _after(response: Response) -> Response:
    scope = _scope()
    if _RECEIVED in scope:
        scope[_RESPONSE] = response
    return response


async def _teardown(error: BaseException | None) -> None:
    """Keep the final bytes of a claimed request's response for its retries, and the request
    in the webhook history (in one trip to a worker thread when the store blocks).

    A request that ended in an exception keeps nothing, so that its retry runs again.
    """
    scope = _scope()
    received: Received | None = scope.pop(_RECEIVED, None)
    response: Any = scope.pop(_RESPONSE, None)
    if received is None:
        return
    dispatcher: Dispatcher = current_app.extensions["twhooks"].dispatcher
    stored = None
    if (
        error is None
        and response is not None
        and (received.claim is not None or dispatcher.shared.keeps_history)
    ):
        stored = Reply(response.status_code, list(response.headers.items()), await _body(response))
    status = 500 if response is None else response.status_code
    await dispatcher.conclude_async(received, stored, status)


async def _body(response: Any) -> bytes:
    """The body bytes of Quart's *response*, or of werkzeug's for an HTTP error (Quart's
    500 page, say)."""
    data = response.response if isinstance(response, Response) else None
    if isinstance(data, DataBody):  # bytes already: what get_data() would iterate over
        return data.data[data.begin : data.end]
    got = response.get_data(as_text=False)
    body: bytes = await got if inspect.isawaitable(got) else got
    return body


class QuartSocket:
    """Quart's ``websocket`` as an :class:`~twhooks.realtime.transport.AsyncSocket`."""

    __slots__ = ("_closed", "_ws")

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._closed = False

    async def send(self, text: str) -> None:
        if self._closed:
            raise SessionClosed()
        await self._ws.send(text)

    async def receive(self) -> str | bytes:
        if self._closed:
            raise SessionClosed()
        frame: str | bytes = await self._ws.receive()
        return frame

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if not self._closed:
            self._closed = True
            await self._ws.close(code, reason)


def mount_quart(
    app: Quart,
    handlers: RealtimeHandlers,
    *,
    url_prefix: str = "/twilio",
    settings: RealtimeSettings | None = None,
) -> None:
    """Add the WebSocket routes of *handlers* to *app*; end their sessions when it stops.

    :param url_prefix: ``TWHOOKS_URL_PREFIX``.
    :param settings: read from ``app.config`` now if not given.
    :raises ConfigurationError: no auth token with validation on.
    """
    settings = settings if settings is not None else RealtimeSettings.from_config(app.config)
    prefix = "/" + url_prefix.strip("/") if url_prefix.strip("/") else ""
    endpoints: dict[str, str] = {}
    for kind in SOCKET_KINDS:
        endpoint = f"twhooks_{kind}"
        endpoints[endpoint] = kind
        app.add_websocket(
            f"{prefix}/{kind}/<call_sid>", endpoint, _socket_view(kind, handlers, settings)
        )

    async def verify_upgrade() -> Response | None:
        kind = endpoints.get(websocket.endpoint or "")
        if kind is None:
            return None
        upgrade = Upgrade.from_scope(websocket.scope)
        call_sid = (websocket.view_args or {}).get("call_sid", "")
        handler = handlers.handlers.get(kind)
        if handler is not None and not inspect.iscoroutinefunction(handler):
            raise HandlerError(f"the @{kind}() handler must be an async def on Quart")
        try:
            handlers.check(kind, upgrade, call_sid, settings)
        except UpgradeRefused as refused:
            return _refusal(refused)
        return None

    # First among the app's own: a forged upgrade runs none of them.
    app.before_websocket_funcs.setdefault(None, []).insert(0, verify_upgrade)

    @app.after_serving
    async def end_sessions() -> None:
        # The server has stopped accepting and given live calls its graceful timeout
        # (Hypercorn's --graceful-timeout is the grace period); the sockets still open are
        # gone or about to be, and Quart leaves their handlers running: cancel them now,
        # so that their teardown and end hooks run.
        await handlers.registry.drain_async(grace=0.0)


def _refusal(refused: UpgradeRefused) -> Response:
    return Response(
        f"WebSocket upgrade refused ({refused.status}).\n",
        status=refused.status,
        mimetype="text/plain",
    )


def _socket_view(kind: str, handlers: RealtimeHandlers, settings: RealtimeSettings) -> Any:
    async def view(call_sid: str) -> Response | None:
        upgrade = Upgrade.from_scope(websocket.scope)
        try:
            # The call claimed in a worker thread when its store blocks.
            live = await handlers.open_async(kind, upgrade, call_sid)
        except UpgradeRefused as refused:
            return _refusal(refused)
        try:
            await websocket.accept()
        except BaseException:
            await handlers.registry.close_async(live, "refused")
            raise
        # The request-local proxy resolved once: the session outlives no context, but
        # every send and receive would otherwise look the context variable up again.
        socket = QuartSocket(websocket._get_current_object())  # type: ignore[attr-defined]
        await handlers.serve_async(kind, socket, live, settings.first_message_timeout)
        return None

    view.__name__ = f"twhooks_{kind}"
    return view


# -- testing -----------------------------------------------------------------------------------


class QuartTransport:
    """Sends simulated webhooks to a Quart app through its test client (no network).

    The simulator is synchronous: each request runs in an event loop of its own.

    :param app: the Quart app.
    :param base_url: the scheme and host Twilio would call (``https://example.com``).
    """

    def __init__(self, app: Quart, base_url: str = "http://localhost") -> None:
        self._client = app.test_client(use_cookies=False)
        self.base_url = base_url.rstrip("/")

    def __call__(self, request: SimRequest) -> SimResponse:
        scheme, _, rest = request.url.partition("://")
        host, slash, path = rest.partition("/")
        headers = {"Host": host, **request.headers}
        body = urlencode(request.params) if request.method != "GET" else None
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return asyncio.run(self._send(request, slash + path, scheme, headers, body))

    async def _send(
        self,
        request: SimRequest,
        path: str,
        scheme: str,
        headers: dict[str, str],
        body: str | None,
    ) -> SimResponse:
        result = await self._client.open(  # type: ignore[call-arg]  # json is optional
            path or "/", method=request.method, headers=headers, data=body, scheme=scheme
        )
        return SimResponse(
            url=request.url,
            status_code=result.status_code,
            content_type=result.headers.get("Content-Type", ""),
            text=await result.get_data(as_text=True),
            headers=dict(result.headers),
            set_cookies=tuple(result.headers.getlist("Set-Cookie")),
        )


class TwilioTestClient(testing.TwilioTestClient):
    """:class:`twhooks.testing.TwilioTestClient` for a Quart app: the same conversations,
    calls and webhooks, through the app's test client."""

    def __init__(self, app: Quart, **options: Any) -> None:
        super().__init__(app, **options)  # type: ignore[arg-type]
        self.transport = QuartTransport(app, self.base_url or "http://localhost")
