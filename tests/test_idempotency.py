"""Retried webhooks (same I-Twilio-Idempotency-Token) are answered without running twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from _signing import TOKEN, official_signature, signed_post
from flask import Flask, session

from twhooks import IncomingMessage, MessageStatus, TwilioHooks
from twhooks.exceptions import ConfigurationError
from twhooks.replies import Reply
from twhooks.store.replays import MemoryReplayStore

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

SMS = {"MessageSid": "SM1", "AccountSid": "AC1", "From": "+14155550100", "Body": "hi"}
OK = "the stored response"


REPLY = Reply(200, [("Content-Type", "text/plain"), ("Set-Cookie", "s=1")], b"first")


class TestMemoryReplayStore:
    def test_first_claim_then_replay(self) -> None:
        store = MemoryReplayStore()
        assert store.claim("t1", "a", 10) is True
        assert store.claim("t1", "b", 10) is False
        store.finish("t1", "a", REPLY, 60)
        assert store.claim("t1", "b", 10) == REPLY
        assert store.wait("t1", 0) == REPLY

    def test_a_failure_is_forgotten(self) -> None:
        store = MemoryReplayStore()
        store.claim("t1", "a", 10)
        store.finish("t1", "a", None, 60)
        assert store.claim("t1", "b", 10) is True

    def test_an_expired_claim_is_taken_over_and_the_late_owner_is_ignored(self) -> None:
        store = MemoryReplayStore()
        assert store.claim("t1", "a", 0.01) is True
        time.sleep(0.02)
        assert store.wait("t1", 1) is None  # nobody holds it any more
        assert store.claim("t1", "b", 10) is True
        store.finish("t1", "a", Reply(200, [], b"late"), 60)  # a's lease ran out
        assert store.claim("t1", "c", 10) is False
        store.finish("t1", "b", REPLY, 60)
        assert store.claim("t1", "c", 10) == REPLY

    def test_oldest_keys_are_evicted(self) -> None:
        store = MemoryReplayStore(size=2)
        for key in ("a", "b", "c"):
            store.claim(key, "o", 10)
            store.finish(key, "o", REPLY, 60)
        assert len(store) == 2
        assert store.claim("a", "o", 10) is True
        assert store.claim("c", "o", 10) == REPLY

    def test_a_retry_waits_for_the_request_in_flight(self) -> None:
        store = MemoryReplayStore()
        store.claim("t1", "a", 10)
        timer = threading.Timer(0.05, store.finish, ("t1", "a", REPLY, 60))
        timer.start()
        assert store.wait("t1", 5) == REPLY
        timer.join()

    def test_the_wait_is_bounded(self) -> None:
        store = MemoryReplayStore()
        store.claim("t1", "a", 10)
        started = time.monotonic()
        assert store.wait("t1", 0.05) is None
        assert 0.04 < time.monotonic() - started < 1

    def test_size_must_be_positive(self) -> None:
        with pytest.raises(ConfigurationError, match="at least 1"):
            MemoryReplayStore(size=0)


def counting_app(**config: Any) -> tuple[Flask, list[str]]:
    app = Flask(__name__)
    app.config.update({"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": "s", **config})
    hooks = TwilioHooks(app)
    runs: list[str] = []

    @hooks.message()
    def count(msg: IncomingMessage) -> str:
        runs.append(msg.body)
        if msg.body == "fail":
            raise RuntimeError("first attempt fails")
        session["count"] = session.get("count", 0) + 1
        return f"count {session['count']} ({len(runs)} runs)"

    @hooks.message_status()
    def status(event: MessageStatus) -> None:
        runs.append(event.status or "")

    return app, runs


def send(client: Any, token: str | None, params: dict[str, str] = SMS, path: str = "") -> Any:
    headers = {"I-Twilio-Idempotency-Token": token} if token else {}
    return signed_post(client, path or "/twilio/messages", params, headers=headers)


def test_a_retry_gets_the_first_response_and_the_handler_runs_once() -> None:
    app, runs = counting_app()
    first = send(app.test_client(), "tok-1")
    retry = send(app.test_client(), "tok-1")  # a fresh client: Twilio's retry, same cookies
    assert runs == ["hi"]
    assert retry.data == first.data
    assert b"count 1 (1 runs)" in retry.data
    assert retry.headers.getlist("Set-Cookie") == first.headers.getlist("Set-Cookie")
    assert first.headers.getlist("Set-Cookie")  # the conversation cookie is replayed too


@pytest.mark.parametrize(
    ("tokens", "config"),
    [
        pytest.param(("tok-1", "tok-2"), {}, id="different-tokens"),
        pytest.param((None, None), {}, id="no-token"),
        pytest.param(("tok-1", "tok-1"), {"TWHOOKS_DEDUPLICATE": False}, id="switched-off"),
    ],
)
def test_the_handler_runs_for_every_distinct_request(
    tokens: tuple[str | None, str | None], config: dict[str, Any]
) -> None:
    app, runs = counting_app(**config)
    for token in tokens:
        send(app.test_client(), token)
    assert runs == ["hi", "hi"]


def test_a_failed_request_is_run_again_on_retry() -> None:
    app, runs = counting_app()
    assert send(app.test_client(), "tok-1", {**SMS, "Body": "fail"}).status_code == 500
    assert send(app.test_client(), "tok-1", {**SMS, "Body": "fail"}).status_code == 500
    assert runs == ["fail", "fail"]


def test_an_error_raised_in_testing_mode_releases_the_token() -> None:
    app, runs = counting_app(TESTING=True)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            send(app.test_client(), "tok-1", {**SMS, "Body": "fail"})
    assert runs == ["fail", "fail"]


def test_a_forged_retry_is_refused_before_any_replay() -> None:
    app, _ = counting_app()
    send(app.test_client(), "tok-1")
    forged = app.test_client().post(
        "/twilio/messages",
        data=SMS,
        headers={"I-Twilio-Idempotency-Token": "tok-1", "X-Twilio-Signature": "forged="},
    )
    assert forged.status_code == 403


def test_status_callbacks_are_deduplicated_too() -> None:
    app, runs = counting_app()
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    for _ in range(2):
        response = send(app.test_client(), "tok-9", params, "/twilio/messages/status")
        assert response.status_code == 204
    assert runs == ["delivered"]


def test_the_same_token_on_another_route_is_another_request() -> None:
    app, runs = counting_app()
    send(app.test_client(), "tok-1")
    send(app.test_client(), "tok-1", {"MessageStatus": "sent"}, "/twilio/messages/status")
    assert runs == ["hi", "sent"]


def test_a_retry_during_a_slow_first_request_waits_for_it(
    live_server: Callable[[Any], Any],
) -> None:
    """Over real HTTP: Twilio timed out and retried while the handler was still running."""
    app = Flask(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    hooks = TwilioHooks(app)
    started, release = threading.Event(), threading.Event()
    runs: list[int] = []

    @hooks.message()
    def slow(msg: IncomingMessage) -> str:
        runs.append(1)
        started.set()
        release.wait(10)
        return "done once"

    url = live_server(app).url + "/twilio/messages"
    headers = {
        "X-Twilio-Signature": official_signature(url, SMS),
        "I-Twilio-Idempotency-Token": "slow-token",
    }
    results: dict[str, requests.Response] = {}

    def post(name: str) -> None:
        results[name] = requests.post(url, data=SMS, headers=headers, timeout=20)

    first = threading.Thread(target=post, args=("first",))
    first.start()
    assert started.wait(10)
    retry = threading.Thread(target=post, args=("retry",))
    retry.start()
    retry.join(0.2)
    assert retry.is_alive()  # waiting for the first request, not running the handler
    release.set()
    first.join(10)
    retry.join(10)
    assert runs == [1]
    assert results["first"].content == results["retry"].content
    assert b"<Message>done once</Message>" in results["retry"].content


def test_the_old_module_is_a_deprecated_re_export() -> None:
    import importlib
    import sys

    sys.modules.pop("twhooks.idempotency", None)
    with pytest.warns(DeprecationWarning, match="twhooks.store.replays"):
        old = importlib.import_module("twhooks.idempotency")
    assert old.StoredReply is Reply
    assert old.MemoryReplayStore is MemoryReplayStore
