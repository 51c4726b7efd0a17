"""Apps whose handlers fail the first time they see a webhook, on a shared store: served by
gunicorn (``failing_app:flask_app()``) and Hypercorn (``failing_app:quart_app()``).

Read from the environment: ``TEST_TWILIO_AUTH_TOKEN``, ``TEST_STORE`` and ``TEST_PREFIX``
(the store), ``TEST_DIR`` (a folder of this test's own). The first run of a handler for a
webhook raises (a file created with ``O_EXCL`` marks it, so exactly one worker fails, whichever
gets it); later runs do their work:

- ``@hooks.message_status()`` keeps the message's status in the app's own table
  (``<TEST_DIR>/orders.sqlite3``, ``orders(sid, status)``), the furthest one wins;
- ``@hooks.message()`` appends ``<MessageSid> <Body>`` to ``<TEST_DIR>/runs`` and answers.

A body or a status starting with ``always`` fails every time.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from _stores import store_from_env

from twhooks import IncomingMessage, MessageStatus, message_status_rank

DIR = os.environ.get("TEST_DIR", ".")
#: The Flask app's inspector password.
PASSWORD = "inspect-failed"


def _config() -> dict[str, Any]:
    return {
        "TWILIO_AUTH_TOKEN": os.environ["TEST_TWILIO_AUTH_TOKEN"],
        "TWHOOKS_STORE": store_from_env(),
    }


def _fail_once(name: str) -> None:
    if name.startswith("always"):
        raise RuntimeError(f"{name} always fails")
    try:
        os.close(os.open(os.path.join(DIR, "fail-" + name), os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return
    raise RuntimeError(f"first run of {name} fails")


def _keep_status(status: MessageStatus) -> None:
    _fail_once(f"{status.status}-{status.sid}")
    db = sqlite3.connect(os.path.join(DIR, "orders.sqlite3"), timeout=30, isolation_level=None)
    try:
        db.execute("CREATE TABLE IF NOT EXISTS orders (sid TEXT PRIMARY KEY, status TEXT)")
        row = db.execute("SELECT status FROM orders WHERE sid = ?", (status.sid,)).fetchone()
        if status.rank > message_status_rank(row[0] if row else None):
            db.execute(
                "INSERT INTO orders (sid, status) VALUES (?, ?) "
                "ON CONFLICT (sid) DO UPDATE SET status = excluded.status",
                (status.sid, status.status),
            )
    finally:
        db.close()


def _answer(msg: IncomingMessage) -> str:
    _fail_once(f"{msg.body}-{msg.sid}")
    with open(os.path.join(DIR, "runs"), "a") as runs:
        runs.write(f"{msg.sid} {msg.body}\n")
    return f"got {msg.body}"


def flask_app() -> Any:
    from flask import Flask

    from twhooks.flask import TwilioHooks

    app = Flask("failing_app")
    app.config.update(_config(), TWHOOKS_INSPECTOR=True, TWHOOKS_INSPECTOR_PASSWORD=PASSWORD)
    hooks = TwilioHooks(app)
    hooks.message_status()(_keep_status)
    hooks.message()(_answer)
    return app


def quart_app() -> Any:
    from quart import Quart

    from twhooks.quart import TwilioHooks

    app = Quart("failing_app")
    app.config.update(_config())
    hooks = TwilioHooks(app)

    @hooks.message_status()
    async def keep_status(status: MessageStatus) -> None:
        _keep_status(status)

    @hooks.message()
    async def answer(msg: IncomingMessage) -> str:
        return _answer(msg)

    return app
