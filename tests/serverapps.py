"""Apps that the tests serve with gunicorn (``gunicorn 'serverapps:NAME()'``).

Each factory reads what it needs from the environment set by the ``gunicorn`` fixture, so the
workers of one server all build the same app.
"""

from __future__ import annotations

import os
from typing import Any

from _stores import store_from_env
from flask import Flask, request

from twhooks import IncomingMessage, MessageStatus, TwilioHooks, TwilioSignatureMiddleware

TOKEN = os.environ.get("TEST_TWILIO_AUTH_TOKEN", "")


def hooks_app() -> Flask:
    """The extension with a catch-all message handler and a status handler."""
    app = Flask("hooks_app")
    app.config.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        SECRET_KEY="test-secret",
        # Its own store for each server: nothing kept between test runs.
        TWHOOKS_STORE=os.environ.get("TEST_STORE", "memory://"),
    )
    hooks = TwilioHooks(app)

    @hooks.message()
    def echo(msg: IncomingMessage) -> str:
        return f"You said {msg.body}"

    @hooks.message_status()
    def status(event: MessageStatus) -> None:
        return None

    return app


def middleware_app() -> Any:
    """A plain Flask app behind the signature middleware, echoing the form it was handed."""
    app = Flask("middleware_app")

    @app.route("/twilio/sms", methods=["GET", "POST"])
    def sms() -> str:
        return "form: " + ",".join(sorted(request.form))

    app.wsgi_app = TwilioSignatureMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, TOKEN, protect=["/twilio"]
    )
    return app


def shared_app() -> Flask:
    """An app on a shared store (``TEST_STORE``, under ``TEST_PREFIX``) whose handlers leave
    a trace in a file.

    Every run of the message handler appends ``<pid> <body> <count>`` to ``TEST_RUNS``;
    a body starting with ``SLOW`` makes it write its pid to ``TEST_RUNS.pid`` and sleep
    ``TEST_SLOW`` seconds, holding its conversation — unless ``TEST_RUNS.fast`` exists. Each
    message adds one to its conversation's ``count``. ``TEST_LEASE`` sets
    ``TWHOOKS_REPLAY_LEASE`` (else its default).
    """
    import time

    app = Flask("shared_app")
    app.config.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        SECRET_KEY="test-secret",
        TWHOOKS_STORE=store_from_env(),
        TWHOOKS_PUBLIC_URL=os.environ.get("TEST_PUBLIC_URL") or None,
    )
    if os.environ.get("TEST_LEASE"):
        app.config["TWHOOKS_REPLAY_LEASE"] = float(os.environ["TEST_LEASE"])
    hooks = TwilioHooks(app)
    runs = os.environ["TEST_RUNS"]

    @hooks.message()
    def count(msg: IncomingMessage) -> str:
        assert msg.conversation is not None
        total = msg.conversation.data.get("count", 0) + 1  # first use: the lock is ours
        if msg.body.startswith("SLOW") and not os.path.exists(runs + ".fast"):
            with open(runs + ".pid", "w") as pid_file:
                pid_file.write(str(os.getpid()))
            time.sleep(float(os.environ.get("TEST_SLOW", "1")))
        msg.conversation.goto("counting", count=total)
        with open(runs, "a") as trace:
            trace.write(f"{os.getpid()} {msg.body} {total}\n")
        return f"{msg.body}: message {total} of this conversation"

    @hooks.message_status()
    def status(event: MessageStatus) -> None:
        return None

    return app


def status_order_app() -> Flask:
    """An app on a shared store (``TEST_STORE`` under ``TEST_PREFIX``) that keeps each
    message's furthest status in its own SQLite table (``TEST_ORDERS``), written exactly as
    ``docs/events.rst`` shows ("Out-of-order statuses"): read the known status, write the new
    one if it ranks higher. A real database round trip sits between the read and the write
    (up to ``TEST_GAP`` seconds, as long as an app's varies)."""
    import random
    import sqlite3
    import time

    from twhooks import message_status_rank

    app = Flask("status_order_app")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store_from_env())
    hooks = TwilioHooks(app)
    orders, gap = os.environ["TEST_ORDERS"], float(os.environ.get("TEST_GAP", "0.03"))

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(orders, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        return db

    def status_of(sid: str) -> str | None:
        with connect() as db:
            row = db.execute("SELECT status FROM orders WHERE sid = ?", (sid,)).fetchone()
        return row[0] if row else None

    def set_status(sid: str, status: str) -> None:
        db = connect()
        try:
            db.execute(
                "INSERT INTO orders (sid, status) VALUES (?, ?) "
                "ON CONFLICT (sid) DO UPDATE SET status = excluded.status",
                (sid, status),
            )
        finally:
            db.close()

    @hooks.message_status()
    def on_status(status: MessageStatus) -> None:
        known = status_of(status.sid)
        time.sleep(random.uniform(0, gap))
        if status.rank > message_status_rank(known):
            set_status(status.sid, status.status)

    return app


def outage_app() -> Flask:
    """An app on the test's own Redis server (``TEST_STORE``) whose message handler counts
    its conversation's messages, then kills that server (process ``TEST_REDIS_PID``)
    before it returns: every store write after the handler fails."""
    from _outage import stop_redis

    app = Flask("outage_app")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=os.environ["TEST_STORE"])
    hooks = TwilioHooks(app)

    @hooks.message()
    def count(msg: IncomingMessage) -> str:
        n = msg.conversation.data.get("n", 0) + 1
        msg.conversation.data["n"] = n
        stop_redis(os.environ["TEST_STORE"], int(os.environ["TEST_REDIS_PID"]))
        return f"message {n}"

    return app
