"""The app of the multiprocess metrics test (``test_observability_metrics.py``):
``gunicorn 'observability_app:flask_app()'`` with ``tests/`` on ``PYTHONPATH``.

Read from the environment: ``TEST_TWILIO_AUTH_TOKEN``, and prometheus_client's
``PROMETHEUS_MULTIPROC_DIR`` (read by prometheus_client itself). The metrics are on, served at
``/metrics`` behind the password ``metrics-pass``. A body ``boom`` makes the handler raise.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask

from twhooks import TwilioHooks


def flask_app() -> Flask:
    app = Flask("observability_app")
    app.config.update(
        TWILIO_AUTH_TOKEN=os.environ["TEST_TWILIO_AUTH_TOKEN"],
        TWHOOKS_STORE="memory://",
        TWHOOKS_METRICS=True,
        TWHOOKS_METRICS_ROUTE="/metrics",
        TWHOOKS_METRICS_PASSWORD="metrics-pass",
    )
    hooks = TwilioHooks(app)

    @hooks.message()
    def reply(msg: Any) -> str:
        if msg.body == "boom":
            raise RuntimeError("boom")
        time.sleep(0.05)  # long enough for the other workers to take their share
        return f"pid {os.getpid()}"

    return app
