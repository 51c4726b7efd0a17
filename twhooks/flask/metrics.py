"""The ``/metrics`` route (``TWHOOKS_METRICS_ROUTE``): the app's metrics in Prometheus' text
format, behind a password like the inspector's (``TWHOOKS_METRICS_PASSWORD``, HTTP basic,
any user name).

Under gunicorn with ``PROMETHEUS_MULTIPROC_DIR`` set, every worker's counts are added up
(prometheus_client's ``MultiProcessCollector``), whichever worker answers the scrape.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request

from ..inspector.auth import password_matches
from ..settings.observability import ObservabilitySettings

__all__ = ["mount_metrics"]


def mount_metrics(app: Flask, settings: ObservabilitySettings) -> None:
    """Serve the metrics of *settings* at its ``metrics_route``."""
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
        multiprocess,
    )

    password = settings.metrics_password
    assert settings.metrics_route is not None and password is not None

    def twhooks_metrics() -> Response:
        if not password_matches(request.headers.get("Authorization"), password):
            return Response(
                "The metrics need a password (TWHOOKS_METRICS_PASSWORD)\n",
                401,
                {"WWW-Authenticate": 'Basic realm="twhooks metrics"'},
                mimetype="text/plain",
            )
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry = settings.registry if settings.registry is not None else REGISTRY
        return Response(generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST})

    app.add_url_rule(settings.metrics_route, "twhooks_metrics", twhooks_metrics)
