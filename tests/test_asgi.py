"""twhooks.asgi.TwilioSignatureMiddleware in front of a bare ASGI app, over a real Hypercorn
server on 127.0.0.1; requests signed by the official SDK."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from _hypercorn import HypercornServer
from _signing import TOKEN, official_signature
from twilio.request_validator import RequestValidator

from twhooks.asgi import SCOPE_KEY, TwilioSignatureMiddleware, scope_environ
from twhooks.realtime.errors import UpgradeRefused
from twhooks.realtime.testing import RelayCaller

PARAMS = {"AccountSid": "AC" + "1" * 32, "From": "+14155550100", "Body": "a+b & c=d ü"}


class EchoApp:
    """Answers with what it saw: the body, and what the middleware verified."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        self.calls += 1
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            await send(
                {
                    "type": "websocket.send",
                    "text": json.dumps({"type": "text", "token": "hi", "last": True}),
                }
            )
            await send({"type": "websocket.close", "code": 1000})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        verified = scope.get(SCOPE_KEY)
        answer = json.dumps(
            {"body": body.decode(), "params": verified.params if verified else None}
        ).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": answer})


@pytest.fixture
def protected() -> Iterator[tuple[EchoApp, HypercornServer]]:
    app = EchoApp()
    server = HypercornServer(
        TwilioSignatureMiddleware(app, TOKEN, protect=["/twilio"], max_body_size=2000)
    )
    try:
        yield app, server
    finally:
        server.stop()


def post(url: str, params: dict[str, str], signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return requests.post(url, data=params, headers=headers, timeout=10)


def test_signed_request_passes_with_its_body(protected: tuple[EchoApp, HypercornServer]) -> None:
    app, server = protected
    url = server.url + "/twilio/sms?x=1"
    response = post(url, PARAMS, official_signature(url, PARAMS))
    assert response.status_code == 200
    seen = response.json()
    assert seen["body"] == (
        "AccountSid=AC11111111111111111111111111111111&From=%2B14155550100"
        "&Body=a%2Bb+%26+c%3Dd+%C3%BC"
    )
    assert [tuple(p) for p in seen["params"]] == list(PARAMS.items())
    assert app.calls == 1


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="unsigned"),
        pytest.param("AAAAAAAAAAAAAAAAAAAAAAAAAAA=", id="garbage"),
        pytest.param(official_signature("http://elsewhere/twilio/sms", PARAMS), id="other-url"),
    ],
)
def test_forged_request_refused_before_the_app(
    protected: tuple[EchoApp, HypercornServer],
    signature: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, server = protected
    with caplog.at_level(logging.WARNING, "twhooks.middleware"):
        response = post(server.url + "/twilio/sms", PARAMS, signature)
    assert response.status_code == 403
    assert app.calls == 0
    assert "Rejected Twilio webhook POST /twilio/sms" in caplog.text


def test_unprotected_path_passes_untouched(protected: tuple[EchoApp, HypercornServer]) -> None:
    _app, server = protected
    response = post(server.url + "/health", {"a": "1"}, None)
    assert response.status_code == 200
    assert response.json() == {"body": "a=1", "params": None}


def test_body_over_the_limit_is_413(protected: tuple[EchoApp, HypercornServer]) -> None:
    app, server = protected
    params = {"Body": "x" * 5000}
    url = server.url + "/twilio/sms"
    assert post(url, params, official_signature(url, params)).status_code == 413
    assert app.calls == 0


def test_websocket_upgrade_verified(protected: tuple[EchoApp, HypercornServer]) -> None:
    app, server = protected
    url = f"ws://127.0.0.1:{server.port}/twilio/relay"
    with pytest.raises(UpgradeRefused) as refused:
        RelayCaller(url, None).open()
    assert refused.value.status == 403
    assert app.calls == 0
    signature = str(
        RequestValidator(TOKEN).compute_signature(f"wss://127.0.0.1:{server.port}/twilio/relay", {})
    )
    caller = RelayCaller(url, None, signature=signature)
    caller.open()
    try:
        assert caller.answer() == "hi"
    finally:
        caller.close()
    assert app.calls == 1


def test_scope_maps_to_the_environ_twilio_signed() -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "https",
        "server": ("example.com", 443),
        "root_path": "/app",
        "path": "/app/twilio/sms",
        "raw_path": b"/app/twilio/sms",
        "query_string": b"a=%27b%27",
        "headers": [
            (b"host", b"example.com"),
            (b"content-type", b"application/x-www-form-urlencoded"),
        ],
    }
    environ = scope_environ(scope, b"Body=hi")
    assert environ["SCRIPT_NAME"] == "/app"
    assert environ["PATH_INFO"] == "/twilio/sms"
    assert environ["QUERY_STRING"] == "a=%27b%27"
    assert environ["HTTP_HOST"] == "example.com"
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["wsgi.input"].read() == b"Body=hi"


@pytest.mark.parametrize("token", [None, "", [], [""]])
def test_no_secret_at_all_fails_at_start_up_like_the_wsgi_middleware(token: Any) -> None:
    from twhooks import ConfigurationError
    from twhooks.asgi import TwilioSignatureMiddleware as ASGIMiddleware

    async def app(scope: Any, receive: Any, send: Any) -> None:  # never reached
        raise AssertionError

    with pytest.raises(ConfigurationError, match="needs an auth token"):
        ASGIMiddleware(app, token)
    ASGIMiddleware(app, token, shared_keys={"k": "secret"})
