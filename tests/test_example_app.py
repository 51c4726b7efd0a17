"""The example app over real HTTP, the way Twilio talks to it.

A real server on 127.0.0.1 (the ``live_server`` fixture), ``requests`` as Twilio, every
request signed by the official twilio SDK over the exact URL requested, cookies kept per
conversation (Twilio keeps them per (From, To) pair), and TwiML ``action`` URLs followed
the way Twilio resolves them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from _signing import official_signature
from flask import Flask

from example_app import DEV_AUTH_TOKEN, DEV_DASHBOARD_PASSWORD, SETTINGS, create_app
from example_app.hooks import apologise
from twhooks import Call, IncomingMessage

TOKEN = "example-app-live-token"
PASSWORD = "dashboard-test-password"
CONFIG = {"SECRET_KEY": "test", "TWILIO_AUTH_TOKEN": TOKEN, "EXAMPLE_DASHBOARD_PASSWORD": PASSWORD}
ROOT = Path(__file__).resolve().parent.parent
OUR_NUMBER = "+15005550006"


@pytest.fixture
def app() -> Flask:
    return create_app(CONFIG)


@pytest.fixture
def base_url(app: Flask, live_server: Callable[[Any], Any]) -> str:
    return str(live_server(app).url)


class FakeTwilio:
    """Sends webhooks like Twilio: signed, with one cookie jar per conversation."""

    def __init__(self, base_url: str, token: str = TOKEN) -> None:
        self.base_url = base_url
        self.token = token
        self.jars: dict[tuple[str, str], requests.Session] = {}

    def post(
        self, url: str, params: Mapping[str, str], jar: requests.Session | None = None
    ) -> requests.Response:
        url = urljoin(self.base_url, url)
        signature = official_signature(url, params, self.token)
        sender = jar or requests
        return sender.post(url, data=dict(params), headers={"X-Twilio-Signature": signature})

    def text(self, from_: str, body: str, **extra: str) -> requests.Response:
        jar = self.jars.setdefault((from_, OUR_NUMBER), requests.Session())
        params = {
            "MessageSid": "SM" + "0" * 32,
            "AccountSid": "AC" + "0" * 32,
            "From": from_,
            "To": OUR_NUMBER,
            "Body": body,
            "NumMedia": "0",
            **extra,
        }
        return self.post("/twilio/messages", params, jar)

    def reply_text(self, from_: str, body: str, **extra: str) -> list[str]:
        response = self.text(from_, body, **extra)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        root = ET.fromstring(response.content)
        return [message.findtext("Body") or message.text or "" for message in root]


def test_home_page_lists_the_webhook_routes(base_url: str) -> None:
    page = requests.get(base_url + "/")
    assert page.status_code == 200
    for route in ("/twilio/messages", "/twilio/voice/&lt;step&gt;", "/twilio/messages/status"):
        assert route in page.text


def test_a_sign_up_dialog_over_http_with_cookies_per_conversation(base_url: str) -> None:
    twilio = FakeTwilio(base_url)
    ada, bob = "+14155550101", "+14155550102"
    assert twilio.reply_text(ada, "JOIN") == ["Welcome! What is your name?"]
    assert twilio.reply_text(bob, "join") == ["Welcome! What is your name?"]
    assert twilio.reply_text(ada, "Ada") == ["Nice to meet you, Ada. How old are you?"]
    assert twilio.reply_text(bob, "Bob") == ["Nice to meet you, Bob. How old are you?"]
    assert twilio.reply_text(ada, "thirty") == ["Please send your age as a number, like 42."]
    assert twilio.reply_text(ada, "36") == ["Thanks Ada, you are signed up (36). Text ME to check."]
    assert twilio.reply_text(ada, "ME") == ["You are Ada, 36."]
    # Each conversation's state lives in its own signed cookie.
    assert twilio.jars[(ada, OUR_NUMBER)].cookies.get("session")
    assert twilio.reply_text(bob, "25") == ["Thanks Bob, you are signed up (25). Text ME to check."]


def test_keywords_patterns_and_mms(base_url: str) -> None:
    twilio = FakeTwilio(base_url)
    assert twilio.reply_text("+14155550103", " help ")[0].startswith("Text JOIN to sign up")
    assert twilio.reply_text("+14155550103", "ADD 40 2") == ["40 + 2 = 42"]
    response = twilio.text(
        "+14155550103",
        "",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/media/ME1",
        MediaContentType0="image/png",
    )
    root = ET.fromstring(response.content)
    assert [media.text for media in root.iter("Media")] == ["https://api.twilio.com/media/ME1"]


def test_a_forged_request_is_refused_over_http(base_url: str) -> None:
    response = FakeTwilio(base_url, token="not-the-token").text("+14155550104", "HELP")
    assert response.status_code == 403


def test_a_phone_menu_call_to_voicemail_and_the_dashboard(base_url: str) -> None:
    twilio = FakeTwilio(base_url)
    call = {
        "CallSid": "CA" + "1" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": "+12125550123",
        "To": OUR_NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    jar = requests.Session()  # voice cookies live for the call
    answer = twilio.post("/twilio/voice", call, jar)
    root = ET.fromstring(answer.content)
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    # Twilio resolves a relative action against the URL it just requested.
    menu_url = urljoin(answer.url, gather.get("action", ""))
    assert menu_url == base_url + "/twilio/voice/menu"

    menu = twilio.post(menu_url, {**call, "CallStatus": "in-progress", "Digits": "2"}, jar)
    record = ET.fromstring(menu.content).find("Record")
    assert record is not None
    voicemail_url = urljoin(menu.url, record.get("action", ""))
    recording = {"RecordingSid": "RE" + "2" * 32, "RecordingUrl": "https://api.twilio.com/r/RE2"}
    done = twilio.post(voicemail_url, {**call, **recording, "RecordingDuration": "9"}, jar)
    assert [el.tag for el in ET.fromstring(done.content)] == ["Say", "Hangup"]

    status_url = urljoin(menu.url, record.get("recordingStatusCallback", ""))
    recorded = {**recording, "CallSid": call["CallSid"], "RecordingStatus": "completed"}
    status = twilio.post(status_url, {**recorded, "RecordingDuration": "9"})
    assert status.status_code == 204
    transcription_url = urljoin(menu.url, record.get("transcribeCallback", ""))
    text = {
        "TranscriptionSid": "TR1",
        "TranscriptionStatus": "completed",
        "TranscriptionText": "Call me back",
        "CallSid": call["CallSid"],
    }
    assert twilio.post(transcription_url, text).status_code == 204
    ended = {**call, "CallStatus": "completed", "CallDuration": "31"}
    assert twilio.post("/twilio/voice/status", ended).status_code == 204

    page = requests.get(base_url + "/dashboard", auth=("me", PASSWORD)).text
    assert call["CallSid"] in page and "Call me back" in page and "<td>9</td>" in page


@pytest.mark.parametrize(
    "auth",
    [None, ("me", "wrong"), ("me", PASSWORD.upper()), ("me", "")],
    ids=["no-password", "wrong", "wrong-case", "empty"],
)
def test_the_dashboard_needs_its_password(base_url: str, auth: tuple[str, str] | None) -> None:
    page = requests.get(base_url + "/dashboard", auth=auth)
    assert page.status_code == 401
    assert page.headers["WWW-Authenticate"].startswith("Basic ")
    assert "Dashboard" not in page.text


def test_the_dashboard_takes_a_bearer_token_for_nothing(base_url: str) -> None:
    page = requests.get(base_url + "/dashboard", headers={"Authorization": f"Bearer {PASSWORD}"})
    assert page.status_code == 401


def test_statuses_out_of_order_keep_the_furthest(base_url: str) -> None:
    twilio = FakeTwilio(base_url)
    sid = "SM" + "7" * 32
    for status in ("queued", "delivered", "sent"):
        params = {"MessageSid": sid, "MessageStatus": status, "To": "+14155550100"}
        assert twilio.post("/twilio/messages/status", params).status_code == 204
    page = requests.get(base_url + "/dashboard", auth=("me", PASSWORD)).text
    assert '<td class="status">delivered</td>' in page


def test_event_streams_feed_the_dashboard(base_url: str) -> None:
    import hashlib
    import json

    from twilio.request_validator import RequestValidator

    sid = "SM" + "e5" * 16
    events = [
        {
            "specversion": "1.0",
            "type": f"com.twilio.messaging.message.{status}",
            "source": f"/2010-04-01/Accounts/AC{'0' * 32}/Messages/{sid}.json",
            "id": f"EZ{n:032d}",
            "dataschema": "https://events-schemas.twilio.com/Messaging.MessageStatus/8",
            "time": "2026-12-06T10:00:00.000Z",
            "data": {"messageSid": sid, "messageStatus": status.upper(), "to": "+14155550100"},
        }
        for n, status in enumerate(("sent", "delivered"))
    ]
    body = json.dumps(events).encode()
    url = f"{base_url}/twilio/events?bodySHA256={hashlib.sha256(body).hexdigest()}"
    signature = RequestValidator(TOKEN).compute_signature(url, {})
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": signature}
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 204
    page = requests.get(base_url + "/dashboard", auth=("me", PASSWORD)).text
    assert sid in page
    assert '<td class="status">delivered</td>' in page


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param(IncomingMessage(body="hi"), ["Message"], id="message"),
        pytest.param(Call(sid="CA1"), ["Say", "Hangup"], id="call"),
    ],
)
def test_the_error_handler_apologises_in_the_right_twiml(event: Any, expected: list[str]) -> None:
    reply = apologise(RuntimeError("boom"), event)
    assert [element.tag for element in ET.fromstring(reply.to_xml())] == expected


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def running_example() -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``python -m example_app`` in a subprocess, without any of its settings set."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["PORT"] = str(port)
    env["TWHOOKS_STORE"] = f"sqlite:///{tempfile.mkdtemp(prefix='twhooks-example-')}/s.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-m", "example_app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, port
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def test_python_m_example_app_starts_with_a_printed_dev_token(
    running_example: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = running_example
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            home = requests.get(base_url + "/", timeout=1)
            break
        except requests.ConnectionError:
            assert process.poll() is None, "the example app exited"
            assert time.monotonic() < deadline, "the example app did not start in 20 s"
            time.sleep(0.1)
    assert home.status_code == 200
    reply = FakeTwilio(base_url, token=DEV_AUTH_TOKEN).reply_text("+14155550105", "ADD 1 2")
    assert reply == ["1 + 2 = 3"]
    assert requests.get(base_url + "/dashboard", timeout=5).status_code == 401
    board = requests.get(base_url + "/dashboard", auth=("me", DEV_DASHBOARD_PASSWORD), timeout=5)
    assert board.status_code == 200
    process.terminate()
    output, _ = process.communicate(timeout=10)
    assert DEV_AUTH_TOKEN in output
    assert "TWILIO_AUTH_TOKEN is not set" in output
    assert f"/dashboard (any user name, password {DEV_DASHBOARD_PASSWORD!r})" in output
