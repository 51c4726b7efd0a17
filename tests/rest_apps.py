"""An app that sends through Twilio's REST API, served by gunicorn in the sending tests
(``gunicorn 'rest_apps:sender_app()'``).

Its settings come from the environment the test sets: the fake API's (``TEST_API_URL``,
``TEST_ACCOUNT_SID``, ``TEST_TWILIO_AUTH_TOKEN``) and the store's (``TEST_STORE`` under
``TEST_PREFIX``; none: the default SQLite file in ``TEST_INSTANCE``).
"""

from __future__ import annotations

import os

from _stores import store_from_env
from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from twhooks import DeliveryTimeout, MessageStatus, TwilioApiError, TwilioHooks


def sender_app() -> Flask:
    app = Flask("sender_app", instance_path=os.environ.get("TEST_INSTANCE"))
    app.config.update(
        TWILIO_AUTH_TOKEN=os.environ["TEST_TWILIO_AUTH_TOKEN"],
        TWILIO_ACCOUNT_SID=os.environ["TEST_ACCOUNT_SID"],
        TWILIO_API_BASE_URL=os.environ["TEST_API_URL"],
        TWHOOKS_REST_RETRIES=1,
    )
    if os.environ.get("TEST_STORE"):
        app.config["TWHOOKS_STORE"] = store_from_env()
    hooks = TwilioHooks(app)

    @hooks.message_status()
    def status(update: MessageStatus) -> None:
        return None

    @app.post("/send")
    def send() -> ResponseReturnValue:
        form = request.form
        try:
            sent = hooks.send(
                to=form["to"],
                from_=form["from"],
                body=form["body"],
                key=form.get("key") or None,
                status_callback=hooks.callback_url("message_status", external=True),
            )
        except TwilioApiError as error:
            return jsonify(code=error.code, status=error.status), 502
        return jsonify(sid=sent.sid, pid=os.getpid())

    @app.get("/wait/<sid>")
    def wait(sid: str) -> ResponseReturnValue:
        status = request.args.get("status", "delivered")
        timeout = float(request.args.get("timeout", "10"))
        try:
            delivery = hooks.deliveries.wait(sid, status, timeout=timeout)
        except DeliveryTimeout as error:
            return jsonify(last=error.last), 504
        return jsonify(status=delivery.status, pid=os.getpid())

    return app
