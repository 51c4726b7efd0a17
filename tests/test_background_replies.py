"""What a background message handler returns is sent through Twilio's REST API — the
local one of ``twhooks.testing`` — from the webhook's ``To`` to its ``From``, once per
webhook, through a 429, and not to a number that opted out."""

from __future__ import annotations

import concurrent.futures
import time
from typing import Any

import pytest
import requests
from _signing import official_signature
from flask import Flask

from twhooks import MessagingResponse, TwilioHooks
from twhooks.background import hooks_for
from twhooks.testing import FakeTwilioApi

PEOPLE = "+15550001111"
US = "+15550002222"


def make_app(api: FakeTwilioApi) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, **api.config())
    hooks = TwilioHooks(app)

    @hooks.message(keyword="two", background=True)
    def two(msg: Any) -> MessagingResponse:
        reply = MessagingResponse()
        reply.message("first")
        second = reply.message("second, with a picture")
        second.media("https://example.com/cat.jpg")
        return reply

    @hooks.message(keyword="quiet", background=True)
    def quiet(msg: Any) -> None:
        return None

    @hooks.message(background=True)
    def echo(msg: Any) -> str:
        time.sleep(0.2)  # slow enough for the copies of the webhook to overlap
        return f"You said {msg.body}"

    return app


@pytest.fixture
def served(twilio_api: FakeTwilioApi, live_server: Any) -> tuple[Flask, str]:
    app = make_app(twilio_api)
    return app, live_server(app).url + "/twilio/messages"


def post(
    api: FakeTwilioApi, url: str, sid: str, body: str, token: str | None = None
) -> requests.Response:
    params = {
        "AccountSid": api.account_sid,
        "MessageSid": sid,
        "From": PEOPLE,
        "To": US,
        "Body": body,
    }
    headers = {"X-Twilio-Signature": official_signature(url, params, api.auth_token)}
    if token is not None:
        headers["I-Twilio-Idempotency-Token"] = token
    return requests.post(url, data=params, headers=headers, timeout=30)


def test_the_reply_goes_through_the_rest_api_once(
    served: tuple[Flask, str], twilio_api: FakeTwilioApi
) -> None:
    _, url = served
    # Twilio's three retries at once, and the webhook once more without a token.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda t: post(twilio_api, url, "SM1", "hi", t), ["t1", "t1", "t1", None])
        )
    assert all(a.status_code == 200 and b"<Message" not in a.content for a in answers)
    (sent,) = twilio_api.wait_for_messages(1)
    assert (sent.to, sent.from_, sent.body) == (PEOPLE, US, "You said hi")
    time.sleep(0.5)
    assert len(twilio_api.messages) == 1


def test_each_message_of_a_messaging_response_is_sent(
    served: tuple[Flask, str], twilio_api: FakeTwilioApi
) -> None:
    _, url = served
    post(twilio_api, url, "SM2", "two")
    first, second = twilio_api.wait_for_messages(2)
    assert (first.body, first.media_urls) == ("first", ())
    assert (second.body, second.media_urls) == (
        "second, with a picture",
        ("https://example.com/cat.jpg",),
    )
    post(twilio_api, url, "SM3", "quiet")
    time.sleep(0.3)
    assert len(twilio_api.messages) == 2


def test_a_429_with_retry_after_is_waited_for(
    served: tuple[Flask, str], twilio_api: FakeTwilioApi
) -> None:
    _, url = served
    twilio_api.fail_next(429, retry_after=1)
    post(twilio_api, url, "SM4", "patience")
    (sent,) = twilio_api.wait_for_messages(1, timeout=15)
    assert sent.body == "You said patience"
    (refused, accepted) = twilio_api.attempts
    assert refused[1] == 429 and accepted[1] == 201
    assert accepted[0] - refused[0] >= 0.95


def test_a_recipient_who_opted_out_is_recorded_and_the_job_is_done(
    served: tuple[Flask, str], twilio_api: FakeTwilioApi
) -> None:
    app, url = served
    hooks = hooks_for(app)
    twilio_api.opt_out(PEOPLE)
    post(twilio_api, url, "SM5", "anyone there?")

    def states() -> list[str]:
        with app.app_context():
            return [r.why or "" for r in hooks.history.recent(sid="SM5") if r.method == "JOB"]

    deadline = time.monotonic() + 10
    while "job done" not in states():
        assert time.monotonic() < deadline, states()
        time.sleep(0.05)
    assert twilio_api.messages == []
    with app.app_context():
        assert hooks.opt_outs.is_opted_out(PEOPLE, US)
        assert hooks.history.failed() == []
