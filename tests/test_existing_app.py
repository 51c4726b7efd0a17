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


class TestAnsweredBeforeTwhooks:
    """Another extension's answer to a webhook (a rate limiter's 429, an authentication
    check's 401/403) is logged once per route and status, with the fix, and shown in the
    history (issue 23 §5)."""

    @staticmethod
    def guarded_app(status: int) -> tuple[Flask, TwilioHooks, list[str], dict[str, bool]]:
        app = base_app()
        app.config["TWHOOKS_HISTORY"] = True
        hooks = TwilioHooks(app)
        ran: list[str] = []
        hooks.message()(lambda msg: ran.append(msg.body) or "hello")
        hooks.message_status()(lambda status: ran.append(status.status))
        guard = {"on": True}

        @app.before_request
        def too_many() -> Response | None:
            return Response("no", status=status) if guard["on"] else None

        return app, hooks, ran, guard

    @pytest.mark.parametrize("status", [401, 403, 429])
    def test_it_is_logged_once_per_route_and_status_with_the_fix(
        self, status: int, caplog: pytest.LogCaptureFixture
    ) -> None:
        app, _, ran, _ = self.guarded_app(status)
        client = app.test_client()
        status_callback = {**SMS, "MessageStatus": "delivered"}
        with caplog.at_level(logging.WARNING, logger="twhooks"):
            for _ in range(3):
                assert signed_post(client, "/twilio/messages", SMS).status_code == status
            signed_post(client, "/twilio/messages/status", status_callback)
        assert ran == []
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert [w.getMessage().split(" ")[2] for w in warnings] == [
            "/twilio/messages",
            "/twilio/messages/status",
        ]
        line = warnings[0].getMessage()
        assert f"answered {status} before twhooks" in line
        assert "rate limiter" in line and "request.blueprint == 'twhooks'" in line

    def test_the_history_says_so_and_a_retry_runs_the_handler(self) -> None:
        app, hooks, ran, guard = self.guarded_app(429)
        client = app.test_client()
        headers = {"I-Twilio-Idempotency-Token": "tok-429"}
        assert signed_post(client, "/twilio/messages", SMS, headers=headers).status_code == 429
        with app.app_context():
            [record] = hooks.history.recent(10)
        assert (record.status, record.why) == (429, "answered by the app before twhooks")
        guard["on"] = False  # the app exempts twhooks' routes; Twilio retries
        retry = signed_post(client, "/twilio/messages", SMS, headers=headers)
        assert retry.status_code == 200 and b"hello" in retry.data
        assert ran == ["hi"]


def test_a_handlers_own_redirect_is_not_blamed_on_a_login_guard(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = base_app()
    hooks = TwilioHooks(app)

    @hooks.message()
    def moved(msg: IncomingMessage) -> Response:
        return redirect("https://example.com/elsewhere", code=307)

    with caplog.at_level(logging.INFO, logger="twhooks"):
        answer = signed_post(app.test_client(), "/twilio/messages", SMS)
    assert answer.status_code == 307
    assert "login guard" not in caplog.text
    assert "before_request" not in caplog.text
    assert "handler" in caplog.text and "moved" in caplog.text
    assert "307 (redirect to https://example.com/elsewhere)" in caplog.text
