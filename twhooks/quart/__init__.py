"""twhooks for Quart apps: webhooks and voice sockets on asyncio, on the same core as Flask.

:class:`TwilioHooks` is the Quart twin of the Flask extension: the same decorators (it is a
:class:`~twhooks.handlers.Handlers`), routes, events, settings and replies, run by the same
:class:`~twhooks.dispatch.AsyncDispatcher`.
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

The package has the rooms of :mod:`twhooks.flask`: this module (the extension),
:mod:`~twhooks.quart.sockets` (the voice sockets, which the extension mounts:
:func:`~twhooks.quart.sockets.mount_quart`) and :mod:`~twhooks.quart.testing` (the test
client). Their names are re-exported here.

Needs the ``quart`` extra: ``pip install 'twhooks[quart]'``; without it, importing this
package raises :class:`~twhooks.exceptions.ConfigurationError` saying so.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from werkzeug.datastructures import Headers

from ..extras import missing

try:
    from quart import Blueprint, Quart, Request, Response, current_app, request, session
    from quart.wrappers.response import DataBody
except ModuleNotFoundError as error:
    if error.name != "quart":
        raise
    raise missing("quart", "twhooks.quart", "quart") from error

from .. import asgi, glue
from ..background.execute import run_job
from ..background.jobs import Job
from ..dispatch import AsyncDispatcher, Received
from ..dispatch.received import Refused
from ..exceptions import RequestError, RequestTooLarge
from ..glue import BLUEPRINT, AppState, Framework, TwilioHooksBase, note_response
from ..kinds import Kind
from ..replies import Reply
from ..settings import RealtimeSettings
from ..wsgi import quote_path
from .sockets import QuartSocket, mount_quart
from .testing import QuartTransport, TwilioTestClient

__all__ = ["QuartSocket", "QuartTransport", "TwilioHooks", "TwilioTestClient", "mount_quart"]

# Where the before_request function leaves the received request for the view, and where
# the after_request function leaves the response for the teardown function (in the scope).
_RECEIVED, _RESPONSE = glue.RECEIVED_KEY, glue.RESPONSE_KEY


class TwilioHooks(TwilioHooksBase[Quart]):
    """Receive Twilio webhooks and voice sockets in a Quart app.

    The decorators are those of the Flask extension, including :meth:`relay`, :meth:`stream`
    and :meth:`session_end` for ConversationRelay and Media Streams (see
    :doc:`/voice_agents`).

    :param app: the app to initialise now (see :meth:`init_app`).
    :param call_store: where the voice sessions' call records live (the shared store by
        default; see :mod:`twhooks.realtime.lifecycle`).
    """

    _framework = Framework((Response,), Blueprint, current_app, AsyncDispatcher)

    def _job_work(self, app: Quart) -> Callable[[Job], str]:
        def work(job: Job) -> str:
            # On a loop of its own (in the runner's thread, or a worker's), the app's
            # context pushed; the job itself in a thread, which the context is copied to.
            async def in_context() -> str:
                async with app.app_context():
                    return await asyncio.to_thread(run_job, self, job)

            return asyncio.run(in_context())

        return work

    def _view(
        self, state: AppState[AsyncDispatcher], kind: Kind
    ) -> Callable[..., Awaitable[Response]]:
        return _view(state, kind)

    def _attach(
        self, app: Quart, state: AppState[AsyncDispatcher], sockets: RealtimeSettings
    ) -> None:
        # First of the app's before_request functions, whatever is registered later.
        app.before_request_funcs.setdefault(None, []).insert(0, _receiver(state))
        app.after_request_funcs.setdefault(None, []).insert(0, _after)
        app.teardown_request(_teardown)
        mount_quart(app, self.realtime, url_prefix=state.url_prefix, settings=sockets)


# -- the request path --------------------------------------------------------------------------


def _request() -> Request:
    """The current request itself (each use of the ``request`` proxy looks it up again)."""
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    return req


async def _receive(
    state: AppState[AsyncDispatcher], req: Request, kind: str | None
) -> Received | Reply:
    """Read and verify the request *req*, and claim its idempotency token (the store's
    calls, and the history of a refusal, in a worker thread when the store blocks)."""
    dispatcher, settings = state.dispatcher, state.settings
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
        url = asgi.request_url(scope, settings.public_url)
        path = quote_path(req.path)
        return await dispatcher.refuse(
            dispatcher.refusal(error, req.method, path, url=url, kind=kind)
        )
    received = dispatcher.receive(webhook, verified, kind)
    if isinstance(received, Refused):
        return await dispatcher.refuse(received)
    # A retry of a request in flight waits for its reply on the loop, holding no thread.
    replayed = await dispatcher.claim(received)
    if replayed is not None:
        return replayed
    scope[_RECEIVED] = received
    return received


def _receiver(state: AppState[AsyncDispatcher]) -> Callable[[], Awaitable[Response | None]]:
    kinds = state.kinds

    async def receive_twilio_webhook() -> Response | None:
        req = _request()
        if req.blueprint != BLUEPRINT or _RECEIVED in req.scope:
            return None
        endpoint = req.endpoint  # that of a twhooks route
        received = await _receive(state, req, kinds[endpoint].name if endpoint else None)
        if isinstance(received, Reply):
            return _response(received)
        return None

    return receive_twilio_webhook


def _view(state: AppState[AsyncDispatcher], kind: Kind) -> Callable[..., Awaitable[Response]]:
    dispatcher = state.dispatcher

    async def view(step: str | None = None) -> Response:
        req = _request()
        scope: MutableMapping[str, Any] = req.scope  # type: ignore[assignment]
        received: Received | Reply | None = scope.get(_RECEIVED)
        if received is None:
            # Only when the app skipped its before_request functions.
            received = await _receive(state, req, kind.name)
        if isinstance(received, Reply):
            return _response(received)
        return _response(await dispatcher.handle(received, kind, step, session))

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
    """Keep the response of a twhooks request for the teardown (see the Flask extension's)."""
    scope = _scope()
    if _RECEIVED not in scope:
        return response  # not a twhooks route
    state: AppState[AsyncDispatcher] = current_app.extensions["twhooks"]
    received = note_response(state, scope, response, quote_path(request.path))
    if received is not None:
        await state.dispatcher.conclude(received, None, response.status_code)
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
    dispatcher: AsyncDispatcher = current_app.extensions["twhooks"].dispatcher
    stored = None
    if error is None and response is not None and dispatcher.needs_bytes(received):
        stored = Reply(response.status_code, list(response.headers.items()), await _body(response))
    status = 500 if response is None else response.status_code
    await dispatcher.conclude(received, stored, status)


async def _body(response: Any) -> bytes:
    """The body bytes of Quart's *response*, or of werkzeug's for an HTTP error (Quart's
    500 page, say)."""
    data = response.response if isinstance(response, Response) else None
    if isinstance(data, DataBody):  # bytes already: what get_data() would iterate over
        return data.data[data.begin : data.end]
    got = response.get_data(as_text=False)
    body: bytes = await got if inspect.isawaitable(got) else got
    return body
