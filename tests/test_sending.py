"""hooks.send through a real app to FakeTwilioApi over real HTTP: messages, idempotency keys
(in one process and across gunicorn's workers on every store), opt-outs from error 21610,
the delivery record and the fake's signed status callbacks, the settings."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from _servers import Gunicorn
from _stores import POSTGRESQL_URL, REDIS_URL, new_prefix, remove
from flask import Flask
from twilio.rest import Client

from twhooks import ConfigurationError, MessageStatus, TwilioApiError, TwilioHooks
from twhooks.testing import FakeTwilioApi

TO, FROM = "+15550001111", "+15550002222"


def make_app(api: FakeTwilioApi, **config: Any) -> tuple[Flask, TwilioHooks]:
    app = Flask("sending")
    app.config.update(api.config(), TWHOOKS_REST_RETRIES=1, **config)
    hooks = TwilioHooks(app)

    @hooks.message_status()
    def status(update: MessageStatus) -> None:
        return None

    return app, hooks


@pytest.fixture
def api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(statuses=()) as fake:
        yield fake


def test_send_posts_the_message_and_registers_its_delivery(api: FakeTwilioApi) -> None:
    app, hooks = make_app(api)
    with app.app_context():
        sent = hooks.send(to=TO, from_=FROM, body="hello", media_url="https://e.com/a.png")
        delivery = hooks.deliveries.get(sent.sid)
    (message,) = api.messages
    assert (message.sid, message.to, message.from_, message.body) == (sent.sid, TO, FROM, "hello")
    assert message.media_urls == ("https://e.com/a.png",)
    assert message.status_callback is None  # no TWHOOKS_PUBLIC_URL: none by default
    assert delivery is not None and (delivery.status, delivery.to) == ("queued", TO)


def test_the_same_key_sends_once_and_returns_the_first_message(api: FakeTwilioApi) -> None:
    app, hooks = make_app(api)
    with app.app_context():
        first = hooks.send(to=TO, from_=FROM, body="once", key="job-1:reply:0")
        again = hooks.send(to=TO, from_=FROM, body="once", key="job-1:reply:0")
        other = hooks.send(to=TO, from_=FROM, body="twice", key="job-1:reply:1")
    assert again == first and other.sid != first.sid
    assert [m.body for m in api.messages] == ["once", "twice"]


def test_a_failed_send_keeps_no_key_and_the_next_try_sends(api: FakeTwilioApi) -> None:
    app, hooks = make_app(api)
    api.fail_next(500, times=2)  # TWHOOKS_REST_RETRIES = 1: both tries fail
    with app.app_context():
        with pytest.raises(TwilioApiError) as raised:
            hooks.send(to=TO, from_=FROM, body="hi", key="k")
        assert raised.value.status == 500
        sent = hooks.send(to=TO, from_=FROM, body="hi", key="k")
    assert [m.sid for m in api.messages] == [sent.sid]


def test_error_21610_records_the_recipient_as_opted_out(api: FakeTwilioApi) -> None:
    app, hooks = make_app(api)
    api.opt_out(TO)
    with app.app_context():
        assert not hooks.opt_outs.is_opted_out(TO)
        with pytest.raises(TwilioApiError) as raised:
            hooks.send(to=TO, from_=FROM, body="hi")
        assert raised.value.code == 21610
        (opt_out,) = hooks.opt_outs.get(TO)
    assert (opt_out.sender, opt_out.source) == (FROM, "error_21610")


def test_an_api_key_is_used_when_set() -> None:
    key = "SK" + "3" * 32
    with FakeTwilioApi(api_keys={key: "s3cret"}, statuses=()) as api:
        app, hooks = make_app(api, TWILIO_API_KEY=key, TWILIO_API_SECRET="s3cret")
        with app.app_context():
            hooks.send(to=TO, messaging_service_sid="MG" + "4" * 32, body="hi")
        assert api.messages[0].auth_user == key


def test_a_wrong_auth_token_is_refused_by_the_fake(api: FakeTwilioApi) -> None:
    app, hooks = make_app(api, TWILIO_AUTH_TOKEN="not-the-token")
    with app.app_context(), pytest.raises(TwilioApiError) as raised:
        hooks.send(to=TO, from_=FROM, body="hi")
    assert (raised.value.status, raised.value.code) == (401, 20003)


def test_the_app_s_twilio_client_sends_when_given(api: FakeTwilioApi) -> None:
    client = Client(api.account_sid, api.auth_token)
    client.api.base_url = api.url
    app, hooks = make_app(api, TWHOOKS_REST_CLIENT=client, TWILIO_API_BASE_URL=None)
    with app.app_context():
        sent = hooks.send(to=TO, from_=FROM, body="through the SDK", key="sdk")
        assert hooks.send(to=TO, from_=FROM, body="through the SDK", key="sdk") == sent
    assert [m.body for m in api.messages] == ["through the SDK"]


def test_missing_credentials_are_named_on_the_first_send() -> None:
    app = Flask("no-sid")
    app.config.update(TWILIO_AUTH_TOKEN="t" * 32)
    hooks = TwilioHooks(app)  # an app that never sends needs no account SID
    with app.app_context(), pytest.raises(ConfigurationError, match="TWILIO_ACCOUNT_SID"):
        hooks.send(to=TO, from_=FROM, body="hi")


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"TWILIO_API_KEY": "SK1"}, "TWILIO_API_SECRET"),
        ({"TWILIO_API_BASE_URL": "ftp://x"}, "TWILIO_API_BASE_URL"),
        ({"TWHOOKS_REST_RETRIES": -1}, "TWHOOKS_REST_RETRIES"),
        ({"TWHOOKS_REST_MAX_WAIT": 0}, "TWHOOKS_REST_MAX_WAIT"),
        ({"TWHOOKS_REST_CLIENT": object()}, "TWHOOKS_REST_CLIENT"),
        ({"TWILIO_ACCOUNT_SID": 5}, "TWILIO_ACCOUNT_SID"),
    ],
    ids=["key-without-secret", "base-url", "retries", "max-wait", "client", "sid-type"],
)
def test_malformed_settings_are_refused_at_init(config: dict[str, Any], match: str) -> None:
    app = Flask("bad")
    app.config.update(TWILIO_AUTH_TOKEN="t" * 32, **config)
    with pytest.raises(ConfigurationError, match=match):
        TwilioHooks(app)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"to": "", "from_": FROM, "body": "x"}, "recipient"),
        ({"to": TO, "from_": FROM}, "body or a media_url"),
        ({"to": TO, "body": "x"}, "from_"),
    ],
)
def test_a_send_missing_a_part_is_refused_before_the_api(
    api: FakeTwilioApi, kwargs: dict[str, Any], match: str
) -> None:
    app, hooks = make_app(api)
    with app.app_context(), pytest.raises(ValueError, match=match):
        hooks.send(**kwargs)
    assert api.attempts == []


def test_status_callbacks_posted_by_the_fake_reach_the_deliveries(
    live_server: Callable[[Any], Any],
) -> None:
    with FakeTwilioApi() as api:
        app, hooks = make_app(api)
        server = live_server(app)
        callback = server.url + "/twilio/messages/status"
        with app.app_context():
            sent = hooks.send(to=TO, from_=FROM, body="tracked", status_callback=callback)
            callbacks = api.wait_for_callbacks(3)
            delivery = hooks.deliveries.get(sent.sid)
    # Signed as Twilio signs them: the app verified each one (a bad signature is a 403).
    assert [(c.status, c.response_status) for c in callbacks] == [
        ("queued", 204),
        ("sent", 204),
        ("delivered", 204),
    ]
    assert delivery is not None and delivery.status == "delivered"
    assert [h.status for h in delivery.history] == ["queued", "sent", "delivered"]


def test_the_status_callback_defaults_to_the_app_s_route_under_its_public_url(
    api: FakeTwilioApi,
) -> None:
    app, hooks = make_app(api, TWHOOKS_PUBLIC_URL="https://bot.example.com/")
    with app.app_context():
        hooks.send(to=TO, from_=FROM, body="a")
        hooks.send(to=TO, from_=FROM, body="b", status_callback="")  # "": none
    assert [m.status_callback for m in api.messages] == [
        "https://bot.example.com/twilio/messages/status",
        None,
    ]


# -- across processes -----------------------------------------------------------------------


@pytest.fixture(params=["sqlite-default", "redis", "postgresql"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The store of the sender app's workers (its keys removed after the test)."""
    if request.param == "sqlite-default":
        yield {"TEST_INSTANCE": str(tmp_path / "instance")}
        return
    url = REDIS_URL if request.param == "redis" else POSTGRESQL_URL
    prefix = new_prefix("send")
    yield {"TEST_STORE": url, "TEST_PREFIX": prefix}
    remove(url, prefix)


def test_one_key_sends_once_across_4_gunicorn_workers(
    store_env: dict[str, str], gunicorn: Callable[..., Gunicorn]
) -> None:
    with FakeTwilioApi(statuses=(), answer_delay=0.3) as api:
        env = {
            "TEST_API_URL": api.url,
            "TEST_ACCOUNT_SID": api.account_sid,
            "TEST_TWILIO_AUTH_TOKEN": api.auth_token,
            **store_env,
        }
        server = gunicorn("rest_apps:sender_app()", workers=4, env=env)
        form = {"to": TO, "from": FROM, "body": "exactly once", "key": "webhook-1:reply:0"}

        def send(_: int) -> requests.Response:
            return requests.post(server.url + "/send", data=form, timeout=30)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(send, range(8)))
        assert [a.status_code for a in answers] == [200] * 8
        assert len({a.json()["sid"] for a in answers}) == 1
        assert len({a.json()["pid"] for a in answers}) > 1  # several workers took part
        assert len(api.messages) == 1
        # Another key is another message.
        other = requests.post(server.url + "/send", data={**form, "key": "2"}, timeout=30)
        assert other.json()["sid"] != answers[0].json()["sid"]
        assert len(api.messages) == 2


def test_the_twilio_api_fixture_is_a_started_fake(twilio_api: FakeTwilioApi) -> None:
    app, hooks = make_app(twilio_api)
    with app.app_context():
        sent = hooks.send(to=TO, from_=FROM, body="from the fixture")
    assert twilio_api.url.startswith("http://127.0.0.1:")
    assert [m.sid for m in twilio_api.wait_for_messages(1)] == [sent.sid]


def test_send_on_quart_from_a_thread(api: FakeTwilioApi) -> None:
    import asyncio

    from quart import Quart

    from twhooks.quart import TwilioHooks as QuartHooks

    app = Quart("sending-quart")
    app.config.update(api.config())
    hooks = QuartHooks(app)

    async def main() -> str:
        async with app.app_context():
            # A blocking call: off the event loop, with the app's context copied along.
            sent = await asyncio.to_thread(hooks.send, to=TO, from_=FROM, body="q", key="q1")
            again = await asyncio.to_thread(hooks.send, to=TO, from_=FROM, body="q", key="q1")
            assert again == sent
            delivery = await hooks.deliveries.wait_async(sent.sid, "queued", timeout=1)
            assert delivery.status == "queued"
            return sent.sid

    sid = asyncio.run(main())
    assert [m.sid for m in api.messages] == [sid]


def test_send_async_on_hypercorn_sends_one_key_once(
    tmp_path: Path, serve: Callable[[Any], Any]
) -> None:
    # An async view sending under one key, 8 requests at once on a real Hypercorn server,
    # the default SQLite store: one message, the same SID for all (the first sender waits
    # 0.3 s for the API while the others wait for its key, on the event loop).
    from quart import Quart, jsonify
    from quart import request as quart_request

    from twhooks.quart import TwilioHooks as QuartHooks

    with FakeTwilioApi(statuses=(), answer_delay=0.3) as api:
        app = Quart("sending-async", instance_path=str(tmp_path / "instance"))
        app.config.update(api.config())
        hooks = QuartHooks(app)

        @app.post("/send")
        async def send() -> Any:
            form = await quart_request.form
            sent = await hooks.send_async(to=TO, from_=FROM, body="once", key=form["key"])
            return jsonify(sid=sent.sid)

        server = serve(app)

        def post(key: str) -> requests.Response:
            return requests.post(server.url + "/send", data={"key": key}, timeout=30)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(post, ["k1"] * 8))
        assert [a.status_code for a in answers] == [200] * 8
        assert len({a.json()["sid"] for a in answers}) == 1
        assert len(api.messages) == 1
        # Another key is another message.
        assert post("k2").json()["sid"] != answers[0].json()["sid"]
        assert len(api.messages) == 2
