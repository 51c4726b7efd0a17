"""An app with background handlers that the tests serve with gunicorn or Hypercorn
(``background_app:flask_app()``, ``background_app:quart_app()``), on the shared store
``TEST_STORE`` under ``TEST_PREFIX``, on the runner ``TEST_RUNNER`` (the thread runner by
default).

Every run of the message handler appends its pid to ``TEST_RUNS.started``, sleeps
``TEST_SLOW`` seconds (0 by default), then appends ``<pid> <MessageSid> <Body>`` to
``TEST_RUNS``; with ``TEST_REPLY`` set, it returns a reply,
sent through Twilio's REST API (``TWILIO_API_BASE_URL``: the tests' fake).
"""

from __future__ import annotations

import os
import time
from typing import Any

from _stores import store_from_env

from twhooks import IncomingMessage


def _config() -> dict[str, Any]:
    config: dict[str, Any] = {
        "TWILIO_ACCOUNT_SID": os.environ.get("TEST_ACCOUNT_SID", "AC" + "1" * 32),
        "TWILIO_AUTH_TOKEN": os.environ["TEST_TWILIO_AUTH_TOKEN"],
        "TWHOOKS_STORE": store_from_env(),
        "TWHOOKS_RUNNER": os.environ.get("TEST_RUNNER", "thread"),
    }
    if os.environ.get("TEST_API_URL"):
        config["TWILIO_API_BASE_URL"] = os.environ["TEST_API_URL"]
    return config


def _handle(msg: IncomingMessage) -> str | None:
    with open(os.environ["TEST_RUNS"] + ".started", "a") as started:
        started.write(f"{os.getpid()}\n")
    time.sleep(float(os.environ.get("TEST_SLOW", "0")))
    with open(os.environ["TEST_RUNS"], "a") as runs:
        runs.write(f"{os.getpid()} {msg.sid} {msg.body}\n")
    return f"Got {msg.body}" if os.environ.get("TEST_REPLY") else None


def flask_app() -> Any:
    from flask import Flask

    from twhooks import TwilioHooks

    app = Flask("background_app")
    app.config.update(_config())
    hooks = TwilioHooks(app)

    @hooks.message(background=True)
    def reply(msg: IncomingMessage) -> str | None:
        return _handle(msg)

    return app


def quart_app() -> Any:
    from quart import Quart

    from twhooks.quart import TwilioHooks

    app = Quart("background_app")
    app.config.update(_config())
    hooks = TwilioHooks(app)

    @hooks.message(background=True)
    def reply(msg: IncomingMessage) -> str | None:
        return _handle(msg)

    return app
