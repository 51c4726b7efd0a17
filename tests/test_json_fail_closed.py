"""JSON bodies are verified fail-closed, through real servers (issue 22).

A request whose body is not a form is bound to its signature only by ``bodySHA256`` in the
signed URL. These tests sign with the official SDK's ``RequestValidator`` (the URL with no
parameters, the hash by ``RequestValidator.compute_hash``) and check, for the extension, the
WSGI middleware and the ASGI middleware, that a JSON body without ``bodySHA256`` in its URL,
with another body's hash, tampered after signing, or with a look-alike parameter
(``xbodySHA256=``, ``a=bodySHA256=…``) never reaches a handler — and that a genuine one does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests
from _signing import TOKEN
from flask import Flask, request
from quart import Quart
from twilio.request_validator import RequestValidator

from twhooks import MessageStatus, TwilioHooks, TwilioSignatureMiddleware
from twhooks.asgi import TwilioSignatureMiddleware as AsgiSignatureMiddleware

BODY = json.dumps([{"specversion": "1.0", "id": "EV1", "type": "com.twilio.test"}]).encode()
OTHER = json.dumps([{"specversion": "1.0", "id": "EV2", "type": "com.twilio.forged"}]).encode()

validator = RequestValidator(TOKEN)


def body_hash(body: bytes) -> str:
    return str(validator.compute_hash(body.decode()))


def sign(url: str) -> str:
    """The official signature of a non-form request to *url* (no parameters appended)."""
    return str(validator.compute_signature(url, {}))


#: name -> (query built from the body actually sent, body sent, expected status)
CASES: dict[str, tuple[Callable[[bytes], str], bytes, int]] = {
    "genuine": (lambda b: f"bodySHA256={body_hash(b)}", BODY, 200),
    "no bodySHA256": (lambda b: "", BODY, 400),
    "no bodySHA256, other query": (lambda b: "sink=1", BODY, 400),
    "another body's hash": (lambda b: f"bodySHA256={body_hash(OTHER)}", BODY, 403),
    "empty bodySHA256": (lambda b: "bodySHA256=", BODY, 400),
    "look-alike name": (lambda b: f"xbodySHA256={body_hash(b)}", BODY, 400),
    "look-alike value": (lambda b: f"a=bodySHA256={body_hash(b)}", BODY, 400),
}


def _send(base: str, path: str, case: str, *, tamper: bool = False) -> requests.Response:
    query_of, body, _ = CASES[case]
    query = query_of(body)
    url = f"{base}{path}" + (f"?{query}" if query else "")
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": sign(url)}
    sent = OTHER if tamper else body
    return requests.post(url, data=sent, headers=headers, timeout=10)


def _flask_extension() -> tuple[Flask, list[Any]]:
    app = Flask("json_fail_closed")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    reached: list[Any] = []

    @hooks.message_status()
    def status(event: MessageStatus) -> None:
        reached.append(event)

    return app, reached


def _wsgi_middleware() -> tuple[Any, list[Any]]:
    app = Flask("json_fail_closed_mw")
    reached: list[Any] = []

    @app.post("/twilio/messages/status")
    def status() -> str:
        reached.append(request.get_data())
        return "ok"

    app.wsgi_app = TwilioSignatureMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, TOKEN, protect=["/twilio"]
    )
    return app, reached


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("server", ["extension", "wsgi middleware"])
def test_json_body_reaches_a_handler_only_when_its_hash_is_signed(
    live_server: Any, caplog: pytest.LogCaptureFixture, server: str, case: str
) -> None:
    app, reached = _flask_extension() if server == "extension" else _wsgi_middleware()
    base = live_server(app).url
    with caplog.at_level(logging.WARNING):
        response = _send(base, "/twilio/messages/status", case)
    expected = CASES[case][2]
    assert (response.status_code < 300) if expected == 200 else (response.status_code == expected)
    if expected == 200:
        assert len(reached) == 1
    else:
        assert reached == []
        # A clear log line says what was wrong.
        assert any("bodySHA256" in r.getMessage() for r in caplog.records), caplog.text


@pytest.mark.parametrize("server", ["extension", "wsgi middleware"])
def test_a_body_changed_after_signing_is_refused(live_server: Any, server: str) -> None:
    app, reached = _flask_extension() if server == "extension" else _wsgi_middleware()
    base = live_server(app).url
    response = _send(base, "/twilio/messages/status", "genuine", tamper=True)
    assert response.status_code == 403
    assert reached == []


@pytest.mark.parametrize("case", list(CASES))
def test_asgi_middleware_is_fail_closed_too(serve: Any, case: str) -> None:
    app = Quart("json_fail_closed_asgi")
    reached: list[bytes] = []

    @app.post("/twilio/events")
    async def events() -> str:
        from quart import request as quart_request

        reached.append(await quart_request.get_data())
        return "ok"

    app.asgi_app = AsgiSignatureMiddleware(  # type: ignore[method-assign]
        app.asgi_app, TOKEN, protect=["/twilio"]
    )
    base = serve(app).url
    response = _send(base, "/twilio/events", case)
    expected = CASES[case][2]
    assert (response.status_code < 300) if expected == 200 else (response.status_code == expected)
    assert len(reached) == (1 if expected == 200 else 0)
