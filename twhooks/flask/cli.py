"""The ``flask twhooks`` commands, on Flask's own command line (``flask --app APP twhooks``):

::

    flask twhooks urls      the webhook URLs to paste into the Twilio console, one per kind,
                            with the field each one goes in (TWHOOKS_PUBLIC_URL applied)
    flask twhooks check     a preflight: token set, public URL consistent with the routes,
                            store reachable, routes answered by twhooks first (no CSRF check
                            or login guard in front), voice sockets mounted and answered by
                            twhooks first (an unsigned upgrade each); exits 1 with what to
                            fix
    flask twhooks chat      text the app, call it, or send it one webhook of any kind:
    flask twhooks call      ``twhooks chat`` / ``call`` / ``send`` (their options too), in
    flask twhooks send KIND this process, through the app's test client: no server

They read the app's own settings, in its app context, with no server running. The ``twhooks``
console script (:mod:`twhooks.cli`) stays for any framework, over HTTP.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from ..exceptions import TwhooksError
from ..glue import AppState, sender_for
from ..kinds import KINDS
from ..payloads import TEST_ACCOUNT_SID

if TYPE_CHECKING:
    from ..rest.fake import FakeTwilioApi

__all__ = [
    "CONSOLE_FIELDS",
    "SOCKET_FIELDS",
    "call",
    "chat",
    "check",
    "send",
    "twhooks_commands",
    "urls",
]

#: Where each kind's URL goes: a field of the Twilio console, or the parameter of the TwiML
#: verb or REST call that asks for it.
CONSOLE_FIELDS = {
    "message": "Phone Numbers > your number > Messaging: 'A message comes in' (HTTP POST)",
    "message_status": "Messaging Service > Integration: 'Delivery Status Callback', or the "
    "StatusCallback of each message sent",
    "call": "Phone Numbers > your number > Voice: 'A call comes in' (HTTP POST)",
    "call_status": "Phone Numbers > your number > Voice: 'Call status changes'",
    "recording_status": "no console field: recordingStatusCallback of <Record>, <Dial> or "
    "the REST call",
    "transcription": "no console field: transcribeCallback of <Record>",
    "conference_status": "no console field: statusCallback of <Conference>",
    "amd": "no console field: asyncAmdStatusCallback of the REST call (MachineDetection)",
    "conversation_event": "Conversations > Global webhooks (or a Service's Webhooks): the "
    "Pre-Event URL and the Post-Event URL",
    "taskrouter_event": "TaskRouter > your Workspace > Settings: 'Event Callback URL'",
    "assignment": "TaskRouter > your Workspace > Workflows > a Workflow: 'Assignment Callback URL'",
    "alert": "Monitor > Debugger > Webhooks: 'Webhook URL'",
    "event_stream": "Event Streams > Sinks: a Webhook sink's 'Destination' "
    "(twilio api:events:v1:sinks:create)",
}

#: Where each voice socket's URL goes: no console field, the TwiML of each call.
SOCKET_FIELDS = {
    "relay": "no console field: the url of <ConversationRelay>, one per call "
    "(twhooks.realtime.twiml.connect_relay writes it)",
    "stream": "no console field: the url of <Connect><Stream>, one per call "
    "(twhooks.realtime.twiml.connect_stream writes it)",
}

twhooks_commands = AppGroup("twhooks", help="twhooks: the webhook URLs and a preflight check.")


def _state(app: Flask) -> AppState[Any]:
    state: AppState[Any] | None = app.extensions.get("twhooks")
    if state is None:
        raise click.ClickException("this app was not initialised with TwilioHooks")
    return state


def _base(state: AppState[Any]) -> str:
    public = state.settings.public_url
    return (public or "https://YOUR-PUBLIC-HOST") + state.settings.url_prefix


@twhooks_commands.command("urls")
def urls() -> None:
    """Print the webhook URLs to paste into the Twilio console (and those of the voice
    sockets registered)."""
    state = _state(current_app)
    if state.settings.public_url is None:
        click.echo(
            "TWHOOKS_PUBLIC_URL is not set: replace YOUR-PUBLIC-HOST with the address Twilio "
            "reaches the app at (and set it, so that signatures are checked against it)\n",
            err=True,
        )
    base = _base(state)
    width = max(len(kind.name) for kind in KINDS.values())
    for kind in KINDS.values():
        click.echo(f"{kind.name:<{width}}  {base}{kind.path}")
        click.echo(f"{'':<{width}}  -> {CONSOLE_FIELDS[kind.name]}")
    # The voice sockets registered: their URLs are in TwiML, one per call.
    sockets = "wss://" + base.partition("://")[2]
    for socket in sorted(state.hooks.realtime.handlers):
        click.echo(f"{socket:<{width}}  {sockets}/{socket}/<CallSid>")
        click.echo(f"{'':<{width}}  -> {SOCKET_FIELDS[socket]}")


# -- check ------------------------------------------------------------------------------------

#: A check: a name, and a function that returns what is wrong (``None``: all good) and what
#: was found.
Check = Callable[[Flask, AppState[Any]], tuple[str | None, str]]


def _token(app: Flask, state: AppState[Any]) -> tuple[str | None, str]:
    settings = state.settings
    if not settings.validate:
        return (
            "TWHOOKS_VALIDATE is False: any request is accepted as Twilio's; remove it in "
            "production and set TWILIO_AUTH_TOKEN",
            "",
        )
    if settings.auth_tokens or settings.account_tokens is not None:
        return None, f"{len(settings.auth_tokens)} auth token(s) set"
    return None, "shared keys set"


def _public_url(app: Flask, state: AppState[Any]) -> tuple[str | None, str]:
    settings = state.settings
    public = settings.public_url
    if public is None:
        return (
            "TWHOOKS_PUBLIC_URL is not set: signatures are checked against the URL each request "
            "arrives with, which behind a proxy or tunnel is not the one Twilio signed; set it "
            "to the base URL the Twilio console has",
            "",
        )
    scheme, _, rest = public.partition("://")
    host, _, path = rest.partition("/")
    problems = []
    if scheme not in ("http", "https") or not host:
        problems.append(f"TWHOOKS_PUBLIC_URL {public!r} is not an http(s) URL")
    if "?" in public or "#" in public:
        problems.append("TWHOOKS_PUBLIC_URL must not have a query or a fragment")
    prefix = settings.url_prefix
    if prefix and ("/" + path).rstrip("/").endswith(prefix):
        problems.append(
            f"TWHOOKS_PUBLIC_URL ends with the URL prefix {prefix!r}, which twhooks adds: "
            f"the URLs would be {public}{prefix}{KINDS['message'].path}; remove it"
        )
    adapter = app.url_map.bind("localhost")
    for kind in KINDS.values():
        try:
            endpoint, _ = adapter.match(prefix + kind.path, method=kind.methods[-1])
        except (HTTPException, RoutingException):  # NotFound, MethodNotAllowed, a redirect
            endpoint = None
        if endpoint != f"twhooks.{kind.name}":
            problems.append(f"{prefix + kind.path} is not routed to twhooks (to {endpoint})")
    if problems:
        return "; ".join(problems), ""
    if scheme != "https":
        return None, f"{public} (not https: Twilio sends the signature in clear text)"
    return None, public


def _store(app: Flask, state: AppState[Any]) -> tuple[str | None, str]:
    store = state.facades.store
    key, owner = f"twhooks-check:{uuid.uuid4().hex}", "twhooks-check"
    try:
        store.claim(key, owner, 1.0)
        store.finish(key, owner, None, 0.0)
    except TwhooksError as error:
        return f"the store cannot be written: {error} (TWHOOKS_STORE)", ""
    return None, type(store).__name__


@contextmanager
def _quiet() -> Iterator[None]:
    """No WARNING for the refusals ``check`` asks for (they would read as problems)."""
    before = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(before)


def _answered_first(app: Flask, state: AppState[Any]) -> tuple[str | None, str]:
    if not state.settings.validate:
        return None, "skipped: TWHOOKS_VALIDATE is off (an unsigned request would run handlers)"
    client = app.test_client()
    prefix = state.settings.url_prefix
    problems = []
    for kind in KINDS.values():
        # An unsigned request, refused by twhooks (403) unless something answers before it.
        with _quiet():
            response = client.post(prefix + kind.path, data={"twhooks-check": "1"})
        body = response.get_data(as_text=True)
        if response.status_code != 403 or "X-Twilio-Signature" not in body:
            problems.append(_answered(prefix + kind.path, response))
    if problems:
        return (
            "something answers before twhooks (a login guard, a CSRF check, a rate limiter): "
            + "; ".join(problems)
            + "; exempt the twhooks blueprint (request.blueprint == 'twhooks')",
            "",
        )
    return None, f"{len(KINDS)} routes (an unsigned request each, refused by twhooks)"


def _answered(path: str, response: Any) -> str:
    """What *path* answered a probe of ``check`` that twhooks did not refuse."""
    location = response.headers.get("Location")
    return f"{path} answered {response.status_code}" + (
        f" (redirect to {location})" if location else ""
    )


#: The CallSid of the upgrades ``check`` sends (refused before any call is looked up).
_CHECK_CALL = "CA" + "0" * 32
#: Their headers: a WebSocket upgrade (RFC 6455), unsigned.
_UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dHdob29rcyBjaGVjayEhIQ==",
}


def _sockets(app: Flask, state: AppState[Any]) -> tuple[str | None, str]:
    realtime = state.hooks.realtime
    kinds = sorted(realtime.handlers)
    if realtime.unavailable is not None:
        if kinds:
            return f"voice sockets cannot be served: {realtime.unavailable}", ""
        return None, f"none registered ({realtime.unavailable})"
    if not kinds:
        return None, "none registered"
    handlers = ", ".join(f"@hooks.{kind}" for kind in kinds)
    if not state.settings.validate:
        return None, f"{handlers} (not tried: TWHOOKS_VALIDATE is off)"
    client = app.test_client()
    problems = []
    for kind in kinds:
        # An unsigned WebSocket upgrade, refused by twhooks (403) before a socket is opened,
        # unless the route is not mounted or something answers before twhooks.
        path = f"{state.settings.url_prefix}/{kind}/{_CHECK_CALL}"
        with _quiet():
            response = client.get(path, headers=_UPGRADE)
        body = response.get_data(as_text=True)
        if response.status_code != 403 or "WebSocket upgrade refused" not in body:
            problems.append(_answered(path, response))
    if problems:
        return (
            "the upgrade is not answered by twhooks (a route not mounted, a login guard, a "
            "rate limiter): "
            + "; ".join(problems)
            + "; exempt the twhooks_realtime blueprint (request.blueprint)",
            "",
        )
    return None, f"{handlers} (an unsigned upgrade each, refused by twhooks)"


CHECKS: tuple[tuple[str, Check], ...] = (
    ("auth token", _token),
    ("public URL", _public_url),
    ("store", _store),
    ("routes answered by twhooks first", _answered_first),
    ("voice sockets", _sockets),
)


@twhooks_commands.command("check")
def check() -> None:
    """Check that the app is ready for Twilio's webhooks; exit 1 with what to fix."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    state = _state(app)
    failed = 0
    for name, run in CHECKS:
        problem, found = run(app, state)
        if problem is None:
            click.echo(f"ok    {name}: {found}")
        else:
            failed += 1
            click.echo(f"FAIL  {name}: {problem}")
    if failed:
        raise click.exceptions.Exit(1)


# -- chat, call, send: the twhooks command, in process ------------------------------------------

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def _in_process(command: str, kind: str, options: tuple[str, ...], *before: str) -> None:
    """Run ``twhooks <command>`` against the current app through its test client."""
    from ..cli import _parser
    from ..cli.session import run
    from .testing import FlaskTransport

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    state = _state(app)
    settings = state.settings
    base = settings.public_url or "http://localhost"
    url = base + settings.url_prefix + KINDS[kind].path
    args = _parser().parse_args([command, *before, url, *options])
    token = settings.signing_token(None) if settings.validate and not args.unsigned else None
    on_api = None
    if command == "chat":
        # What the app sends through the REST API goes to a local one and shows in the chat.
        if args.fake_api is None:
            args.fake_api = 0
        args.account_sid = args.account_sid or settings.rest.account_sid or TEST_ACCOUNT_SID
        args.api_statuses = ()  # its callbacks could not reach an app served by no server
        on_api = _sending_to(app)
    transport = FlaskTransport(app, base_url=base)
    raise click.exceptions.Exit(run(args, token, transport, on_api))


def _sending_to(app: Flask) -> Callable[[FakeTwilioApi], Callable[[], None]]:
    """Point *app*'s ``hooks.send`` at a local API for the chat, and back after it.

    The app's settings are frozen: its state is replaced by one whose sender has the same
    store, the local API's URL and credentials, and no SDK client; the old state comes back
    when the chat ends. A queue's worker in another process is not pointed: give it
    ``TWILIO_API_BASE_URL`` (``twhooks chat --fake-api PORT``).
    """

    def point(api: FakeTwilioApi) -> Callable[[], None]:
        state = _state(app)
        rest = replace(
            state.settings.rest,
            base_url=api.url,
            account_sid=api.account_sid,
            auth_token=api.auth_token,
            api_key=None,
            api_secret=None,
            client=None,
        )
        settings = replace(state.settings, rest=rest)
        app.extensions["twhooks"] = replace(state, sender=sender_for(settings, state.facades))
        return lambda: app.extensions.__setitem__("twhooks", state)

    return point


@twhooks_commands.command("chat", context_settings=_PASS_THROUGH)
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def chat(options: tuple[str, ...]) -> None:
    """Text the app: each line is a message (twhooks chat's options)."""
    _in_process("chat", "message", options)


@twhooks_commands.command("call", context_settings=_PASS_THROUGH)
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def call(options: tuple[str, ...]) -> None:
    """Call the app (twhooks call's options)."""
    _in_process("call", "call", options)


@twhooks_commands.command("send", context_settings=_PASS_THROUGH)
@click.argument("kind")
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def send(kind: str, options: tuple[str, ...]) -> None:
    """Send one webhook of KIND; Field=value sets a field (twhooks send's options)."""
    from ..exceptions import HandlerError
    from ..kinds import kind_named

    try:
        found = kind_named(kind)
    except HandlerError as error:
        raise click.BadParameter(str(error), param_hint="KIND") from None
    _in_process("send", found.name, options, kind)
