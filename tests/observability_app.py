"""The apps of the multiprocess tests (``test_observability_metrics.py``,
``test_observability_middleware.py``): ``gunicorn 'observability_app:flask_app()'`` with
``tests/`` on ``PYTHONPATH``.

Read from the environment: ``TEST_TWILIO_AUTH_TOKEN``, and prometheus_client's
``PROMETHEUS_MULTIPROC_DIR`` (read by prometheus_client itself). The metrics are on, served at
``/metrics`` behind the password ``metrics-pass``. A body ``boom`` makes the handler raise.
"""

from __future__ import annotations

import json
import logging
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


class FileSpans:
    """A span exporter writing each span as a JSON line to ``spans-<pid>.jsonl`` in *folder*
    (each worker its own file): the spans of a server process, read back by the test."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def export(self, spans: Any) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        path = os.path.join(self.folder, f"spans-{os.getpid()}.jsonl")
        with open(path, "a", encoding="utf-8") as out:
            for span in spans:
                record = {
                    "name": span.name,
                    "kind": span.kind.name,
                    "trace_id": f"{span.context.trace_id:032x}",
                    "span_id": f"{span.context.span_id:016x}",
                    "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
                    "attributes": dict(span.attributes or {}),
                }
                out.write(json.dumps(record) + "\n")
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def middleware_app() -> Any:
    """A plain Flask app (no extension) behind the WSGI signature middleware, with traces,
    metrics and JSON logs on; the framework's HTTP span (OpenTelemetry's WSGI middleware)
    around it all.

    Read from the environment: ``TEST_TWILIO_AUTH_TOKEN``, ``TEST_OUTPUT`` (a folder: each
    worker writes its spans to ``spans-<pid>.jsonl`` and its log records as JSON to
    ``log-<pid>.jsonl``) and ``PROMETHEUS_MULTIPROC_DIR``. The metrics are served by the
    middleware at ``/metrics``, behind the password ``metrics-pass``.
    """
    from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    from twhooks import TwilioSignatureMiddleware
    from twhooks.observability import JsonFormatter

    output = os.environ["TEST_OUTPUT"]
    handler = logging.FileHandler(os.path.join(output, f"log-{os.getpid()}.jsonl"))
    handler.setFormatter(JsonFormatter())
    twhooks_logger = logging.getLogger("twhooks")
    twhooks_logger.addHandler(handler)
    twhooks_logger.setLevel(logging.INFO)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(FileSpans(output)))  # type: ignore[arg-type]

    app = Flask("middleware_app")

    @app.post("/twilio/messages")
    @app.post("/twilio/sms")
    def accepted() -> str:
        return f"accepted by pid {os.getpid()}"

    app.wsgi_app = TwilioSignatureMiddleware(  # type: ignore[method-assign]
        app.wsgi_app,
        os.environ["TEST_TWILIO_AUTH_TOKEN"],
        protect=["/twilio"],
        max_body_size=4096,
        tracing=provider,
        metrics=True,
        metrics_route="/metrics",
        metrics_password="metrics-pass",
    )
    app.wsgi_app = OpenTelemetryMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, tracer_provider=provider
    )
    return app
