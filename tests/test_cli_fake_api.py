"""``twhooks chat --fake-api`` and ``flask twhooks chat``: the messages an app sends through
the REST API after its webhook was answered (a background reply) show in the chat, from a
local Twilio API the chat serves; its status callbacks reach the app."""

from __future__ import annotations

import io
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from _servers import free_port
from flask import Flask, current_app

from twhooks import IncomingMessage, TwilioHooks
from twhooks.cli import main

TOKEN = "cli-api-token"
SID = "AC" + "c" * 32


def background_app(api_url: str | None = None, *, public_url: str | None = None) -> Flask:
    """An app whose message handler answers nothing and replies 0.2 s later through the
    REST API (as a background handler does), in two messages for "TWO"."""
    app = Flask("background")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWILIO_ACCOUNT_SID=SID, SECRET_KEY="t")
    if api_url:
        app.config["TWILIO_API_BASE_URL"] = api_url
    hooks = TwilioHooks(app)

    @hooks.message()
    def later(msg: IncomingMessage) -> None:
        flask_app = current_app._get_current_object()  # type: ignore[attr-defined]
        callback = hooks.callback_url("message_status", external=True)

        def reply() -> None:
            with flask_app.app_context():
                count = 2 if msg.body == "TWO" else 1
                for n in range(count):
                    hooks.send(
                        to=msg.from_ or "",
                        from_=msg.to or "",
                        body=f"later {n}: {msg.body}",
                        status_callback=callback,
                        key=f"{msg.sid}:{n}",
                    )

        threading.Timer(0.2, reply).start()
        return None

    @hooks.message_status()
    def status(update: Any) -> None:
        return None

    return app


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_chat_shows_what_the_app_sends_through_the_local_api(
    run: Any, live_server: Callable[[Any], Any]
) -> None:
    port = free_port()
    app = background_app(f"http://127.0.0.1:{port}")
    server = live_server(app)
    status, out, err = run(
        "chat", server.url + "/twilio/messages", "--fake-api", str(port), stdin="hi\nTWO\n"
    )
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert f"A local Twilio API listens at http://127.0.0.1:{port}" in lines[1]
    assert lines[2:] == [
        "> hi",
        "< later 0: hi [REST API]",
        "> TWO",
        "< later 0: TWO [REST API]",
        "< later 1: TWO [REST API]",
    ]
    # The local API posted each message's signed callbacks back: the app recorded them.
    with app.app_context():
        sids = [d.sid for d in app.extensions["twhooks"].facades.deliveries.recent()]
        for sid in sids:
            assert app.extensions["twhooks"].facades.deliveries.wait(sid, timeout=5)
    assert len(sids) == 3


def test_without_a_reply_through_the_api_the_chat_says_no_reply_after_waiting(
    run: Any, live_server: Callable[[Any], Any]
) -> None:
    app = Flask("silent")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN)
    hooks = TwilioHooks(app)
    hooks.message()(lambda msg: None)
    server = live_server(app)
    status, out, _ = run(
        "chat",
        server.url + "/twilio/messages",
        "--fake-api",
        "--api-wait",
        "0.2",
        stdin="hi\n",
    )
    assert status == 0
    assert out.splitlines()[-2:] == ["> hi", "  (no reply)"]


def test_a_taken_port_is_an_error_naming_it(run: Any, live_server: Callable[[Any], Any]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, _, err = run("chat", "http://127.0.0.1:1/twilio/messages", "--fake-api", str(port))
    assert status == 1
    assert f"--fake-api: cannot listen on 127.0.0.1:{port}" in err


def test_flask_twhooks_chat_shows_background_replies_in_process() -> None:
    app = background_app()  # no TWILIO_API_BASE_URL: the chat points the app at its own
    before = app.extensions["twhooks"]
    result = app.test_cli_runner().invoke(args=["twhooks", "chat"], input="hi\n")
    assert result.exit_code == 0, result.output
    assert "< later 0: hi [REST API]" in result.output.splitlines()
    assert "nothing reaches Twilio" in result.output
    assert app.extensions["twhooks"] is before  # the app's own sender again after the chat
    assert before.settings.rest.base_url == "https://api.twilio.com"
