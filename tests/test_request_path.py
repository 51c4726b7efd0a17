"""The request path of the neutral core, seen from a Flask app: each test failed on 0.1.

- a request to a twhooks route is verified before the app's own ``before_request``
  functions, and its body stays readable for them;
- handler errors go through Flask's error handling;
- a retry racing the first request on a real threaded server gets a byte-identical reply,
  session cookie included;
- the core modules import without Flask; settings are checked at ``init_app``.
"""

from __future__ import annotations

import concurrent.futures
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from _servers import LiveServer
from _signing import TOKEN, official_signature, signed_post
from flask import Flask, got_request_exception, request, session

from twhooks import IncomingMessage, TwilioHooks
from twhooks.dispatch import Dispatcher
from twhooks.kinds import KINDS, route_table
from twhooks.settings import Settings
from twhooks.wsgi import webhook_request

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

SMS = {
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+14155550100",
    "To": "+15005550006",
    "Body": "hello",
}


def app_with(**config: Any) -> tuple[Flask, TwilioHooks]:
    app = Flask(__name__)
    app.config.update({"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": "s", **config})
    return app, TwilioHooks(app)


class TestVerifiedBeforeAppCode:
    def test_a_before_request_reading_the_form_sees_the_body_and_the_webhook_works(self) -> None:
        app, hooks = app_with()
        seen: list[str] = []

        @app.before_request
        def audit() -> None:
            seen.append(str(len(request.get_data())))
            seen.append(request.form.get("Body", "-"))

        hooks.message()(lambda msg: f"got {msg.body}")
        response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 200
        assert b"<Message>got hello</Message>" in response.data
        assert seen == [str(len(urlencode(SMS))), "hello"]

    def test_a_forged_request_reaches_no_before_request_function(self) -> None:
        app, hooks = app_with()
        calls: list[str] = []
        app.add_url_rule("/other", "other", lambda: "ok")
        app.before_request(lambda: calls.append("app"))
        hooks.message()(lambda msg: calls.append("handler"))
        # Registered after init_app, and even prepended: still after twhooks' check.
        app.before_request_funcs[None].insert(1, lambda: calls.append("early"))
        response = signed_post(app.test_client(), "/twilio/messages", SMS, token="forged")
        assert response.status_code == 403
        assert calls == []
        # The app's other routes are not concerned.
        assert app.test_client().get("/other").data == b"ok"
        assert calls == ["early", "app"]


class TestErrorsGoThroughFlask:
    def failing(self, **config: Any) -> tuple[Flask, list[Any]]:
        app, hooks = app_with(**config)
        signals: list[Any] = []

        @hooks.message()
        def broken(msg: IncomingMessage) -> str:
            raise KeyError("boom")

        got_request_exception.connect(
            lambda sender, exception, **_: signals.append(exception), app, weak=False
        )
        return app, signals

    def test_got_request_exception_fires_and_errorhandler_500_answers(self) -> None:
        app, signals = self.failing()

        @app.errorhandler(500)
        def server_error(error: Any) -> tuple[str, int]:
            return "our own error page", 500

        response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 500
        assert response.data == b"our own error page"
        assert [type(e) for e in signals] == [KeyError]

    def test_errorhandler_for_the_exception_type_answers(self) -> None:
        app, _ = self.failing()
        app.register_error_handler(KeyError, lambda e: ("<Response/>", 200))
        response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert (response.status_code, response.data) == (200, b"<Response/>")

    def test_an_error_handler_answering_keeps_flask_out(self) -> None:
        app, signals = self.failing()
        hooks: TwilioHooks = app.extensions["twhooks"].hooks
        hooks.error(lambda error, event: "Sorry, try again later.")
        response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 200 and b"Sorry" in response.data
        assert signals == []


def test_a_retry_racing_the_first_request_gets_its_exact_bytes_cookie_included(
    live_server: Callable[[Any], LiveServer],
) -> None:
    """Twilio's retry often arrives while the first request still runs (on 0.1 it could
    get the reply without its cookie); on a real threaded server, with concurrency."""
    app, hooks = app_with()
    started = threading.Event()
    runs: list[str] = []

    @hooks.message()
    def slow(msg: IncomingMessage) -> str:
        runs.append(msg.body)
        started.set()
        time.sleep(0.3)
        session["visits"] = session.get("visits", 0) + 1
        return f"visit {session['visits']}"

    server = live_server(app)
    url = server.url + "/twilio/messages"
    for attempt in range(5):
        runs.clear()
        started.clear()
        token = f"tok-{attempt}"
        headers = {
            "X-Twilio-Signature": official_signature(url, SMS),
            "I-Twilio-Idempotency-Token": token,
        }

        def post(headers: dict[str, str] = headers) -> requests.Response:
            return requests.post(url, data=SMS, headers=headers, timeout=10)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            first = pool.submit(post)
            assert started.wait(5)
            retries = [pool.submit(post) for _ in range(3)]
            answers = [first.result(), *(r.result() for r in retries)]
        assert runs == ["hello"]
        for answer in answers:
            assert answer.status_code == 200
            assert answer.content == answers[0].content
            assert answer.headers["Set-Cookie"] == answers[0].headers["Set-Cookie"]
        assert "session=" in answers[0].headers["Set-Cookie"]


@pytest.mark.parametrize(
    "module", ["twhooks.signature", "twhooks.twiml", "twhooks.events", "twhooks.dispatch"]
)
def test_core_modules_import_without_flask(module: str) -> None:
    code = (
        f"import sys, {module}; print(sorted(m for m in sys.modules if m in ('flask', 'werkzeug')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_import_twhooks_loads_flask_only_for_a_flask_name() -> None:
    code = (
        "import sys, twhooks; before = 'flask' in sys.modules; "
        "twhooks.compute_signature; twhooks.IncomingMessage; mid = 'flask' in sys.modules; "
        "twhooks.TwilioHooks; print(before, mid, 'flask' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False", "True"]


def test_the_extension_docstring_shows_the_route_table_of_the_registry() -> None:
    import twhooks.flask

    assert route_table() in (twhooks.flask.__doc__ or "")


def test_the_dispatcher_works_without_any_web_framework() -> None:
    """A plain WSGI app on the dispatcher, as another adapter would be."""
    from twhooks.handlers import Handlers

    handlers = Handlers()
    handlers.message(keyword="hi")(lambda msg: f"hello {msg.from_}")
    dispatcher = Dispatcher(handlers, Settings.from_config({"TWILIO_AUTH_TOKEN": TOKEN}))

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        webhook = webhook_request(environ)
        reply = dispatcher.dispatch(webhook, KINDS["message"])
        start_response(f"{reply.status} X", reply.headers)
        return [reply.body]

    from werkzeug.test import Client

    params = {**SMS, "Body": "HI"}
    url = "http://localhost/sms"
    client = Client(wsgi_app)
    response = client.post(
        "/sms", data=params, headers={"X-Twilio-Signature": official_signature(url, params)}
    )
    assert response.status_code == 200
    assert b"<Message>hello +14155550100</Message>" in response.data
    assert client.post("/sms", data=params).status_code == 403


def test_the_quickstart_route_table_is_the_registry_s() -> None:
    from pathlib import Path

    quickstart = Path(__file__).parent.parent / "docs" / "quickstart.rst"
    assert route_table("") in quickstart.read_text()
