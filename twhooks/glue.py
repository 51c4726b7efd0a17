"""What the Flask and the Quart extensions share, over :class:`flask.sansio.app.App` (the base
of both ``Flask`` and ``Quart``), so that each framework's package only converts.

:class:`TwilioHooksBase` holds the decorators, the store's facades (:class:`StoreProperties`),
``step_url`` and ``callback_url``, and the ``init_app`` skeleton: :func:`start_app` (settings
read, store opened by :func:`open_app_store`, dispatcher built), the ``twhooks`` Blueprint with
one view per webhook kind, the per-app :class:`AppState`, the voice sessions' records in the
store (:func:`share_call_records`); then the framework's own request functions and sockets.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Generic, Literal, TypeVar
from urllib.parse import quote, urlencode

from flask.sansio.app import App
from flask.sansio.blueprints import Blueprint

from . import isolation
from .background.jobs import Job
from .background.runner import runner_for
from .dispatch.received import Received
from .dispatch.steps import DispatcherBase
from .exceptions import ConfigurationError, HandlerError
from .handlers import Handlers
from .kinds import KINDS, Kind, add_routes, kind_named
from .policies import Policies
from .realtime.handlers import RealtimeDecorators, RealtimeHandlers
from .realtime.lifecycle import CallStore
from .realtime.shared import SharedCallStore, history_hook
from .rest.messages import SentMessage
from .rest.sending import Sender
from .settings import RealtimeSettings, Settings, set_defaults
from .store import Blocklist, Calls, Conversations, Deliveries, History, OptOuts
from .store.settings import StoreFacades

__all__ = [
    "ANSWERED_BY_APP",
    "BLUEPRINT",
    "AppState",
    "Framework",
    "StoreProperties",
    "TwilioHooksBase",
    "answered_by_app",
    "open_app_store",
    "share_call_records",
    "start_app",
]

#: The name of the Blueprint of the webhook routes.
BLUEPRINT = "twhooks"

#: The ``why`` in the webhook history of a webhook the app answered before twhooks' view ran.
ANSWERED_BY_APP = "answered by the app before twhooks"

# The name 0.2 logged the adapters' lines under, kept for the apps that configure it.
logger = logging.getLogger("twhooks.extension")

AppT = TypeVar("AppT", bound=App)
D = TypeVar("D", bound=DispatcherBase)


@dataclass(frozen=True, slots=True)
class Framework:
    """What the glue uses of a framework."""

    #: The response types, which handlers may return as they are.
    native: tuple[type[Any], ...]
    #: The Blueprint class.
    blueprint: type[Blueprint]
    #: The proxy to the app of the current context.
    current_app: Any
    #: The dispatcher's driver: ``Dispatcher`` (WSGI) or ``AsyncDispatcher`` (asyncio).
    dispatcher: type[DispatcherBase]


@dataclass(frozen=True, slots=True)
class AppState(Generic[D]):
    """What an extension keeps per app, in ``app.extensions["twhooks"]``."""

    hooks: TwilioHooksBase[Any]
    settings: Settings
    dispatcher: D
    blueprint: Blueprint
    #: The shared store and its facades (``hooks.deliveries`` and the like).
    facades: StoreFacades
    #: The webhook kind of each endpoint of :attr:`blueprint` (``"twhooks.call_step"``),
    #: for the functions that run before the view.
    kinds: dict[str, Kind] = field(default_factory=dict)
    #: The (kind, status) pairs of the app's own answers logged already: one WARNING each.
    warned: set[tuple[str | None, int]] = field(default_factory=set)
    #: What ``hooks.send`` sends with (``None``: built by :func:`sender_for` when needed).
    sender: Sender | None = None

    @property
    def url_prefix(self) -> str:
        return self.settings.url_prefix


#: Where an adapter keeps, per request (the WSGI environ, the ASGI scope), a twhooks request's
#: :class:`~twhooks.dispatch.Received` and then its response, for the teardown that ends it.
RECEIVED_KEY = "twhooks.received"
RESPONSE_KEY = "twhooks.response"


def note_response(
    state: AppState[Any],
    per_request: MutableMapping[str, Any],
    response: Any,
    path: str,
) -> Received | None:
    """Keep *response* of a twhooks request for the teardown that concludes it.

    :returns: the request, when the app answered it itself (see :func:`answered_by_app`):
        nothing is kept then, and the adapter concludes it at once, so that Twilio's retry
        reaches the handler.
    """
    received: Received | None = per_request.get(RECEIVED_KEY)
    if received is None:
        return None
    per_request[RESPONSE_KEY] = response
    status = response.status_code
    location = response.headers.get("Location")
    if status >= 300 and answered_by_app(state, received, status, path, location):
        del per_request[RECEIVED_KEY], per_request[RESPONSE_KEY]
        return received
    return None


def answered_by_app(
    state: AppState[Any], received: Received, status: int, path: str, location: str | None
) -> bool:
    """Whether the app answered *received* itself, before twhooks' view ran: a
    ``before_request`` function or another extension (a login guard's redirect, a rate
    limiter's ``429``, an authentication check's ``401``/``403``).

    Called by the adapters for a twhooks route that answered *status* 300 or more (never
    for a plain reply). The app's own answer is logged — a WARNING once per kind and status,
    naming the cause and the fix — and its ``why`` in the history says so; a redirect that
    the handler returned itself is logged as the handler's, at INFO. An error (5xx) is the
    framework's to log.

    :param path: the request's path, as logged.
    :param location: the ``Location`` of a redirect.
    """
    if received.why is not None:  # the view ran: the handler chose this answer
        if status < 400:
            logger.info(
                "twhooks route %s: its handler %s answered %s (redirect to %s) itself",
                path,
                received.handler or "-",
                status,
                location or "-",
            )
        return False
    if status >= 500:
        return False
    received.why = ANSWERED_BY_APP
    seen = (received.kind, status)
    if seen in state.warned:
        return True
    state.warned.add(seen)
    if status < 400:
        cause = (
            f"answered {status} (redirect to {location or '-'}): a before_request function "
            "of the app, such as a login guard, handled a Twilio webhook"
        )
    else:
        cause = (
            f"answered {status} before twhooks: a before_request function of the app or "
            f"another extension (a rate limiter's 429, an authentication check's 401 or "
            f"403) answered a Twilio webhook, so no handler ran"
        )
    logger.warning(
        "twhooks route %s %s; exempt twhooks routes (request.blueprint == %r; Flask-Limiter: "
        "@limiter.request_filter), see the docs' 'Adding twhooks to an existing app' "
        "(logged once per route and status)",
        path,
        cause,
        BLUEPRINT,
    )
    return True


def start_app(
    handlers: Handlers,
    config: MutableMapping[str, Any],
    *,
    dispatcher: type[D],
    native: tuple[type[Any], ...],
    instance_path: str | os.PathLike[str],
    testing: bool,
) -> tuple[Settings, StoreFacades, D]:
    """Read an app's settings, open its store and build its dispatcher.

    Missing ``TWHOOKS_*`` settings are set to their defaults on *config* first.

    :param handlers: the extension, with its registered handlers.
    :param dispatcher: the driver: ``Dispatcher`` (WSGI) or ``AsyncDispatcher`` (asyncio).
    :param native: the framework's response types, which handlers may return as they are.
    :raises ConfigurationError: naming the first setting that cannot work.
    """
    set_defaults(config)
    settings = Settings.from_config(config)
    facades, policies = open_app_store(settings, instance_path=instance_path, testing=testing)
    driver = dispatcher(
        handlers,
        settings,
        replays=facades.store if settings.deduplicate else None,
        native=native,
        policies=policies,
    )
    return settings, facades, driver


def open_app_store(
    settings: Settings,
    *,
    instance_path: str | os.PathLike[str],
    testing: bool,
) -> tuple[StoreFacades, Policies]:
    """Open the store an app's *settings* name, with its facades and their part in the
    request path.

    :param instance_path: the app's instance folder, for the default SQLite file.
    :param testing: the app's ``TESTING``: then an unset ``TWHOOKS_STORE`` is a memory store
        (under pytest it is one in any case: see :mod:`twhooks.isolation`).
    :raises ConfigurationError: naming the first setting that cannot work.
    """
    store = settings.store
    if store.url is None and isolation.active():
        # Under pytest: a store of its own, emptied before each test (twhooks.isolation).
        store = replace(store, url=isolation.isolated_store())
    elif store.url is None and testing:
        # Tests get a store of their own, not the app's SQLite file.
        store = replace(store, url="memory://")
    facades = StoreFacades.open(store, instance_path=instance_path)
    mode: Literal["store", "cookie"] = (
        "cookie" if facades.conversation_mode == "cookie" else "store"
    )
    return facades, Policies(facades, mode)


def sender_for(settings: Settings, facades: StoreFacades) -> Sender:
    """What ``hooks.send`` of an app with these *settings* and store sends with: keys claimed
    in its store (as long as its webhooks' claims, ``TWHOOKS_REPLAY_LEASE``), sent keys and
    messages kept as long as its deliveries (``TWHOOKS_DELIVERY_TTL``). Its client is built
    on the first send."""
    return Sender(
        settings.rest,
        facades.store,
        deliveries=facades.deliveries,
        opt_outs=facades.opt_outs,
        lease=settings.replay_lease,
        ttl=settings.store.delivery_ttl,
    )


def share_call_records(realtime: RealtimeHandlers, facades: StoreFacades, url_prefix: str) -> None:
    """Keep *realtime*'s call records in the shared store (one socket per call holds across
    every worker and host, and callbacks find the host holding a call), and record each
    session in the webhook history when it ends.

    The history hook is a plain function: on an event loop the session's end runs plain
    hooks in a worker thread when the store blocks (see ``RealtimeHandlers.serve_async``).
    """
    realtime.registry.store = SharedCallStore(facades.store)
    if facades.history is not None:
        realtime.on_end(history_hook(facades.history, url_prefix))


class StoreProperties:
    """The shared store's facades as properties of an extension (they need an app context:
    the facades are those of the current app)."""

    def _store_facades(self) -> StoreFacades:
        """The facades of the current app."""
        raise NotImplementedError

    @property
    def deliveries(self) -> Deliveries:
        """The delivery record of every message (:class:`~twhooks.store.Deliveries`)."""
        return self._store_facades().deliveries

    @property
    def calls(self) -> Calls:
        """What is known of every call (:class:`~twhooks.store.Calls`)."""
        return self._store_facades().calls

    @property
    def conversations(self) -> Conversations:
        """Conversation states kept in the store (:class:`~twhooks.store.Conversations`)."""
        return self._store_facades().conversations

    @property
    def opt_outs(self) -> OptOuts:
        """Who opted out (:class:`~twhooks.store.OptOuts`)."""
        return self._store_facades().opt_outs

    @property
    def blocklist(self) -> Blocklist:
        """Numbers whose calls are rejected and messages ignored
        (:class:`~twhooks.store.Blocklist`)."""
        return self._store_facades().blocklist

    @property
    def history(self) -> History:
        """The webhook history (:class:`~twhooks.store.History`).

        :raises ConfigurationError: ``TWHOOKS_HISTORY`` is off.
        """
        history = self._store_facades().history
        if history is None:
            raise ConfigurationError("the webhook history is off (TWHOOKS_HISTORY = False)")
        return history


class TwilioHooksBase(StoreProperties, Handlers, RealtimeDecorators, Generic[AppT]):
    """The part of ``TwilioHooks`` that is the same on Flask and on Quart.

    A framework's extension says how to build its Blueprint and views, and adds its own
    request functions and socket routes in :meth:`_attach`.

    :param app: the app to initialise now (see :meth:`init_app`).
    :param call_store: where the voice sessions' call records live (the shared store by
        default; see :mod:`twhooks.realtime.lifecycle`).
    """

    #: The framework's parts the glue uses.
    _framework: ClassVar[Framework]

    def __init__(self, app: AppT | None = None, *, call_store: CallStore | None = None) -> None:
        super().__init__()
        #: The relay and stream handlers, and the live voice sessions of this process.
        self.realtime = RealtimeHandlers(call_store)
        self._call_store_given = call_store is not None
        #: The apps initialised, for a worker that runs a job with no app context pushed.
        self._apps: weakref.WeakSet[AppT] = weakref.WeakSet()
        if app is not None:
            self.init_app(app)

    # -- setup ------------------------------------------------------------------------------

    def init_app(self, app: AppT) -> None:
        """Read and check the settings of *app*, open its store, and register the ``twhooks``
        Blueprint and the voice-socket routes.

        Missing ``TWHOOKS_*`` settings are set to their defaults on ``app.config``. Settings
        are read now, once: change them before calling this. The store is ``TWHOOKS_STORE``:
        an SQLite file in the app's instance folder by default, a memory store for a
        ``TESTING`` app.

        :raises ConfigurationError: a setting is missing or malformed (such as no
            ``TWILIO_AUTH_TOKEN`` with validation on); the message names it.
        """
        settings, facades, dispatcher = start_app(
            self,
            app.config,
            dispatcher=self._framework.dispatcher,
            native=self._framework.native,
            instance_path=app.instance_path,
            testing=app.testing,
        )
        self._check(app, settings)
        prefix = settings.url_prefix or None
        blueprint = self._framework.blueprint(BLUEPRINT, __name__, url_prefix=prefix)
        state = AppState(
            self, settings, dispatcher, blueprint, facades, sender=sender_for(settings, facades)
        )
        endpoints = add_routes(blueprint, lambda kind: self._view(state, kind))
        state.kinds.update({f"{BLUEPRINT}.{name}": kind for name, kind in endpoints.items()})
        app.register_blueprint(blueprint)
        app.extensions["twhooks"] = state
        self._apps.add(app)
        dispatcher.runner = runner_for(
            settings.background.runner, self, settings=settings, work=self._job_work(app)
        )
        if not self._call_store_given:
            share_call_records(self.realtime, facades, settings.url_prefix)
        # Refused upgrades observed as the app's refused webhooks are.
        self.realtime.observers = dispatcher.observers
        self._attach(app, state, settings.realtime)

    def _job_app(self) -> AppT | None:
        """The app a job runs in when no app context is pushed: the one app initialised with
        this extension (``None`` when a context is pushed)."""
        if self._framework.current_app:
            return None
        apps = list(self._apps)
        if len(apps) != 1:
            raise ConfigurationError(
                f"this TwilioHooks was initialised with {len(apps)} apps: run the job with "
                "twhooks.background.run_in_app(app, job), or in the app's context"
            )
        return apps[0]

    def _job_work(self, app: AppT) -> Callable[[Job], str]:
        """What runs one background job of *app*: its context pushed, then
        :func:`~twhooks.background.run_job`."""
        raise NotImplementedError

    def _check(self, app: AppT, settings: Settings) -> None:
        """Check the framework's own settings of *app*, before anything is registered."""

    def _view(self, state: AppState[Any], kind: Kind) -> Callable[..., Any]:
        """The view of *kind*'s routes."""
        raise NotImplementedError

    def _attach(self, app: AppT, state: AppState[Any], sockets: RealtimeSettings) -> None:
        """Add the framework's request functions and the voice-socket routes to *app*."""
        raise NotImplementedError

    # -- per-app state ----------------------------------------------------------------------

    def _state(self) -> AppState[Any]:
        """The state of the current app (what needs it needs an app context)."""
        try:
            state: AppState[Any] = self._framework.current_app.extensions["twhooks"]
        except KeyError:
            raise ConfigurationError("this app was not initialised with TwilioHooks") from None
        return state

    def _store_facades(self) -> StoreFacades:
        return self._state().facades

    # -- sending ----------------------------------------------------------------------------

    def send(
        self,
        *,
        to: str,
        body: str | None = None,
        from_: str | None = None,
        media_url: str | Sequence[str] | None = None,
        status_callback: str | None = None,
        messaging_service_sid: str | None = None,
        key: str | None = None,
    ) -> SentMessage:
        """Send a message through Twilio's REST API (the Messages resource).

        A blocking call (the API's answer, its retries included): call it from a sync view,
        a background handler or a job; in an ``async def`` view or handler (Quart), use
        :meth:`send_async`. Needs an app context. See :doc:`/sending`.

        :param to: the recipient.
        :param body: the text; at least one of *body* and *media_url* is needed.
        :param from_: your number; or *messaging_service_sid* instead.
        :param media_url: one media URL or several.
        :param status_callback: where Twilio posts its status callbacks; by default, when
            ``TWHOOKS_PUBLIC_URL`` is set, this app's ``message_status`` route (so
            :attr:`deliveries` follows it); ``""``: none.
        :param key: an idempotency key: the same key sends at most once, across workers and
            hosts (claimed in the app's store); a second call returns the first message.
        :raises ~twhooks.TwilioApiError: Twilio refused the message (error 21610 records the
            recipient as opted out first) or could not be reached, after the retries.
        :raises ~twhooks.ConfigurationError: no credentials (``TWILIO_ACCOUNT_SID`` and
            ``TWILIO_AUTH_TOKEN``, or an API key, or ``TWHOOKS_REST_CLIENT``).
        """
        sender, status_callback = self._sender(status_callback)
        return sender.send(
            to=to,
            body=body,
            from_=from_,
            media_url=media_url,
            status_callback=status_callback,
            messaging_service_sid=messaging_service_sid,
            key=key,
        )

    async def send_async(
        self,
        *,
        to: str,
        body: str | None = None,
        from_: str | None = None,
        media_url: str | Sequence[str] | None = None,
        status_callback: str | None = None,
        messaging_service_sid: str | None = None,
        key: str | None = None,
    ) -> SentMessage:
        """:meth:`send` for an ``async def`` view or handler (Quart): the API is called in a
        worker thread, and a *key* that another worker is sending under is waited for on
        the event loop. Needs an app context. See :doc:`/sending`."""
        sender, status_callback = self._sender(status_callback)
        return await sender.send_async(
            to=to,
            body=body,
            from_=from_,
            media_url=media_url,
            status_callback=status_callback,
            messaging_service_sid=messaging_service_sid,
            key=key,
        )

    def _sender(self, status_callback: str | None) -> tuple[Sender, str | None]:
        """The app's sender, and the status callback a message gets: *status_callback*, or
        this app's ``message_status`` route when ``TWHOOKS_PUBLIC_URL`` is set (``""``:
        none)."""
        state = self._state()
        if status_callback is None and state.settings.public_url:
            status_callback = self.callback_url("message_status", external=True)
        return state.sender or sender_for(state.settings, state.facades), status_callback or None

    # -- URLs -------------------------------------------------------------------------------

    def step_url(self, step: str | None = None, *, external: bool = False, **query: str) -> str:
        """The URL of a call step, for TwiML ``action`` attributes.

        Relative by default (``/twilio/voice/menu``): Twilio resolves it against the URL of
        the request being answered. With ``external=True`` the URL is absolute, built on
        ``TWHOOKS_PUBLIC_URL`` when set. Needs an app context (a request's, usually).

        :param step: a step registered with :meth:`call`; ``None`` for the incoming-call URL.
        :param query: added to the query string (``attempt="2"``), read back from
            ``request.args``.
        :raises HandlerError: no handler is registered for ``step``.
        """
        if step is not None and self.steps.match(step) is None:
            known = ", ".join(repr(s) for s in self.steps.handlers if s is not None)
            raise HandlerError(
                f"no @hooks.call({step!r}) handler is registered (steps: {known or 'none'})"
            )
        path = KINDS["call"].path
        if step is None:
            return self._url("call", path, external, query)
        return self._url("call_step", f"{path}/{quote(step)}", external, query, step=step)

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
        return self._url(found.name, found.path, external, query)

    def _url(
        self, endpoint: str, path: str, external: bool, query: Mapping[str, str], **values: str
    ) -> str:
        state = self._state()
        public = state.settings.public_url if external else None
        if public:
            url = public + state.url_prefix + path
            return f"{url}?{urlencode(query)}" if query else url
        url_for: Callable[..., str] = self._framework.current_app.url_for
        return url_for(f"{BLUEPRINT}.{endpoint}", _external=external, **values, **query)
