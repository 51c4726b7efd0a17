"""The REST client against FakeTwilioApi over real HTTP: auth, Twilio's error JSON, retries of
429 and 5xx with Retry-After honoured (measured), and the app's own twilio.rest.Client."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any

import pytest
from flask import Flask

from twhooks import TwilioApiError
from twhooks.rest import RestClient, RetryPolicy, parse_retry_after
from twhooks.testing import FakeTwilioApi

#: Needs the runtime dependencies only (the SDK's tests are in test_rest_sdk.py).
pytestmark = pytest.mark.core

TO, FROM = "+15550001111", "+15550002222"


@pytest.fixture
def api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(statuses=()) as fake:
        yield fake


class Sleeps(list[float]):
    """A sleep that records its pauses (and sleeps them: the tests measure real time)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


def client(api: FakeTwilioApi, *, token: str | None = None, **retry: float) -> RestClient:
    policy = RetryPolicy(**{"backoff": 0.05, **retry})  # type: ignore[arg-type]
    return RestClient(
        api.account_sid, token or api.auth_token, base_url=api.url, retry=policy, sleep=Sleeps()
    )


def test_a_message_is_created_with_basic_auth_and_its_json_read(api: FakeTwilioApi) -> None:
    sent = client(api).create_message(
        to=TO,
        from_=FROM,
        body="héllo ☃",
        media_url=["https://example.com/a.png", "https://example.com/b.png"],
        status_callback="https://example.com/status",
    )
    (message,) = api.messages
    assert sent.sid == message.sid and sent.sid.startswith("MM")
    assert (sent.status, sent.to, sent.from_, sent.body) == ("queued", TO, FROM, "héllo ☃")
    assert message.media_urls == ("https://example.com/a.png", "https://example.com/b.png")
    assert message.status_callback == "https://example.com/status"
    assert message.auth_user == api.account_sid
    assert sent.data["direction"] == "outbound-api"


def test_an_api_key_authenticates_in_the_account_sid_s_place() -> None:
    with FakeTwilioApi(api_keys={"SK" + "1" * 32: "key-secret"}, statuses=()) as api:
        rest = RestClient(api.account_sid, "key-secret", api_key="SK" + "1" * 32, base_url=api.url)
        rest.create_message(to=TO, messaging_service_sid="MG" + "2" * 32, body="hi")
        (message,) = api.messages
    assert message.auth_user == "SK" + "1" * 32
    assert message.messaging_service_sid == "MG" + "2" * 32


def test_a_wrong_token_is_twilio_s_401_with_code_20003(api: FakeTwilioApi) -> None:
    rest = client(api, token="wrong")
    with pytest.raises(TwilioApiError) as raised:
        rest.create_message(to=TO, from_=FROM, body="hi")
    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert raised.value.more_info == "https://www.twilio.com/docs/errors/20003"
    assert api.messages == [] and [s for _, s in api.attempts] == [401]  # not retried


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from_": FROM, "body": "hi", "to": ""}, 21604),
        ({"body": "hi", "to": TO}, 21603),
        ({"from_": FROM, "to": TO}, 21602),
        ({"from_": FROM, "to": TO, "body": "x" * 1601}, 21617),
    ],
    ids=["no-to", "no-from", "no-body", "too-long"],
)
def test_twilio_s_validation_errors_are_raised_with_their_code(
    api: FakeTwilioApi, params: dict[str, str], code: int
) -> None:
    with pytest.raises(TwilioApiError) as raised:
        client(api).create_message(**params)  # type: ignore[arg-type]
    assert (raised.value.status, raised.value.code) == (400, code)
    assert len(api.attempts) == 1


def test_an_opted_out_recipient_is_error_21610(api: FakeTwilioApi) -> None:
    api.opt_out(TO)
    with pytest.raises(TwilioApiError) as raised:
        client(api).create_message(to=TO, from_=FROM, body="hi")
    assert raised.value.code == 21610
    assert "unsubscribed" in str(raised.value)


def test_a_429_with_retry_after_1_is_waited_for_then_sent(api: FakeTwilioApi) -> None:
    api.fail_next(429, retry_after=1)
    rest = client(api)
    started = time.monotonic()
    sent = rest.create_message(to=TO, from_=FROM, body="hi")
    elapsed = time.monotonic() - started
    (first, status_1), (second, status_2) = api.attempts
    assert (status_1, status_2) == (429, 201)
    assert second - first >= 1.0  # measured at the server: Retry-After honoured
    assert 1.0 <= elapsed < 5.0
    assert rest._sleep == [1.0]  # type: ignore[comparison-overlap]
    assert [m.sid for m in api.messages] == [sent.sid]


def test_retry_after_as_an_http_date_is_honoured(api: FakeTwilioApi) -> None:
    api.fail_next(503, retry_after=formatdate(time.time() + 2, usegmt=True))
    rest = client(api)
    rest.create_message(to=TO, from_=FROM, body="hi")
    (pause,) = rest._sleep  # type: ignore[misc]
    assert 0.0 <= pause <= 2.0  # HTTP dates have whole seconds


def test_5xx_are_retried_with_a_growing_backoff(api: FakeTwilioApi) -> None:
    api.fail_next(500, times=2)
    rest = client(api, backoff=0.1)
    rest.create_message(to=TO, from_=FROM, body="hi")
    assert [s for _, s in api.attempts] == [500, 500, 201]
    first, second = rest._sleep  # type: ignore[misc]
    assert 0.05 <= first <= 0.1 and 0.1 <= second <= 0.2


def test_retries_end_after_the_policy_s_count(api: FakeTwilioApi) -> None:
    api.fail_next(502, times=10)
    with pytest.raises(TwilioApiError) as raised:
        client(api, retries=2).create_message(to=TO, from_=FROM, body="hi")
    assert raised.value.status == 502
    assert len(api.attempts) == 3 and api.messages == []


def test_a_retry_after_over_max_wait_is_raised_at_once(api: FakeTwilioApi) -> None:
    api.fail_next(429, retry_after=120)
    rest = client(api, max_wait=30)
    started = time.monotonic()
    with pytest.raises(TwilioApiError) as raised:
        rest.create_message(to=TO, from_=FROM, body="hi")
    assert time.monotonic() - started < 1.0
    assert (raised.value.code, raised.value.retry_after) == (20429, 120.0)
    assert rest._sleep == []  # type: ignore[comparison-overlap]


def test_a_refused_connection_is_retried_then_raised_without_a_status() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    rest = RestClient(
        "AC" + "0" * 32,
        "token",
        base_url=f"http://127.0.0.1:{port}",
        retry=RetryPolicy(retries=2, backoff=0.01),
        sleep=Sleeps(),
    )
    with pytest.raises(TwilioApiError) as raised:
        rest.create_message(to=TO, from_=FROM, body="hi")
    assert raised.value.status is None and "ConnectionError" in raised.value.message
    assert len(rest._sleep) == 2  # type: ignore[arg-type]


def test_a_proxy_s_html_error_page_is_an_error_with_its_text(live_server: Any) -> None:
    app = Flask("proxy")
    app.add_url_rule(
        "/2010-04-01/Accounts/<sid>/Messages.json",
        "bad_gateway",
        lambda sid: ("<html>502 Bad Gateway</html>", 502),
        methods=["POST"],
    )
    server = live_server(app)
    sleeps = Sleeps()
    policy = RetryPolicy(retries=1, backoff=0.01)
    rest = RestClient("AC" + "0" * 32, "t", base_url=server.url, retry=policy, sleep=sleeps)
    with pytest.raises(TwilioApiError) as raised:
        rest.create_message(to=TO, from_=FROM, body="hi")
    assert (raised.value.status, raised.value.code) == (502, None)
    assert raised.value.message == "<html>502 Bad Gateway</html>"
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [("1", 1.0), ("0.5", 0.5), ("-3", 0.0), ("soon", None), ("", None), (None, None)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_reads_an_http_date() -> None:
    assert parse_retry_after("Sun, 06 Dec 2026 20:00:10 GMT", now=1796587200.0) == 10.0
