"""Event Streams status events keep the status callbacks' order (issue 23 §1 for issue 22):
the handlers of one message's events run one at a time across every worker — with the
status callbacks of that message too — and a late status runs none, so an app that keeps
the furthest status in its own table ends at the furthest status of every message.

On gunicorn with four workers over Redis and PostgreSQL: the three statuses of each of 20
messages, some as Event Streams events (in batches mixing messages), some as status
callbacks, all sent at once in a random order. Before this change a stream event's handler
ran beside the others of its message, and recorded its status before it ran.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import random
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from _signing import TOKEN, official_signature
from _stores import POSTGRESQL_URL, REDIS_URL, named_store, new_prefix, remove
from twilio.request_validator import RequestValidator

from twhooks import payloads

MESSAGES = 20
STATUSES = ["queued", "sent", "delivered"]
validator = RequestValidator(TOKEN)


@pytest.fixture(params=["redis", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    url = REDIS_URL if request.param == "redis" else POSTGRESQL_URL
    prefix = new_prefix("streamorder")
    yield url, prefix
    remove(url, prefix)


def stream_post(base: str, events: list[dict[str, Any]]) -> int:
    body = json.dumps(events)
    url = f"{base}/twilio/events?bodySHA256={validator.compute_hash(body)}"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": validator.compute_signature(url, {}),
    }
    return requests.post(url, data=body, headers=headers, timeout=60).status_code


def callback_post(base: str, params: dict[str, str]) -> int:
    url = base + "/twilio/messages/status"
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    return requests.post(url, data=params, headers=headers, timeout=60).status_code


def test_the_handlers_of_one_message_never_overlap_and_end_at_its_furthest_status(
    store: tuple[str, str], gunicorn: Callable[..., Any], tmp_path: Path
) -> None:
    # The store is set up before the servers, so it is removed after they stopped: dropping
    # its tables under a live worker's history batch deadlocks on PostgreSQL.
    orders, runs = tmp_path / "orders.sqlite3", tmp_path / "runs"
    with sqlite3.connect(orders) as db:
        db.execute("CREATE TABLE orders (sid TEXT PRIMARY KEY, status TEXT)")
    env = {
        "TEST_TWILIO_AUTH_TOKEN": TOKEN,
        "TEST_STORE": store[0],
        "TEST_PREFIX": store[1],
        "TEST_ORDERS": str(orders),
        "TEST_RUNS": str(runs),
    }
    base = gunicorn("streams_app:ordered()", workers=4, env=env).url
    shuffled = random.Random(11)
    sids = [f"SM{n:032d}" for n in range(MESSAGES)]
    events: list[dict[str, Any]] = []
    callbacks: list[dict[str, str]] = []
    for n, sid in enumerate(sids):
        for i, status in enumerate(STATUSES):
            if (n + i) % 3 == 0:  # one status in three as a status callback
                callbacks.append(
                    {
                        "AccountSid": "AC" + "1" * 32,
                        "MessageSid": sid,
                        "MessageStatus": status,
                        "To": "+15550001111",
                        "From": "+15550002222",
                    }
                )
            else:
                type = f"com.twilio.messaging.message.{status}"
                events.append(payloads.cloud_event(type, data={"messageSid": sid}))
    shuffled.shuffle(events)
    batches = [events[i : i + 3] for i in range(0, len(events), 3)]  # messages mixed
    work: list[Callable[[], int]] = [lambda b=b: stream_post(base, b) for b in batches]
    work += [lambda c=c: callback_post(base, c) for c in callbacks]
    shuffled.shuffle(work)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda job: job(), work))
    assert set(answers) == {204}, answers

    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for line in runs.read_text().splitlines():
        sid, start, end, _ = line.split()
        spans[sid].append((float(start), float(end)))
    for sid, ran in spans.items():
        ran.sort()
        overlaps = [(a, b) for a, b in itertools.pairwise(ran) if b[0] < a[1]]
        assert not overlaps, f"handlers of {sid} overlapped: {overlaps}"
    with sqlite3.connect(orders) as db:
        kept = dict(db.execute("SELECT sid, status FROM orders").fetchall())
    behind = {sid: status for sid, status in kept.items() if status != "delivered"}
    assert len(kept) == MESSAGES and not behind, behind
    shared: Any = named_store(*store)
    try:
        assert {shared.get_message(sid).status for sid in sids} == {"delivered"}
    finally:
        shared.close()
