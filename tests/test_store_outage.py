"""A store that goes down while a handler runs: the handler's reply is still the answer.

The store is a ``redis-server`` of the test's own (:mod:`_outage`), stopped by the handler
itself before it returns: every store write after the handler (the conversation's save, its
lock's release, the claim's end) fails. Those writes are tried a few times, then logged once
each — never turned into a 500, which Twilio would send to the fallback URL (for a message)
after the handler had already acted. A store back a moment later (a memory store failing
once) gets its writes done by the second try.

The Flask and status-callback cases run on PostgreSQL too: a cluster of the test's own
(``initdb``), shut down at once by the handler.

SQLite is not tested here: the tests run as root, which ignores a file's or folder's
permissions, and a removed SQLite file is still written through the connections open on it,
so neither gives the store an error mid-handler.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from _outage import OwnPostgres, OwnRedis
from _servers import Gunicorn
from _signing import TOKEN, official_signature, signed_post
from flask import Flask

import twhooks.quart
from twhooks import IncomingMessage, MessageStatus, TwilioHooks
from twhooks.store import StoreUnavailable
from twhooks.store.memory import MemoryStore

SMS = {
    "AccountSid": "AC" + "1" * 32,
    "MessageSid": "SM" + "2" * 32,
    "From": "+14155550100",
    "To": "+14155550199",
    "Body": "hello",
    "NumMedia": "0",
}


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    yield server
    server.stop()


@pytest.fixture(params=["redis", "postgresql"])
def own_server(request: pytest.FixtureRequest) -> Iterator[OwnRedis | OwnPostgres]:
    server = OwnRedis() if request.param == "redis" else OwnPostgres()
    yield server
    server.stop()


def unsaved(messages: list[str]) -> list[str]:
    return [m for m in messages if "could not be saved" in m]


def test_on_gunicorn_a_handler_that_finished_is_answered_when_redis_stops_under_it(
    own_redis: OwnRedis, gunicorn: Callable[..., Gunicorn]
) -> None:
    server = gunicorn(
        "outage_app",
        workers=1,
        env={
            "TEST_TWILIO_AUTH_TOKEN": TOKEN,
            "TEST_STORE": own_redis.url,
            "TEST_REDIS_PID": str(own_redis.process.pid),
        },
    )
    url = server.url + "/twilio/messages"
    headers = {
        "X-Twilio-Signature": official_signature(url, SMS),
        "I-Twilio-Idempotency-Token": "outage-1",
    }
    started = time.perf_counter()
    response = requests.post(url, data=SMS, headers=headers, timeout=30)
    took = time.perf_counter() - started
    assert response.status_code == 200, server.output()
    assert b"message 1" in response.content
    log = server.output()
    # One line for the lost conversation, naming it and why.
    lines = unsaved(log.splitlines())
    assert len(lines) == 1, log
    assert "conversation" in lines[0] and "Redis" in lines[0]
    assert "Traceback" not in log
    assert took < 5  # the retries of the writes are short (loaded machines included)


def flask_app(server: OwnRedis | OwnPostgres) -> Flask:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=server.url)
    hooks = TwilioHooks(app)

    @hooks.message()
    def count(msg: IncomingMessage) -> str:
        msg.conversation.data["n"] = msg.conversation.data.get("n", 0) + 1
        server.kill()
        return f"message {msg.conversation.data['n']}"

    return app


def test_through_flask_the_reply_is_returned_and_each_lost_write_logged_once(
    own_server: OwnRedis | OwnPostgres, caplog: pytest.LogCaptureFixture
) -> None:
    app = flask_app(own_server)
    caplog.set_level(logging.WARNING)
    with app.test_client() as client:
        started = time.perf_counter()
        response = signed_post(
            client, "/twilio/messages", SMS, headers={"I-Twilio-Idempotency-Token": "t-1"}
        )
        took = time.perf_counter() - started
    assert response.status_code == 200
    assert b"message 1" in response.data
    messages = [r.getMessage() for r in caplog.records]
    assert len(unsaved(messages)) == 1, messages
    # The conversation's save, its lock and the claim: each named once, none a traceback.
    assert sum("conversation" in m and "lock" in m for m in messages) == 1, messages
    assert sum("idempotency" in m for m in messages) == 1, messages
    assert all(r.exc_info is None for r in caplog.records if r.name.startswith("twhooks"))
    # The retries after the handler stay short: 3 writes of 0.15 s of pauses each.
    assert took < 1


def test_through_quart_the_reply_is_returned_when_redis_stops_under_the_handler(
    own_redis: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    from quart import Quart

    app = Quart(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=own_redis.url)
    hooks = twhooks.quart.TwilioHooks(app)

    @hooks.message()
    async def count(msg: IncomingMessage) -> str:
        msg.conversation.data["n"] = msg.conversation.data.get("n", 0) + 1
        await asyncio.to_thread(own_redis.kill)
        return f"message {msg.conversation.data['n']}"

    async def scenario() -> tuple[int, bytes]:
        client = app.test_client(use_cookies=False)
        headers = {
            "X-Twilio-Signature": official_signature("http://localhost/twilio/messages", SMS),
            "I-Twilio-Idempotency-Token": "q-1",
        }
        response = await client.post("/twilio/messages", form=dict(SMS), headers=headers)
        return response.status_code, await response.get_data()

    caplog.set_level(logging.WARNING)
    code, body = asyncio.run(scenario())
    assert code == 200
    assert b"message 1" in body
    assert len(unsaved([r.getMessage() for r in caplog.records])) == 1


def test_a_status_callback_whose_store_stops_under_its_handler_is_answered(
    own_server: OwnRedis | OwnPostgres, caplog: pytest.LogCaptureFixture
) -> None:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=own_server.url)
    hooks = TwilioHooks(app)

    @hooks.message_status()
    def delivered(event: MessageStatus) -> None:
        own_server.kill()

    caplog.set_level(logging.WARNING)
    status = {"AccountSid": SMS["AccountSid"], "MessageSid": "SM" + "9" * 32}
    with app.test_client() as client:
        response = signed_post(
            client, "/twilio/messages/status", {**status, "MessageStatus": "delivered"}
        )
    assert response.status_code == 204
    messages = [r.getMessage() for r in caplog.records if r.name == "twhooks.dispatch"]
    # The status is recorded once its handler returned (issue 23 §2): with the store gone,
    # that write is logged too, then the lock's.
    assert len(messages) == 2, messages
    assert "message_status callback handled by" in messages[0]
    assert "could not be recorded" in messages[0] and "a retry runs the handler" in messages[0]
    assert "the lock of the callbacks of" in messages[1] and "SM" + "9" * 32 in messages[1]


class FailingOnce(MemoryStore):
    """A memory store whose first conversation save and first claim end fail, as a store that
    is back a moment later."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: list[str] = []

    def _fail_once(self, what: str) -> None:
        if what not in self.failed:
            self.failed.append(what)
            raise StoreUnavailable(f"{what}: the server is restarting")

    def save_conversation(self, *args: Any, **kwargs: Any) -> Any:
        self._fail_once("save")
        return super().save_conversation(*args, **kwargs)

    def finish(self, *args: Any, **kwargs: Any) -> None:
        self._fail_once("finish")
        super().finish(*args, **kwargs)


def test_a_write_that_fails_once_is_tried_again_and_done(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FailingOnce()
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store)
    hooks = TwilioHooks(app)

    @hooks.message()
    def count(msg: IncomingMessage) -> str:
        msg.conversation.data["n"] = msg.conversation.data.get("n", 0) + 1
        return f"message {msg.conversation.data['n']}"

    caplog.set_level(logging.WARNING)
    with app.test_client() as client:
        for n, token in ((1, "a"), (2, "b"), (2, "b")):  # the last: a retry of the second
            response = signed_post(
                client, "/twilio/messages", SMS, headers={"I-Twilio-Idempotency-Token": token}
            )
            assert response.status_code == 200
            assert f"message {n}".encode() in response.data
    assert store.failed == ["save", "finish"]
    assert not [r for r in caplog.records if r.name == "twhooks.dispatch"]
