"""The forms of the WebSocket handshake's signature Twilio uses, each signed by the official
SDK's ``RequestValidator``, through real servers: flask-sock on a threaded werkzeug server,
Quart on Hypercorn. Every other form is refused with 403 before the socket opens.

Twilio signs the upgrade over the ``wss://`` URL of the TwiML (here behind the app's public
URL, ``https://voice.example.com``). Two forms are in use: the whole URL, query included, as
a GET webhook's; and the URL without its query, the query's parameters folded in as form
fields (how Twilio's agent SDK validates it, twilio-agent-connect-python PR #16).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest
from _hypercorn import HypercornServer
from _servers import LiveServer
from _signing import TOKEN
from flask import Flask
from quart import Quart
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from twhooks.flask.sockets import mount_flask
from twhooks.quart.sockets import mount_quart
from twhooks.realtime.errors import UpgradeRefused
from twhooks.realtime.handlers import RealtimeHandlers
from twhooks.realtime.testing import RelayCaller, new_call_sid

PUBLIC = "wss://voice.example.com"
_WAIT = 5.0


class Voice:
    """An app behind ``https://voice.example.com`` whose relay handler notes each call."""

    def __init__(self, framework: str, start: Callable[[Any], Any]) -> None:
        self.hooks = RealtimeHandlers()
        self.calls: list[str] = []
        if framework == "flask":
            app: Any = Flask(__name__)

            @self.hooks.relay()
            def relay(session: Any) -> None:
                self.calls.append(session.call_sid)

            mount_flask_or_quart: Any = mount_flask
        else:
            app = Quart(__name__)

            @self.hooks.relay()
            async def arelay(session: Any) -> None:
                self.calls.append(session.call_sid)

            mount_flask_or_quart = mount_quart
        app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_PUBLIC_URL="https://voice.example.com")
        mount_flask_or_quart(app, self.hooks)
        self.server = start(app)

    def connect(self, target: str, signature: str) -> None:
        """Open a socket to *target* (path and query) with *signature*; wait for its session."""
        url = f"ws://127.0.0.1:{self.server.port}{target}"
        before = len(self.calls)
        with RelayCaller(url, None, signature=signature):
            deadline = time.monotonic() + _WAIT
            while len(self.calls) == before and time.monotonic() < deadline:
                time.sleep(0.005)
        assert len(self.calls) == before + 1


@pytest.fixture(params=["flask", "quart"])
def voice(
    request: pytest.FixtureRequest,
    live_server: Callable[[Any], LiveServer],
    serve: Callable[[Any], HypercornServer],
) -> Voice:
    return Voice(request.param, live_server if request.param == "flask" else serve)


def sign(url: str, params: Any = None) -> str:
    """The official SDK's signature of *url* with *params* folded in (none: a GET)."""
    return str(RequestValidator(TOKEN).compute_signature(url, params or {}))


def agent_sdk_params(query: str) -> dict[str, str]:
    """The parameters Twilio's agent SDK folds in for *query* (first value, blanks dropped)."""
    return {name: values[0] for name, values in parse_qs(query).items()}


# (id, query, what is signed: a function of the path's wss URL and the query)
ACCEPTED: list[tuple[str, str, Callable[[str, str], str]]] = [
    ("no-query", "", lambda url, q: sign(url)),
    ("no-query-port-443", "", lambda url, q: sign(url.replace(PUBLIC, PUBLIC + ":443"))),
    ("bare-question-mark", "?", lambda url, q: sign(url + "?")),
    ("whole-url", "customer=42&lang=fr-FR", lambda url, q: sign(f"{url}?{q}")),
    (
        "whole-url-port-443",
        "customer=42",
        lambda url, q: sign(f"{url}?{q}".replace(PUBLIC, PUBLIC + ":443")),
    ),
    (
        "query-as-fields",
        "customer=42&lang=fr-FR",
        lambda url, q: sign(url, {"customer": "42", "lang": "fr-FR"}),
    ),
    (
        "query-as-fields-port-443",
        "customer=42",
        lambda url, q: sign(url.replace(PUBLIC, PUBLIC + ":443"), {"customer": "42"}),
    ),
    (
        "query-as-fields-escaped",
        "name=J%C3%B6rg+Smith&to=%2B14155550100",
        lambda url, q: sign(url, {"name": "Jörg Smith", "to": "+14155550100"}),
    ),
    (
        "query-as-fields-repeated-and-blank",
        "tag=b&tag=a&empty=&customer=42",
        lambda url, q: sign(
            url, MultiDict([("tag", "b"), ("tag", "a"), ("empty", ""), ("customer", "42")])
        ),
    ),
    (
        "query-as-the-agent-sdk-reads-it",
        "tag=b&tag=a&empty=&customer=42",
        lambda url, q: sign(url, agent_sdk_params(q)),
    ),
]

REFUSED: list[tuple[str, str, Callable[[str, str], str]]] = [
    ("unsigned", "customer=42", lambda url, q: ""),
    ("query-dropped", "customer=42", lambda url, q: sign(url)),
    ("query-as-fields-other-value", "customer=42", lambda url, q: sign(url, {"customer": "43"})),
    (
        "query-as-fields-one-missing",
        "customer=42&vip=1",
        lambda url, q: sign(url, {"customer": "42"}),
    ),
    ("whole-url-other-query", "customer=42", lambda url, q: sign(f"{url}?customer=43")),
    ("https-scheme", "", lambda url, q: sign(url.replace("wss://", "https://"))),
    ("other-call", "", lambda url, q: sign(url[:-34] + new_call_sid())),
    ("other-host", "", lambda url, q: sign(url.replace("voice.example.com", "evil.example"))),
    ("port-80", "", lambda url, q: sign(url.replace(PUBLIC, PUBLIC + ":80"))),
    ("wrong-token", "", lambda url, q: str(RequestValidator("x" * 32).compute_signature(url, {}))),
]


@pytest.mark.parametrize(
    ("query", "signed"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED]
)
def test_accepted(voice: Voice, query: str, signed: Callable[[str, str], str]) -> None:
    call_sid = new_call_sid()
    path = f"/twilio/relay/{call_sid}"
    signature = signed(PUBLIC + path, query.lstrip("?"))
    target = path + ("?" if query == "?" else f"?{query}" if query else "")
    voice.connect(target, signature)
    assert voice.calls == [call_sid]


@pytest.mark.parametrize(("query", "signed"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_before_the_socket_opens(
    voice: Voice, query: str, signed: Callable[[str, str], str], caplog: pytest.LogCaptureFixture
) -> None:
    call_sid = new_call_sid()
    path = f"/twilio/relay/{call_sid}"
    signature = signed(PUBLIC + path, query) or None
    url = f"ws://127.0.0.1:{voice.server.port}{path}" + (f"?{query}" if query else "")
    with (
        caplog.at_level(logging.WARNING, "twhooks.realtime"),
        pytest.raises(UpgradeRefused) as refused,
    ):
        RelayCaller(url, None, signature=signature).open()
    assert refused.value.status == 403
    assert voice.calls == []
    assert "Refused relay WebSocket" in caplog.text


def test_the_sdk_validator_agrees_on_the_forms() -> None:
    """The oracle: the official validator accepts each accepted form for its own reading of
    the URL and parameters (the agent SDK's way), so the tests sign what Twilio's code
    checks."""
    validator = RequestValidator(TOKEN)
    url = f"{PUBLIC}/twilio/relay/{new_call_sid()}"
    params = {"customer": "42", "lang": "fr-FR"}
    assert validator.validate(url, params, sign(url, params))
    assert validator.validate(f"{url}?customer=42", {}, sign(f"{url}?customer=42"))
    assert not validator.validate(url, params, sign(url))
