"""A failed Event Streams event joins the dead-letter list on its own, and its re-run runs
that event and no other (issue 22 with issue 23 §2): through gunicorn with two workers on
the default SQLite store, Redis and PostgreSQL.

A batch of three events whose middle one fails is answered 500 (Twilio sends it again); the
list then holds that one event — a one-event JSON array, signed for a URL whose
``bodySHA256`` is that body's — with what it raised. ``twhooks rerun`` sends it, signed,
and only that event's handler runs; Twilio's resend of the whole batch, once the handler is
mended, takes the dead letter off the list too.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from _signing import TOKEN
from _stores import POSTGRESQL_URL, REDIS_URL, named_store, new_prefix, remove
from twilio.request_validator import RequestValidator

from twhooks import payloads
from twhooks.cli import main as twhooks_main
from twhooks.store import FailedWebhook

validator = RequestValidator(TOKEN)


def post(base: str, body: bytes) -> requests.Response:
    url = f"{base}/twilio/events?bodySHA256={validator.compute_hash(body.decode())}"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": validator.compute_signature(url, {}),
    }
    return requests.post(url, data=body, headers=headers, timeout=30)


def runs_of(path: Path) -> Counter[str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return Counter(line.split()[2] for line in lines)


def wait_for(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(params=["sqlite", "redis", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    prefix = new_prefix("streamfail")
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.sqlite3", prefix
        return
    url = REDIS_URL if request.param == "redis" else POSTGRESQL_URL
    yield url, prefix
    remove(url, prefix)


@pytest.fixture
def sink(
    store: tuple[str, str], gunicorn: Callable[..., Any], tmp_path: Path
) -> Iterator[tuple[str, Path, Any]]:
    # The store is set up before the servers, so it is removed after they stopped: dropping
    # its tables under a live worker's history batch deadlocks on PostgreSQL.
    url, prefix = store
    runs = tmp_path / "runs"
    env = {
        "TEST_TWILIO_AUTH_TOKEN": TOKEN,
        "TEST_STORE": url,
        "TEST_PREFIX": prefix,
        "TEST_RUNS": str(runs),
    }
    server = gunicorn("streams_app:create()", workers=2, env=env)
    shared = named_store(url, prefix)
    yield server.url, runs, shared
    shared.close()


def failed_batch(runs: Path) -> tuple[list[dict[str, Any]], bytes]:
    runs.with_suffix(".fail").touch()
    good = payloads.cloud_event("com.twilio.messaging.message.delivered")
    bad = payloads.cloud_event("com.twilio.messaging.message.sent", data={"fail": True})
    other = payloads.cloud_event("com.twilio.eventstreams.test-event")
    events = [good, bad, other]
    return events, json.dumps(events).encode()


def test_the_failed_event_alone_is_kept_and_rerun_alone(
    sink: tuple[str, Path, Any], store: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    base, runs, shared = sink
    (good, bad, other), body = failed_batch(runs)
    assert post(base, body).status_code == 500
    [letter] = shared.failed_webhooks(10)
    assert isinstance(letter, FailedWebhook)
    assert letter.kind == "event_stream" and letter.method == "POST"
    assert json.loads(letter.body) == [bad]  # that event, and no other
    assert letter.params["EventId"] == bad["id"]
    assert letter.sid == bad["data"]["messageSid"]  # the inspector's SID column
    assert f"event {bad['id']} (com.twilio.messaging.message.sent)" in letter.error
    assert "failed on purpose" in letter.error and "RuntimeError" in letter.traceback
    # Signed for its own body: the URL's bodySHA256 is the hash of the one-event array.
    assert f"bodySHA256={validator.compute_hash(letter.body)}" in letter.url
    assert letter.path.startswith("/twilio/events?bodySHA256=")
    # Its message's status was not applied: the handler did not return.
    assert shared.get_message(bad["data"]["messageSid"]) is None

    # Re-run while it still fails: one more attempt of the same dead letter.
    store_args = ["--store", store[0], "--prefix", store[1], "--auth-token", TOKEN]
    assert twhooks_main(["rerun", base, *store_args, "--id", letter.key]) == 1
    capsys.readouterr()
    wait_for(lambda: [f.attempts for f in shared.failed_webhooks(10)] == [2])

    runs.with_suffix(".fail").unlink()
    assert twhooks_main(["rerun", base, *store_args, "--id", letter.key]) == 0
    assert "re-ran 1, 1 succeeded" in capsys.readouterr().out
    # Only that event ran again; the two that succeeded the first time did not.
    assert runs_of(runs) == Counter({good["id"]: 1, bad["id"]: 1, other["id"]: 1})
    delivery = shared.get_message(bad["data"]["messageSid"])
    assert delivery is not None and delivery.status == "sent"
    wait_for(lambda: shared.failed_webhooks(10) == [])
    # Twilio's resend of the batch, later, runs nothing again (each id was handled).
    assert post(base, body).status_code == 204
    assert sum(runs_of(runs).values()) == 3


def test_twilios_resend_of_the_batch_takes_the_dead_letter_off(
    sink: tuple[str, Path, Any],
) -> None:
    base, runs, shared = sink
    (good, bad, other), body = failed_batch(runs)
    assert post(base, body).status_code == 500
    assert post(base, body).status_code == 500  # still failing: the same dead letter
    [letter] = shared.failed_webhooks(10)
    assert letter.attempts == 2
    runs.with_suffix(".fail").unlink()
    assert post(base, body).status_code == 204
    assert runs_of(runs) == Counter({good["id"]: 1, bad["id"]: 1, other["id"]: 1})
    assert shared.failed_webhooks(10) == []  # taken off at once, by the event's success


def test_two_failed_events_are_two_dead_letters_each_rerun_alone(
    sink: tuple[str, Path, Any], store: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    base, runs, shared = sink
    runs.with_suffix(".fail").touch()
    first, second = (
        payloads.cloud_event("com.twilio.eventstreams.test-event", data={"fail": True})
        for _ in range(2)
    )
    assert post(base, json.dumps([first, second]).encode()).status_code == 500
    letters = {json.loads(f.body)[0]["id"]: f for f in shared.failed_webhooks(10)}
    assert set(letters) == {first["id"], second["id"]}
    runs.with_suffix(".fail").unlink()
    store_args = ["--store", store[0], "--prefix", store[1], "--auth-token", TOKEN]
    assert twhooks_main(["rerun", base, *store_args, "--id", letters[second["id"]].key]) == 0
    capsys.readouterr()
    assert runs_of(runs) == Counter({second["id"]: 1})
    wait_for(
        lambda: [json.loads(f.body)[0]["id"] for f in shared.failed_webhooks(10)] == [first["id"]]
    )


@pytest.mark.parametrize("framework", ["flask", "quart"])
def test_on_the_memory_store_and_from_the_inspector(
    framework: str, live_server: Callable[[Any], Any], serve: Callable[[Any], Any]
) -> None:
    """The dead letter of one event on the memory store, with both drivers (an ``async def``
    handler on Quart); re-run as the inspector re-runs it (Flask, in-process) or as
    ``twhooks rerun`` does (Quart, over HTTP): that event alone runs."""
    from twhooks.rerun import rerun_request

    broken = {"yes": True}
    ran: list[str] = []

    def handle(event: Any) -> None:
        if broken["yes"] and isinstance(event.data, dict) and event.data.get("fail"):
            raise RuntimeError("not yet")
        ran.append(event.id)

    if framework == "flask":
        from flask import Flask

        from twhooks import TwilioHooks

        app: Any = Flask("memory_sink")
        app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
        hooks: Any = TwilioHooks(app)
        hooks.event_stream()(handle)
    else:
        from quart import Quart

        from twhooks.quart import TwilioHooks as QuartHooks

        app = Quart("memory_sink")
        app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
        hooks = QuartHooks(app)

        @hooks.event_stream()
        async def handle_async(event: Any) -> None:
            handle(event)

    server = live_server(app) if framework == "flask" else serve(app)
    good = payloads.cloud_event("com.twilio.eventstreams.test-event")
    bad = payloads.cloud_event("com.twilio.eventstreams.test-event", data={"fail": True})
    assert post(server.url, json.dumps([good, bad]).encode()).status_code == 500
    facades = app.extensions["twhooks"].facades
    [letter] = facades.history.failed()
    assert json.loads(letter.body) == [bad] and letter.handler.endswith(
        "handle" if framework == "flask" else "handle_async"
    )
    broken["yes"] = False
    if framework == "flask":
        from twhooks.inspector.rerun import rerun_in_app

        assert rerun_in_app(app, letter).succeeded
    else:
        signed = rerun_request(letter, TOKEN)
        answer = requests.post(
            server.url + signed.path, data=signed.body, headers=signed.headers, timeout=20
        )
        assert answer.status_code == 204, answer.text
    assert ran == [good["id"], bad["id"]]
    wait_for(lambda: facades.history.failed() == [])
