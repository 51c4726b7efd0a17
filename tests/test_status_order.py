"""The status handlers of one message run one at a time, across every worker, in the order
the store recorded their statuses: an app that keeps the furthest status in its own table, by
the recipe of ``docs/events.rst``, ends at the furthest status of every message — on gunicorn
with four workers, over each shared store.

On 0.2 the handlers of one message ran at the same time on several workers: the store kept
``delivered`` while the app's own table was left at ``queued`` or ``sent``.
"""

from __future__ import annotations

import concurrent.futures
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from _servers import Gunicorn
from _signing import TOKEN, official_signature
from _stores import POSTGRESQL_URL, REDIS_URL, new_prefix, remove

MESSAGES = 50
STATUSES = ["queued", "sent", "delivered"]


@pytest.fixture(params=["sqlite", "redis", "postgresql"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    prefix = new_prefix("order")
    if request.param == "sqlite":
        yield {"TEST_STORE": f"sqlite:///{tmp_path}/store.sqlite3", "TEST_PREFIX": prefix}
        return
    url = REDIS_URL if request.param == "redis" else POSTGRESQL_URL
    yield {"TEST_STORE": url, "TEST_PREFIX": prefix}
    remove(url, prefix)


def test_the_apps_own_table_ends_at_the_furthest_status_of_every_message(
    store_env: dict[str, str], gunicorn: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    orders = tmp_path / "orders.sqlite3"
    with sqlite3.connect(orders) as db:
        db.execute("CREATE TABLE orders (sid TEXT PRIMARY KEY, status TEXT)")
    env = {"TEST_TWILIO_AUTH_TOKEN": TOKEN, "TEST_ORDERS": str(orders), **store_env}
    server = gunicorn("status_order_app", workers=4, env=env)
    url = server.url + "/twilio/messages/status"
    # The three statuses of each message together, in a random order: they reach different
    # workers at once, as Twilio's callbacks of one message do.
    shuffled = random.Random(7)
    callbacks = []
    for n in range(MESSAGES):
        for status in shuffled.sample(STATUSES, len(STATUSES)):
            callbacks.append(
                {
                    "AccountSid": "AC" + "1" * 32,
                    "MessageSid": f"SM{n:032d}",
                    "MessageStatus": status,
                    "To": "+15550001111",
                    "From": "+15550002222",
                }
            )

    def post(params: dict[str, str]) -> int:
        headers = {"X-Twilio-Signature": official_signature(url, params)}
        return requests.post(url, data=params, headers=headers, timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(post, callbacks))
    assert answers == [204] * len(callbacks)
    with sqlite3.connect(orders) as db:
        kept = dict(db.execute("SELECT sid, status FROM orders").fetchall())
    behind = {sid: status for sid, status in kept.items() if status != "delivered"}
    assert len(kept) == MESSAGES
    assert not behind, f"{len(behind)} of {MESSAGES} messages left behind: {behind}"
