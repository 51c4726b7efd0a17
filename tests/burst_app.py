"""The app of the burst tests (``test_burst.py``): one slow message handler on a shared store,
as a Quart app (``hypercorn 'burst_app:quart_app()'``) and as a Flask app
(``gunicorn 'burst_app:flask_app()'``), with ``tests/`` on ``PYTHONPATH``.

Read from the environment: ``TEST_TWILIO_AUTH_TOKEN``, ``TEST_STORE`` (the store's URL),
``TEST_PREFIX`` (the store's table or key prefix, named per test run) and ``TEST_RUNS`` (a
file: every run of the handler appends ``<pid> <body> <reply id>``). A body starting with
``SLOW`` makes the (plain, blocking) handler sleep ``TEST_SLOW`` seconds first. Every reply
carries a random id, so two runs of one webhook never answer the same bytes.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from _stores import store_from_env
from flask import Flask

from twhooks import IncomingMessage


def _config() -> dict[str, Any]:
    return {
        "TWILIO_AUTH_TOKEN": os.environ["TEST_TWILIO_AUTH_TOKEN"],
        "TWHOOKS_STORE": store_from_env(),
    }


def _handle(msg: IncomingMessage) -> str:
    if msg.body.startswith("SLOW"):
        time.sleep(float(os.environ.get("TEST_SLOW", "0.5")))
    reply_id = uuid.uuid4().hex
    with open(os.environ["TEST_RUNS"], "a") as trace:
        trace.write(f"{os.getpid()} {msg.body.split()[0]} {reply_id}\n")
    return f"{msg.body}: reply {reply_id}"


def flask_app() -> Flask:
    from twhooks import TwilioHooks

    app = Flask("burst_app")
    app.config.update(_config())
    TwilioHooks(app).message()(_handle)
    return app


def quart_app() -> Any:
    from quart import Quart

    from twhooks.quart import TwilioHooks

    app = Quart("burst_app")
    app.config.update(_config())
    TwilioHooks(app).message()(_handle)
    return app
