"""twhooks dropped into an existing app: CSRF protection, login guards, GET webhooks, logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from _signing import TOKEN, official_signature, signed_get, signed_post
from flask import Flask, redirect, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from twhooks import IncomingMessage, TwilioHooks

SMS = {"AccountSid": "AC1", "MessageSid": "SM1", "From": "+14155550100", "Body": "hi"}


def base_app() -> Flask:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, SECRET_KEY="s")
    app.add_url_rule("/form", "form", lambda: "posted", methods=["POST"])
    return app


@pytest.mark.parametrize("csrf_first", [True, False], ids=["csrf-first", "twhooks-first"])
def test_csrf_protect_exempts_twhooks_routes_only(csrf_first: bool) -> None:
    app = base_app()
    csrf = CSRFProtect()
    hooks = TwilioHooks()
    hooks.message()(lambda msg: f"got {msg.body}")
    if csrf_first:
        csrf.init_app(app)
        hooks.init_app(app)
    else:
        hooks.init_app(app)
        csrf.init_app(app)
    client = app.test_client()
    answer = signed_post(client, "/twilio/messages", SMS)
    assert answer.status_code == 200 and b"got hi" in answer.data
    # The app's own forms are still protected.
    assert client.post("/form", data={"x": "1"}).status_code == 400
    # A forged webhook is still refused, by the signature check.
    assert signed_post(client, "/twilio/messages", SMS, token="forged").status_code == 403


def test_a_login_guard_redirect_is_logged_with_the_fix(caplog: pytest.LogCaptureFixture) -> None:
    app = base_app()
    hooks = TwilioHooks(app)
    hooks.message()(lambda msg: "hello")

    @app.before_request
    def login_required() -> Response | None:
        if request.endpoint != "login":
            return redirect("/login")
        return None

    with caplog.at_level(logging.WARNING, logger="twhooks"):
        answer = signed_post(app.test_client(), "/twilio/messages", SMS)
    assert answer.status_code == 302
    assert "answered 302 (redirect to /login)" in caplog.text
    assert "request.blueprint == 'twhooks'" in caplog.text


def test_the_documented_login_guard_exemption_works() -> None:
    app = base_app()
    hooks = TwilioHooks(app)
    hooks.message()(lambda msg: "hello")

    @app.before_request
    def login_required() -> Response | None:
        if request.blueprint == "twhooks":
            return None  # Twilio authenticates with its signature
        return redirect("/login")

    assert signed_post(app.test_client(), "/twilio/messages", SMS).status_code == 200


def test_incoming_messages_may_come_by_get() -> None:
    app = base_app()
    hooks = TwilioHooks(app)
    seen: list[IncomingMessage] = []
    hooks.message()(lambda msg: seen.append(msg) or "by GET")
    answer = signed_get(app.test_client(), "/twilio/messages", SMS)
    assert answer.status_code == 200 and b"by GET" in answer.data
    assert seen[0].body == "hi" and seen[0].params["MessageSid"] == "SM1"


class TestRejectionLog:
    def test_it_names_the_url_the_variants_and_to_check_the_token(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = base_app()
        TwilioHooks(app)
        with caplog.at_level(logging.WARNING, logger="twhooks"):
            signed_post(app.test_client(), "/twilio/messages", SMS, token="other")
        line = caplog.text
        assert "URL checked: http://localhost/twilio/messages" in line
        assert (
            "tried: http://localhost/twilio/messages, http://localhost:80/twilio/messages" in line
        )
        assert "check the auth token" in line and "X-Forwarded" not in line

    def test_behind_a_proxy_it_says_how_to_fix_the_url(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = base_app()
        TwilioHooks(app)
        headers: dict[str, Any] = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "a.com",
            # Signed for the public URL; the app sees http://internal behind the proxy.
            "X-Twilio-Signature": official_signature("https://a.com/twilio/messages", SMS),
        }
        with caplog.at_level(logging.WARNING, logger="twhooks"):
            answer = app.test_client().post(
                "/twilio/messages", data=SMS, headers=headers, base_url="http://internal"
            )
        assert answer.status_code == 403
        assert "the request came through a proxy" in caplog.text
        assert "TWHOOKS_PUBLIC_URL" in caplog.text and "ProxyFix" in caplog.text
