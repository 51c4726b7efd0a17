"""The app of the queue runners' tests: served by gunicorn (``queue_app:app``), and loaded
by the RQ worker (``twhooks worker rq --app queue_app:app``) and the Celery worker
(``celery -A queue_app:celery_app worker``, the app's own Celery app).

Everything comes from the environment the test gives every process:

- ``TEST_RUNNER``: ``rq`` or ``celery``; ``TEST_QUEUE``: the queue's name;
  ``TEST_OWN_CELERY``: no ``TWHOOKS_CELERY``, twhooks makes its Celery app;
- ``TEST_STORE``, ``TEST_PREFIX``: the shared Redis store, under the test's prefix; RQ's keys
  are under ``RQ_KEY_PREFIX`` and Celery's under ``TEST_CELERY_PREFIX``;
- ``TEST_API``: the fake Twilio API's URL (``TWILIO_API_BASE_URL``);
- ``TEST_RUNS``: every run of the message handler appends ``<pid> <body>`` to this file.

The handler sleeps ``TEST_SLOW`` seconds. A body starting with ``SEND`` first sends a message
of its own (``hooks.send`` with a key); one starting with ``KILL`` writes its pid to
``TEST_RUNS.pid`` and sleeps a minute (the test kills it) — unless ``TEST_RUNS.fast``
exists. Then it returns its reply, sent by twhooks through the REST API.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from _signing import TOKEN
from _stores import REDIS_URL, store_from_env
from celery import Celery
from flask import Flask

from twhooks import IncomingMessage, TwilioHooks

ACCOUNT_SID = "AC" + "0" * 32
QUEUE = os.environ.get("TEST_QUEUE", "twhooks")

celery_app = Celery("queue_app", broker=os.environ.get("TEST_STORE", REDIS_URL))
celery_app.conf.update(
    broker_transport_options={"global_keyprefix": os.environ.get("TEST_CELERY_PREFIX", "")},
    broker_connection_retry_on_startup=True,
    task_default_queue=QUEUE,
    # With acks_late, a process takes one job at a time: none waits behind a slow one.
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
)


def create_app() -> Flask:
    app = Flask("queue_app")
    app.config.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_API_BASE_URL=os.environ.get("TEST_API", "http://127.0.0.1:9"),
        SECRET_KEY="test-secret",
        TWHOOKS_STORE=store_from_env() if "TEST_STORE" in os.environ else "memory://",
        TWHOOKS_RUNNER=os.environ.get("TEST_RUNNER", "thread"),
        TWHOOKS_RQ_QUEUE=QUEUE,
        # TEST_OWN_CELERY: the Celery app twhooks makes on the store (twhooks worker celery).
        TWHOOKS_CELERY=None if os.environ.get("TEST_OWN_CELERY") else celery_app,
        TWHOOKS_CELERY_QUEUE=QUEUE,
    )
    hooks = TwilioHooks(app)
    runs = Path(os.environ.get("TEST_RUNS", os.devnull))

    @hooks.message(background=True)
    def slow(msg: IncomingMessage) -> str:
        with runs.open("a") as trace:
            trace.write(f"{os.getpid()} {msg.body}\n")
        fast = Path(f"{runs}.fast").exists()
        if msg.body.startswith("SEND"):
            hooks.send(
                to=msg.from_, from_=msg.to, body=f"first of {msg.body}", key=f"{msg.sid}:first"
            )
        if msg.body.startswith(("KILL", "SEND")) and not fast:
            Path(f"{runs}.pid").write_text(str(os.getpid()))
            time.sleep(60)
        time.sleep(float(os.environ.get("TEST_SLOW", "0")))
        return f"You said {msg.body}"

    return app


app = create_app()
