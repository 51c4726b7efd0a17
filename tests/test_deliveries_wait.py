"""hooks.deliveries.wait: a message sent to FakeTwilioApi, its signed status callbacks posted
back to the app, waited for through the store — in one process on the memory store, and across
gunicorn's workers on the SQLite default, Redis and PostgreSQL; timeouts and failures."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from _servers import Gunicorn
from flask import Flask
from test_sending import FROM, TO, make_app, store_env

from twhooks import DeliveryFailed, DeliveryTimeout, TwilioHooks
from twhooks.store import Deliveries
from twhooks.store.sqlite import SQLiteStore
from twhooks.testing import FakeTwilioApi

__all__ = ["store_env"]  # the fixture, imported for this module's tests


def send_tracked(
    api: FakeTwilioApi, live_server: Callable[[Any], Any]
) -> tuple[Flask, TwilioHooks, str]:
    app, hooks = make_app(api)
    server = live_server(app)
    with app.app_context():
        sent = hooks.send(
            to=TO, from_=FROM, body="hi", status_callback=server.url + "/twilio/messages/status"
        )
    return app, hooks, sent.sid


def test_wait_returns_the_delivery_once_delivered(live_server: Callable[[Any], Any]) -> None:
    with FakeTwilioApi(callback_delay=0.2) as api:
        app, hooks, sid = send_tracked(api, live_server)
        started = time.monotonic()
        with app.app_context():
            delivery = hooks.deliveries.wait(sid, "delivered", timeout=10)
        elapsed = time.monotonic() - started
    assert delivery.status == "delivered" and delivery.sid == sid
    assert [h.status for h in delivery.history] == ["queued", "sent", "delivered"]
    assert 0.4 <= elapsed < 5  # the three callbacks, 0.2 s apart: it did wait for them


def test_waiting_for_an_earlier_status_returns_at_a_later_one(
    live_server: Callable[[Any], Any],
) -> None:
    with FakeTwilioApi() as api:
        app, hooks, sid = send_tracked(api, live_server)
        api.wait_for_callbacks(3)
        with app.app_context():
            assert hooks.deliveries.wait(sid, "sent", timeout=1).status == "delivered"


def test_a_status_that_never_comes_is_a_timeout_naming_the_last(
    live_server: Callable[[Any], Any],
) -> None:
    with FakeTwilioApi(statuses=("queued", "sent")) as api:
        app, hooks, sid = send_tracked(api, live_server)
        api.wait_for_callbacks(2)
        started = time.monotonic()
        with app.app_context(), pytest.raises(DeliveryTimeout) as raised:
            hooks.deliveries.wait(sid, timeout=0.5)
        assert 0.5 <= time.monotonic() - started < 2
    assert isinstance(raised.value, TimeoutError)
    assert (raised.value.sid, raised.value.status, raised.value.last) == (sid, "delivered", "sent")


def test_a_message_that_ends_undelivered_raises_at_once(
    live_server: Callable[[Any], Any],
) -> None:
    with FakeTwilioApi(statuses=()) as api:
        app, hooks, sid = send_tracked(api, live_server)
        later = threading.Timer(0.3, api.post_status, (sid, "undelivered"), {"error_code": 30007})
        later.start()
        started = time.monotonic()
        with app.app_context(), pytest.raises(DeliveryFailed) as raised:
            hooks.deliveries.wait(sid, timeout=10)
        later.join()
        assert time.monotonic() - started < 3
        # Waiting for the failure itself returns it.
        with app.app_context():
            assert hooks.deliveries.wait(sid, "undelivered", timeout=1).error_code == "30007"
    assert raised.value.delivery.status == "undelivered"
    assert "30007" in str(raised.value)


def test_wait_async_reads_a_blocking_store_off_the_event_loop(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "store.sqlite3"))
    deliveries = Deliveries(store)
    deliveries.record("SM1", "queued")

    async def main() -> tuple[str | None, int]:
        ticks = 0

        async def tick() -> None:  # runs only while the loop is free
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, lambda: deliveries.record("SM1", "delivered"))
        delivery = await deliveries.wait_async("SM1", timeout=5)
        ticker.cancel()
        return delivery.status, ticks

    try:
        status, ticks = asyncio.run(main())
    finally:
        store.close()
    assert status == "delivered" and ticks >= 10


def test_wait_across_4_gunicorn_workers(
    store_env: dict[str, str], gunicorn: Callable[..., Gunicorn]
) -> None:
    with FakeTwilioApi(callback_delay=0.2) as api:
        env = {
            "TEST_API_URL": api.url,
            "TEST_ACCOUNT_SID": api.account_sid,
            "TEST_TWILIO_AUTH_TOKEN": api.auth_token,
            **store_env,
        }
        server = gunicorn("rest_apps:sender_app()", workers=4, env=env)
        form = {"to": TO, "from": FROM, "body": "track me"}
        sent = requests.post(server.url + "/send", data=form, timeout=30).json()
        # This worker waits while the others take the callbacks (sync workers: one request
        # each), so the status reaches it through the store only.
        waited = requests.get(f"{server.url}/wait/{sent['sid']}?timeout=10", timeout=30)
        assert waited.status_code == 200, waited.text
        assert waited.json()["status"] == "delivered"
        callbacks = api.wait_for_callbacks(3)
        assert [c.response_status for c in callbacks] == [204, 204, 204]
        # A status that never comes: 504 after the timeout, naming the furthest status.
        late = requests.get(f"{server.url}/wait/{sent['sid']}?status=read&timeout=0.5", timeout=30)
        assert late.status_code == 504 and late.json() == {"last": "delivered"}
