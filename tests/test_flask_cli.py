"""``flask twhooks urls`` and ``flask twhooks check``, through Flask's own CLI runner."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from _outage import OwnRedis
from _signing import TOKEN
from flask import Flask, redirect, request

import twhooks.cli.session  # noqa: F401  (see below)
from twhooks import TwilioHooks
from twhooks.kinds import KINDS

# The commands' modules are imported at collection: imported for the first time later, after
# another test's RecursionError, CPython 3.11 may fail their dataclasses' compile() with
# "SystemError: AST constructor recursion depth mismatch" (a CPython bug, not ours).


def make_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_PUBLIC_URL="https://hooks.example.com")
    app.config.update(config)
    hooks = TwilioHooks(app)
    hooks.message()(lambda msg: "ok")
    return app


def test_urls_prints_one_url_per_kind_with_its_console_field() -> None:
    result = make_app().test_cli_runner().invoke(args=["twhooks", "urls"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for kind in KINDS.values():
        assert f"https://hooks.example.com/twilio{kind.path}" in result.output
    at = lines.index(next(line for line in lines if line.startswith("message ")))
    assert "'A message comes in'" in lines[at + 1]
    call = next(i for i, line in enumerate(lines) if line.startswith("call "))
    assert "'A call comes in'" in lines[call + 1]


def test_urls_lists_the_voice_sockets_registered() -> None:
    assert "wss://" not in make_app().test_cli_runner().invoke(args=["twhooks", "urls"]).output
    app = make_app()
    app.extensions["twhooks"].hooks.relay()(lambda session: None)
    result = app.test_cli_runner().invoke(args=["twhooks", "urls"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("relay ")))
    assert lines[at].endswith("wss://hooks.example.com/twilio/relay/<CallSid>")
    assert "the url of <ConversationRelay>" in lines[at + 1]
    assert not any(line.startswith("stream ") for line in lines)


def test_urls_without_a_public_url_says_what_to_replace() -> None:
    app = make_app(TWHOOKS_PUBLIC_URL=None, TWHOOKS_URL_PREFIX="/hooks")
    result = app.test_cli_runner().invoke(args=["twhooks", "urls"])
    assert result.exit_code == 0
    assert "https://YOUR-PUBLIC-HOST/hooks/voice/status" in result.output
    assert "TWHOOKS_PUBLIC_URL is not set" in result.output


def test_check_passes_on_a_ready_app() -> None:
    result = make_app().test_cli_runner().invoke(args=["twhooks", "check"])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert result.output.count("ok    ") == 5


def guarded_app() -> Flask:
    app = make_app()

    @app.before_request
    def login_required() -> Any:
        if request.path != "/login":
            return redirect("/login")
        return None

    # A guard that runs before twhooks' own: registered first of all.
    app.before_request_funcs[None].insert(0, app.before_request_funcs[None].pop())
    return app


@pytest.mark.parametrize(
    ("build", "failure"),
    [
        (lambda: make_app(TWHOOKS_VALIDATE=False), "TWHOOKS_VALIDATE is False"),
        (lambda: make_app(TWHOOKS_PUBLIC_URL=None), "TWHOOKS_PUBLIC_URL is not set"),
        (
            lambda: make_app(TWHOOKS_PUBLIC_URL="https://hooks.example.com/twilio"),
            "ends with the URL prefix '/twilio'",
        ),
        (guarded_app, "answered 302 (redirect to /login)"),
    ],
    ids=["no-validation", "no-public-url", "prefix-twice", "login-guard"],
)
def test_check_fails_with_what_to_fix(build: Any, failure: str) -> None:
    result = build().test_cli_runner().invoke(args=["twhooks", "check"])
    assert result.exit_code == 1, result.output
    assert failure in result.output
    assert "FAIL  " in result.output


def test_check_fails_when_the_store_is_down(tmp_path: Path) -> None:
    redis = OwnRedis()
    app = make_app(TWHOOKS_STORE=redis.url)
    redis.stop()
    result = app.test_cli_runner().invoke(args=["twhooks", "check"])
    assert result.exit_code == 1
    assert "FAIL  store: the store cannot be written: the Redis store failed" in result.output


def csrf_protected_app() -> Flask:
    # Flask-WTF's CSRFProtect, which twhooks exempts its routes from.
    from flask_wtf.csrf import CSRFProtect

    app = make_app(SECRET_KEY="k")
    CSRFProtect(app)
    return app


def hand_rolled_csrf_app() -> Flask:
    # A CSRF check of the app's own, ahead of twhooks: every form POST needs a token.
    app = make_app()

    @app.before_request
    def csrf_check() -> Any:
        if request.method == "POST" and "csrf_token" not in request.form:
            return "CSRF token missing", 400
        return None

    app.before_request_funcs[None].insert(0, app.before_request_funcs[None].pop())
    return app


def test_check_passes_behind_flask_wtf_csrf() -> None:
    result = csrf_protected_app().test_cli_runner().invoke(args=["twhooks", "check"])
    assert result.exit_code == 0, result.output
    assert "ok    routes answered by twhooks first: 13 routes" in result.output


def test_check_fails_behind_a_csrf_check_of_the_apps_own() -> None:
    result = hand_rolled_csrf_app().test_cli_runner().invoke(args=["twhooks", "check"])
    assert result.exit_code == 1
    assert "FAIL  routes answered by twhooks first: something answers before twhooks" in (
        result.output
    )
    assert "/twilio/messages answered 400" in result.output


def with_relay(app: Flask) -> Flask:
    hooks: TwilioHooks = app.extensions["twhooks"].hooks
    hooks.relay()(lambda session: None)
    return app


def test_check_tries_each_voice_socket(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    result = with_relay(make_app()).test_cli_runner().invoke(args=["twhooks", "check"])
    assert result.exit_code == 0, result.output
    assert (
        "ok    voice sockets: @hooks.relay (an unsigned upgrade each, refused by twhooks)"
        in result.output
    )
    # The check's own refusals are not logged as problems.
    refusals = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.getMessage().startswith(("Rejected", "Refused"))
    ]
    assert refusals == []
    assert logging.root.manager.disable == logging.NOTSET  # logging is back as it was


def test_check_fails_when_a_guard_answers_voice_sockets_first() -> None:
    result = with_relay(guarded_app()).test_cli_runner().invoke(args=["twhooks", "check"])
    assert result.exit_code == 1
    assert (
        "FAIL  voice sockets: the upgrade is not answered by twhooks (a route not mounted, a "
        "login guard, a rate limiter): /twilio/relay/CA" in result.output
    )
    assert "answered 302 (redirect to /login)" in result.output


def test_check_fails_when_voice_sockets_cannot_be_served() -> None:
    app = make_app()
    state = app.extensions["twhooks"]
    state.hooks.realtime.handlers["relay"] = lambda session: None
    state.hooks.realtime.unavailable = "flask-sock is not installed (pip install twhooks[sock])"
    result = app.test_cli_runner().invoke(args=["twhooks", "check"])
    assert result.exit_code == 1
    assert "FAIL  voice sockets: voice sockets cannot be served: flask-sock" in result.output


def chat_app() -> Flask:
    app = make_app(TWHOOKS_PUBLIC_URL=None)
    hooks: TwilioHooks = app.extensions["twhooks"].hooks
    statuses: list[str] = []
    app.extensions["statuses"] = statuses

    @hooks.message(keyword="HELP")
    def help_(msg: Any) -> str:
        return "Reply BAL for your balance."

    @hooks.message_status()
    def status(event: Any) -> None:
        statuses.append(event.status)

    @hooks.call()
    def answer(call: Any) -> str:
        return "Welcome to the bank."

    return app


def test_chat_texts_the_app_in_process() -> None:
    result = chat_app().test_cli_runner().invoke(args=["twhooks", "chat"], input="HELP\n")
    assert result.exit_code == 0, result.output
    assert "Reply BAL for your balance." in result.output


def test_send_sends_one_webhook_of_a_kind_in_process() -> None:
    app = chat_app()
    result = app.test_cli_runner().invoke(
        args=["twhooks", "send", "message-status", "MessageStatus=delivered"]
    )
    assert result.exit_code == 0, result.output
    assert app.extensions["statuses"] == ["delivered"]
    unknown = app.test_cli_runner().invoke(args=["twhooks", "send", "nope"])
    assert unknown.exit_code == 2 and "unknown kind of webhook 'nope'" in unknown.output


def test_call_calls_the_app_in_process() -> None:
    result = chat_app().test_cli_runner().invoke(args=["twhooks", "call"], input="")
    assert result.exit_code == 0, result.output
    assert "Welcome to the bank." in result.output


def test_a_signature_the_app_refuses_fails_the_command() -> None:
    # An unsigned request: the app's 403 is the command's exit status 1.
    app = chat_app()
    result = app.test_cli_runner().invoke(args=["twhooks", "chat", "--unsigned"], input="hi\n")
    assert result.exit_code == 1
    assert "403" in result.output
