"""Event Streams through gunicorn with several workers on a shared store (issue 22).

Batches shaped like the examples of Twilio's event type pages are signed with the official
SDK's ``RequestValidator`` (the hash by ``compute_hash``, the signature over the URL with
``bodySHA256`` and no parameters) and POSTed to ``/twilio/events`` of ``streams_app``. The
trace file shows which handler ran on which event, in which worker.
"""

from __future__ import annotations

import json
import threading
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

validator = RequestValidator(TOKEN)

DELIVERED = {
    # The "Delivered" example of Twilio's Outbound Message event type page (schema v8).
    "specversion": "1.0",
    "type": "com.twilio.messaging.message.delivered",
    "source": "AB00000000000000000000000001",
    "id": "NO00000000000000000000000001",
    "dataschema": "https://events-schemas.twilio.com/Messaging.MessageStatus/8",
    "datacontenttype": "application/json",
    "time": "2025-10-08T07:17:02.363Z",
    "data": {
        "messageSid": "SM0000000000000000000000000000001",
        "timestamp": "2025-01-01T00:00:00.000Z",
        "accountSid": "AC0000000000000000000000000000001",
        "eventName": "com.twilio.messaging.message.delivered",
        "apiVersion": "2010-04-01",
        "from": "+14155550199",
        "to": "+14155550100",
        "messageStatus": "DELIVERED",
        "numberOfSegments": 1,
    },
}


def post(base: str, body: bytes, *, tamper: bytes | None = None) -> requests.Response:
    url = f"{base}/twilio/events?bodySHA256={validator.compute_hash(body.decode())}"
    signature = validator.compute_signature(url, {})
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": signature}
    return requests.post(url, data=tamper or body, headers=headers, timeout=20)


def batch(*events: Any) -> bytes:
    return json.dumps(list(events)).encode()


def runs_of(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture(params=["redis", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    url = REDIS_URL if request.param == "redis" else POSTGRESQL_URL
    prefix = new_prefix("streams")
    yield url, prefix
    remove(url, prefix)


@pytest.fixture
def sink(store: tuple[str, str], gunicorn: Callable[..., Any], tmp_path: Path) -> tuple[str, Path]:
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
    return server.url, runs


def test_a_batch_runs_each_event_in_its_handler_and_feeds_the_store(
    sink: tuple[str, Path], store: tuple[str, str]
) -> None:
    base, runs = sink
    call = payloads.cloud_event("com.twilio.voice.status-callback.call.completed")
    other = payloads.cloud_event("com.twilio.eventstreams.test-event", data={"test_id": "t1"})
    response = post(base, batch(DELIVERED, call, other))
    assert response.status_code == 204, response.text
    handled = {(name, event_id) for _, name, event_id, _ in runs_of(runs)}
    call_sid = call["data"]["sid"]
    assert handled == {
        ("message:SM0000000000000000000000000000001:delivered", DELIVERED["id"]),
        (f"call:{call_sid}:completed", call["id"]),
        ("other", other["id"]),
    }
    # The status events are recorded like the status callbacks they stand for.
    shared: Any = named_store(*store)
    try:
        delivery = shared.get_message("SM0000000000000000000000000000001")
        assert delivery is not None and delivery.status == "delivered"
        assert [e.params.get("CallStatus") for e in shared.call_events(call_sid)] == ["completed"]
    finally:
        shared.close()


def test_a_redelivered_batch_runs_nothing_twice_across_workers(sink: tuple[str, Path]) -> None:
    base, runs = sink
    events = [payloads.cloud_event("com.twilio.messaging.message.sent") for _ in range(5)]
    body = batch(*events)
    answers: list[int] = []

    def deliver() -> None:
        answers.append(post(base, body).status_code)

    # Event Streams delivers at least once: the same batch, eight times, four at a time.
    for _ in range(2):
        threads = [threading.Thread(target=deliver) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert set(answers) == {204}, answers
    counted = Counter(event_id for _, _, event_id, _ in runs_of(runs))
    assert counted == Counter({event["id"]: 1 for event in events})


def test_a_failing_event_does_not_lose_the_others_and_runs_again_alone(
    sink: tuple[str, Path],
) -> None:
    base, runs = sink
    runs.with_suffix(".fail").touch()
    good = payloads.cloud_event("com.twilio.messaging.message.delivered")
    bad = payloads.cloud_event("com.twilio.messaging.message.failed", data={"fail": True})
    later = payloads.cloud_event("com.twilio.eventstreams.test-event")
    body = batch(good, bad, "not an event", {"type": "no id"}, later)
    first = post(base, body)
    # A 5xx: Event Streams sends the batch again (a 4xx other than 429 would drop it).
    assert first.status_code == 500
    assert "1 of 5 events failed" in first.text
    assert sorted(e for _, _, e, _ in runs_of(runs)) == sorted([good["id"], later["id"]])
    runs.with_suffix(".fail").unlink()
    again = post(base, body)
    assert again.status_code == 204, again.text
    counted = Counter(event_id for _, _, event_id, _ in runs_of(runs))
    assert counted == Counter({good["id"]: 1, bad["id"]: 1, later["id"]: 1})


def test_what_is_not_a_signed_batch_runs_no_handler(sink: tuple[str, Path]) -> None:
    base, runs = sink
    body = batch(DELIVERED)
    forged = batch({**DELIVERED, "id": "NO-forged"})
    assert post(base, body, tamper=forged).status_code == 403
    url = f"{base}/twilio/events"  # signed, but without bodySHA256: the body is not
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": validator.compute_signature(url, {}),
    }
    assert requests.post(url, data=body, headers=headers, timeout=20).status_code == 400
    assert post(base, b"[{not json").status_code == 400
    assert post(base, b'"just a string"').status_code == 400
    assert runs_of(runs) == []
