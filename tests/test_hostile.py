"""Malformed and hostile requests against a real gunicorn server (2 workers).

Each case was reproduced on 0.1: a body no signature covers reached the app, a long number
or a malformed chunked body answered 500, a password reached the log, refusing a large
forged body cost a quarter of a second. Now each gets a clear status and log line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import string
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import requests
from _servers import Gunicorn
from _signing import TOKEN, official_signature
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from twhooks import TwilioHooks, TwilioSignatureMiddleware

SMS = {"AccountSid": "AC1", "MessageSid": "SM1", "From": "+14155550100", "Body": "hi"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Any:
    log_dir = tmp_path_factory.mktemp("logs")
    env = {"TEST_TWILIO_AUTH_TOKEN": TOKEN}
    started = {
        name: Gunicorn(name, 2, env, log_dir / f"{name}.log")
        for name in ("hooks_app", "middleware_app")
    }
    yield started
    for server in started.values():
        server.stop()


def url_signature(url: str) -> str:
    return str(RequestValidator(TOKEN).compute_signature(url, {}))


ROUTES = {"hooks_app": "/twilio/messages", "middleware_app": "/twilio/sms"}


@pytest.mark.parametrize("app", ["hooks_app", "middleware_app"])
class TestBodiesNoSignatureCovers:
    def test_a_get_with_a_form_body(self, servers: dict[str, Gunicorn], app: str) -> None:
        url = servers[app].url + ROUTES[app]
        answer = requests.get(
            url,
            data=urlencode(SMS),
            headers={
                "X-Twilio-Signature": url_signature(url),
                "Content-Type": "application/x-www-form-urlencoded",
            },
            timeout=10,
        )
        assert answer.status_code == 400
        assert "form:" not in answer.text and "You said" not in answer.text

    def test_a_multipart_post(self, servers: dict[str, Gunicorn], app: str) -> None:
        url = servers[app].url + ROUTES[app]
        answer = requests.post(
            url,
            files={"Body": ("b.txt", b"injected")},
            headers={"X-Twilio-Signature": url_signature(url)},
            timeout=10,
        )
        assert answer.status_code == 415

    def test_json_without_body_sha256(self, servers: dict[str, Gunicorn], app: str) -> None:
        url = servers[app].url + ROUTES[app]
        answer = requests.post(
            url,
            data=json.dumps({"Body": "injected"}),
            headers={"X-Twilio-Signature": url_signature(url), "Content-Type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 400

    def test_json_with_body_sha256_is_accepted(
        self, servers: dict[str, Gunicorn], app: str
    ) -> None:
        body = json.dumps({"type": "com.twilio.messaging.message.delivered"}).encode()
        url = servers[app].url + ROUTES[app] + "?bodySHA256=" + hashlib.sha256(body).hexdigest()
        answer = requests.post(
            url,
            data=body,
            headers={"X-Twilio-Signature": url_signature(url), "Content-Type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 200


def test_an_integer_of_any_length_is_none_with_a_warning(
    servers: dict[str, Gunicorn],
) -> None:
    server = servers["hooks_app"]
    url = server.url + "/twilio/messages/status"
    for field in ("ErrorCode", "NumSegments"):
        params = {"MessageSid": "SM1", "MessageStatus": "failed", field: "9" * 5000}
        answer = requests.post(
            url,
            data=params,
            headers={"X-Twilio-Signature": official_signature(url, params)},
            timeout=10,
        )
        assert answer.status_code == 204
    assert "ignoring malformed ErrorCode" in server.output()


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param(b"zz\r\nabc\r\n0\r\n\r\n", id="bad-size"),
        pytest.param(b"5\r\nabc", id="cut-short"),
        pytest.param(b"3\r\nabcXY0\r\n\r\n", id="no-terminator"),
    ],
)
def test_a_malformed_chunked_body_is_a_400(servers: dict[str, Gunicorn], chunks: bytes) -> None:
    server = servers["hooks_app"]
    head = (
        "POST /twilio/messages HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "X-Twilio-Signature: c2lnbmF0dXJl\r\n"
        "Transfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + chunks)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert "Traceback" not in server.output()


def test_many_parameters_are_refused_before_they_are_parsed(
    servers: dict[str, Gunicorn],
) -> None:
    server = servers["hooks_app"]
    url = server.url + "/twilio/messages"
    body = "&".join(f"p{i}=v" for i in range(128_000)).encode()[: 1 << 20]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    unsigned = requests.post(url, data=body, headers=form, timeout=10)
    assert unsigned.status_code == 403
    forged = requests.post(
        url, data=body, headers={**form, "X-Twilio-Signature": "Zm9yZ2Vk"}, timeout=10
    )
    assert forged.status_code == 413
    assert "parameters are over the limit of 1000" in server.output()


def test_a_nul_in_the_charset_is_a_400(servers: dict[str, Gunicorn]) -> None:
    url = servers["hooks_app"].url + "/twilio/messages"
    answer = requests.post(
        url,
        data=urlencode(SMS),
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf\x008",
            "X-Twilio-Signature": official_signature(url, SMS),
        },
        timeout=10,
    )
    assert answer.status_code in (400, 403)
    assert "Traceback" not in servers["hooks_app"].output()


def test_basic_auth_passwords_never_reach_the_log(servers: dict[str, Gunicorn]) -> None:
    server = servers["middleware_app"]
    password = "s3cr/t?pa#ss@w:rd"
    url = server.url + "/twilio/sms"
    answer = requests.post(
        url,
        data=SMS,
        auth=("twilio", password),
        headers={"X-Twilio-Signature": official_signature(url, SMS, "other-token")},
        timeout=10,
    )
    assert answer.status_code == 403
    log = server.output()
    assert "Rejected Twilio webhook POST /twilio/sms" in log
    assert password not in log and quote(password, safe="") not in log
    assert "s3cr" not in log


# -- the same rules, property-tested in-process -----------------------------------------------

# Any characters around a run of digits that no log line holds otherwise (so that finding
# the password in a line means it leaked, not that "://" is part of every URL).
_SPECIALS = st.text(alphabet=st.sampled_from("/?#@:%&=+ !$'()*,;[]~é" + string.ascii_letters))
PASSWORDS = st.tuples(_SPECIALS, st.from_regex(r"[0-9]{6,10}", fullmatch=True), _SPECIALS).map(
    "".join
)


@settings(max_examples=150, deadline=None)
@given(password=PASSWORDS)
def test_no_password_in_any_log_line_whatever_its_characters(password: str) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logging.getLogger("twhooks").addHandler(handler)
    try:
        for app in (middleware_flask_app(), extension_app()):
            url = "http://localhost/twilio/sms"
            response = app.test_client().post(
                "/twilio/sms" if app.name == "mw" else "/twilio/messages",
                data=SMS,
                auth=("twilio", password),
                headers={"X-Twilio-Signature": official_signature(url, SMS, "other")},
            )
            assert response.status_code == 403
    finally:
        logging.getLogger("twhooks").removeHandler(handler)
    assert records
    for record in records:
        line = record.getMessage()
        assert password not in line
        assert quote(password, safe="-._~!$&'()*+,;=") not in line


def middleware_flask_app() -> Flask:
    app = Flask("mw")
    app.add_url_rule("/twilio/sms", "sms", lambda: "ok", methods=["POST"])
    app.wsgi_app = TwilioSignatureMiddleware(app.wsgi_app, TOKEN)  # type: ignore[method-assign]
    return app


def extension_app() -> Flask:
    app = Flask("ext")
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    TwilioHooks(app).message()(lambda msg: "ok")
    return app
