"""The example app as it is deployed: under gunicorn, its settings from the environment.

Served any other way than ``python -m example_app`` (which uses public development values
on 127.0.0.1), the app refuses to start without its settings, and its dashboard, which shows
callers' numbers, recordings and transcripts, needs a password. Real gunicorn servers with
two workers on 127.0.0.1, started and always stopped by the tests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from example_app import DEV_SECRET_KEY, SETTINGS, MissingSettings, create_app
from twhooks.cli.transport import RequestsTransport
from twhooks.flask.testing import TwilioTestClient
from twhooks.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {
    "SECRET_KEY": "one-key-for-every-worker",
    "TWILIO_AUTH_TOKEN": "gunicorn-test-token",
    "EXAMPLE_DASHBOARD_PASSWORD": "gunicorn-test-password",
}
STARTUP = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """``gunicorn 'example_app:create_app()'`` with two workers on 127.0.0.1."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in {*SETTINGS, "TWHOOKS_PUBLIC_URL"}}
        # Its own store, shared by its two workers, not the example's instance folder.
        store = tempfile.mkdtemp(prefix="twhooks-example-")
        env["TWHOOKS_STORE"] = f"sqlite:///{store}/twhooks.sqlite3"
        env.update(environment)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "5",
                "example_app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = ""

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                requests.get(self.url + "/", timeout=5)
                return
            except (requests.ConnectionError, requests.Timeout):
                if self.process.poll() is not None:
                    self.stop()
                    pytest.fail(f"gunicorn exited:\n{self.output}")
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer within {STARTUP:g} s")
                time.sleep(0.1)

    def stop(self) -> str:
        """Stop the server (if it still runs); everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.output += self.process.stdout.read()
            self.process.stdout.close()
        return self.output


@pytest.fixture
def gunicorn() -> Iterator[Callable[[dict[str, str]], Gunicorn]]:
    servers: list[Gunicorn] = []

    def start(environment: dict[str, str]) -> Gunicorn:
        server = Gunicorn(environment)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_without_its_settings_the_app_does_not_start(
    gunicorn: Callable[[dict[str, str]], Gunicorn],
) -> None:
    server = gunicorn({})
    try:
        server.process.wait(timeout=STARTUP)
    except subprocess.TimeoutExpired:
        pytest.fail("gunicorn kept running without the app's settings")
    output = server.stop()
    assert server.process.returncode != 0
    assert (
        "the example app cannot start: SECRET_KEY, TWILIO_AUTH_TOKEN, "
        "EXAMPLE_DASHBOARD_PASSWORD are not set" in output
    )
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/", timeout=2)


def test_under_gunicorn_with_its_settings(
    gunicorn: Callable[[dict[str, str]], Gunicorn],
) -> None:
    server = gunicorn(ENVIRONMENT)
    server.wait_until_serving()
    dashboard = server.url + "/dashboard"
    assert requests.get(dashboard, timeout=5).status_code == 401
    assert requests.get(dashboard, auth=("me", "twhooks-example-dev-dashboard")).status_code == 401
    twilio = Simulator(RequestsTransport(10), ENVIRONMENT["TWILIO_AUTH_TOKEN"], base_url=server.url)
    # A dialog over several requests, answered by either worker: one SECRET_KEY for all.
    chat = twilio.conversation("/twilio/messages")
    answers = [chat.send(text).messages for text in ("JOIN", "Ana", "42", "ME", "ME", "ME")]
    assert answers[2:] == [
        ["Thanks Ana, you are signed up (42). Text ME to check."],
        *3 * [["You are Ana, 42."]],
    ]
    status = twilio.webhook(
        "message_status", "/twilio/messages/status", message_sid="SM" + "5" * 32
    )
    assert status.status_code == 204
    page = requests.get(dashboard, auth=("me", ENVIRONMENT["EXAMPLE_DASHBOARD_PASSWORD"]))
    assert page.status_code == 200
    # A session cookie signed with the public development key is not believed.
    forged = twilio.conversation("/twilio/messages", from_="+14155550166")
    forged.cookies.update([f"session={_session_cookie(DEV_SECRET_KEY, 'Mallory')}"])
    assert forged.send("ME").messages == ["I don't know you yet. Text JOIN to sign up."]


def _session_cookie(secret_key: str, name: str) -> str:
    forger = Flask("forger")
    forger.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    return str(serializer.dumps({"profile": {"name": name, "age": 99}}))


# -- the settings, in-process ------------------------------------------------------------------


@pytest.fixture
def no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*SETTINGS, "TWHOOKS_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("missing", list(SETTINGS))
def test_the_error_names_each_missing_setting(no_settings: None, missing: str) -> None:
    given = {name: "x" for name in SETTINGS if name != missing}
    with pytest.raises(MissingSettings, match=f"cannot start: {missing} is not set") as error:
        create_app(given)
    assert error.value.names == (missing,)


def test_settings_from_the_environment(no_settings: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert {name: app.config[name] for name in SETTINGS} == ENVIRONMENT


def test_development_fills_in_only_what_is_unset(
    no_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "real-token")
    app = create_app(development=True)
    assert app.config["TWILIO_AUTH_TOKEN"] == "real-token"
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY


def test_the_development_key_would_let_a_forged_session_in(no_settings: None) -> None:
    # Why the development values must stay in development: anyone can sign with them.
    app = create_app(development=True)
    client = TwilioTestClient(app)
    chat = client.conversation()
    chat.cookies.update([f"session={_session_cookie(DEV_SECRET_KEY, 'Mallory')}"])
    assert chat.send("ME").messages == ["You are Mallory, 99."]


def test_with_a_runner_the_chatbot_answers_through_the_rest_api(
    gunicorn: Callable[[dict[str, str]], Gunicorn],
) -> None:
    from _signing import official_signature

    from twhooks.testing import FakeTwilioApi

    with FakeTwilioApi() as api:
        server = gunicorn({**ENVIRONMENT, **api.config(), "TWHOOKS_RUNNER": "thread"})
        server.wait_until_serving()
        url = server.url + "/twilio/messages"
        params = {
            "AccountSid": api.account_sid,
            "MessageSid": "SM" + "e" * 32,
            "From": "+15550001111",
            "To": "+15550002222",
            "Body": "hello",
        }
        signature = official_signature(url, params, api.auth_token)
        answer = requests.post(url, data=params, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200
        assert b"<Message" not in answer.content  # the echo comes through the REST API
        (sent,) = api.wait_for_messages(1)
        assert (sent.to, sent.from_) == ("+15550001111", "+15550002222")
        assert sent.body.startswith("You said: hello")
