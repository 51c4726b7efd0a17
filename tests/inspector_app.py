"""The app whose inspector the tests serve with gunicorn (``gunicorn 'inspector_app:app()'``):
a password, the login limits and the store from the environment, the same in every worker."""

from __future__ import annotations

import logging
import os

from _signing import TOKEN
from _stores import store_from_env
from flask import Flask

from twhooks import IncomingMessage, MessageStatus, TwilioHooks

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")


def app() -> Flask:
    """The inspector behind ``TEST_INSPECTOR_PASSWORD``, with a catch-all message handler and
    a status handler."""
    flask_app = Flask("inspector_app")
    flask_app.config.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        TWHOOKS_STORE=store_from_env(),
        TWHOOKS_INSPECTOR=True,
        TWHOOKS_INSPECTOR_PASSWORD=os.environ["TEST_INSPECTOR_PASSWORD"],
        TWHOOKS_INSPECTOR_LOGIN_LIMIT=int(os.environ.get("TEST_LOGIN_LIMIT", "10")),
        TWHOOKS_INSPECTOR_LOGIN_GLOBAL_LIMIT=int(os.environ.get("TEST_LOGIN_GLOBAL", "100")),
        TWHOOKS_INSPECTOR_LOGIN_WINDOW=float(os.environ.get("TEST_LOGIN_WINDOW", "300")),
        TWHOOKS_HISTORY_SIZE=int(os.environ.get("TEST_HISTORY_SIZE", "1000")),
    )
    hooks = TwilioHooks(flask_app)

    @hooks.message()
    def echo(msg: IncomingMessage) -> str:
        return f"You said {msg.body}"

    @hooks.message_status()
    def status(event: MessageStatus) -> None:
        return None

    return flask_app
