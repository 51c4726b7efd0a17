"""An Event Streams sink that the tests serve with gunicorn (``streams_app:create()``).

Every handler run appends ``<pid> <handler> <event id> <type>`` to ``TEST_RUNS``; an event
whose ``data`` has ``"fail": true`` raises while the file ``TEST_RUNS.fail`` exists, and one
with ``"slow": <seconds>`` sleeps first.
"""

from __future__ import annotations

import os
import time

from _stores import store_from_env
from flask import Flask

from twhooks import CallStatusEvent, CloudEvent, MessageStatusEvent, TwilioHooks

TOKEN = os.environ.get("TEST_TWILIO_AUTH_TOKEN", "")


def create() -> Flask:
    app = Flask("streams_app")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store_from_env())
    hooks = TwilioHooks(app)
    runs = os.environ["TEST_RUNS"]

    def trace(name: str, event: CloudEvent) -> None:
        data = event.data if isinstance(event.data, dict) else {}
        time.sleep(float(data.get("slow", 0)))
        if data.get("fail") and os.path.exists(runs + ".fail"):
            raise RuntimeError(f"event {event.id} failed on purpose")
        with open(runs, "a") as file:
            file.write(f"{os.getpid()} {name} {event.id} {event.type}\n")

    @hooks.event_stream("com.twilio.messaging.message.*")
    def message(event: MessageStatusEvent) -> None:
        assert isinstance(event, MessageStatusEvent), type(event)
        trace(f"message:{event.status.sid}:{event.status.status}", event)

    @hooks.event_stream("com.twilio.voice.status-callback.call.*")
    def call(event: CallStatusEvent) -> None:
        assert isinstance(event, CallStatusEvent), type(event)
        trace(f"call:{event.status.sid}:{event.status.status}", event)

    @hooks.event_stream()
    def anything(event: CloudEvent) -> None:
        trace("other", event)

    return app


def ordered() -> Flask:
    """A sink that keeps each message's furthest status in its own SQLite table
    (``TEST_ORDERS``) by the recipe of ``docs/events.rst`` — read the known status, write the
    new one if it ranks higher, a database round trip of up to ``TEST_GAP`` seconds between
    — from Event Streams events and from status callbacks alike, and appends
    ``<sid> <start> <end> <pid>`` to ``TEST_RUNS`` for each handler run."""
    import random
    import sqlite3

    from twhooks import MessageStatus, message_status_rank

    app = Flask("ordered_sink")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store_from_env())
    hooks = TwilioHooks(app)
    orders, runs = os.environ["TEST_ORDERS"], os.environ["TEST_RUNS"]
    gap = float(os.environ.get("TEST_GAP", "0.03"))

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(orders, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        return db

    def keep(status: MessageStatus) -> None:
        start = time.time()
        db = connect()
        try:
            row = db.execute("SELECT status FROM orders WHERE sid = ?", (status.sid,)).fetchone()
            time.sleep(random.uniform(0, gap))
            if status.rank > message_status_rank(row[0] if row else None):
                db.execute(
                    "INSERT INTO orders (sid, status) VALUES (?, ?) "
                    "ON CONFLICT (sid) DO UPDATE SET status = excluded.status",
                    (status.sid, status.status),
                )
        finally:
            db.close()
        with open(runs, "a") as file:
            file.write(f"{status.sid} {start!r} {time.time()!r} {os.getpid()}\n")

    @hooks.event_stream("com.twilio.messaging.message.*")
    def on_event(event: MessageStatusEvent) -> None:
        keep(event.status)

    @hooks.message_status()
    def on_callback(status: MessageStatus) -> None:
        keep(status)

    return app
