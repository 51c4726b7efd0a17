"""A burst of status callbacks on gunicorn with four workers leaves the messages before it in
the history the inspector shows, over each shared store (each kind has room of its own).

Before, with ``TWHOOKS_HISTORY_SIZE = 50``, 300 status callbacks left none of the messages.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from _servers import Gunicorn
from _signing import TOKEN, official_signature
from _stores import POSTGRESQL_URL, REDIS_URL, new_prefix, remove

FEED = "/twilio/_inspector/feed.json"
AUTH = ("x", "rooms-pw")
ACCOUNT = "AC" + "2" * 32


@pytest.fixture(params=["sqlite", "redis", "postgresql"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    prefix = new_prefix("rooms")
    if request.param == "sqlite":
        yield {"TEST_STORE": f"sqlite:///{tmp_path}/store.sqlite3", "TEST_PREFIX": prefix}
        return
    url = REDIS_URL if request.param == "redis" else POSTGRESQL_URL
    yield {"TEST_STORE": url, "TEST_PREFIX": prefix}
    remove(url, prefix)


def send(base: str, path: str, params: dict[str, str]) -> int:
    url = base + path
    return requests.post(
        url,
        data=urlencode(params),
        headers={
            "X-Twilio-Signature": official_signature(url, params, TOKEN),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        timeout=30,
    ).status_code


def rows(base: str, kind: str) -> list[dict[str, str]]:
    answer = requests.get(base + FEED, params={"kind": kind}, auth=AUTH, timeout=30)
    assert answer.status_code == 200
    found: list[dict[str, str]] = answer.json()["rows"]
    return found


def test_a_burst_of_statuses_keeps_the_messages(
    store_env: dict[str, str], gunicorn: Callable[..., Gunicorn]
) -> None:
    env = {"TEST_INSPECTOR_PASSWORD": AUTH[1], "TEST_HISTORY_SIZE": "50", **store_env}
    server = gunicorn("inspector_app:app()", workers=4, env=env)
    base = server.url
    for n in range(5):
        message = {
            "AccountSid": ACCOUNT,
            "MessageSid": f"SM{n:032d}",
            "From": "+15550001111",
            "To": "+15550002222",
            "Body": f"message {n}",
        }
        assert send(base, "/twilio/messages", message) == 200
    callbacks = [
        {
            "AccountSid": ACCOUNT,
            "MessageSid": f"SM{100 + n:032d}",
            "MessageStatus": "delivered",
            "From": "+15550002222",
            "To": "+15550001111",
        }
        for n in range(300)
    ]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda p: send(base, "/twilio/messages/status", p), callbacks))
    assert set(statuses) <= {200, 204}
    deadline = time.monotonic() + 5
    kept = rows(base, "message_status")
    while len(kept) < 50 and time.monotonic() < deadline:  # other workers' batches: ≤ 100 ms
        time.sleep(0.1)
        kept = rows(base, "message_status")
    # Batches written at the same moment by several workers each trim what they see, so
    # a few more may stay until the next one: one more status, alone, trims to the size.
    time.sleep(0.3)
    assert 50 <= len(rows(base, "message_status")) <= 50 + 4 * 8
    last = {**callbacks[0], "MessageSid": f"SM{999:032d}"}
    assert send(base, "/twilio/messages/status", last) in (200, 204)
    deadline = time.monotonic() + 5
    while rows(base, "message_status")[0]["sid"] != last["MessageSid"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert len(rows(base, "message_status")) == 50
    # Every message kept (in the order their workers' batches were written).
    assert sorted(r["body"] for r in rows(base, "message")) == [f"message {n}" for n in range(5)]
