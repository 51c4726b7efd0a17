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
