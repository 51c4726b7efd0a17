"""Apps that the tests serve with gunicorn (``gunicorn 'serverapps:NAME()'``).

Each factory reads what it needs from the environment set by the ``gunicorn`` fixture, so the
workers of one server all build the same app.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, request

from twhooks import IncomingMessage, MessageStatus, TwilioHooks, TwilioSignatureMiddleware

TOKEN = os.environ.get("TEST_TWILIO_AUTH_TOKEN", "")


def hooks_app() -> Flask:
    """The extension with a catch-all message handler and a status handler."""
    app = Flask("hooks_app")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, SECRET_KEY="test-secret")
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
