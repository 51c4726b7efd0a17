"""The ``/metrics`` route (``TWHOOKS_METRICS_ROUTE``) on Flask: the answer of
:func:`twhooks.observability.exposition.metrics_reply` (the metrics behind
``TWHOOKS_METRICS_PASSWORD``), as a Flask response.
"""

from __future__ import annotations

from flask import Flask, Response, request

from ..settings.observability import ObservabilitySettings

__all__ = ["mount_metrics"]


def mount_metrics(app: Flask, settings: ObservabilitySettings) -> None:
    """Serve the metrics of *settings* at its ``metrics_route``."""
    from ..observability.exposition import metrics_reply

    assert settings.metrics_route is not None

    def twhooks_metrics() -> Response:
        reply = metrics_reply(settings, request.headers.get("Authorization"))
        return Response(reply.body, reply.status, reply.headers)

    app.add_url_rule(settings.metrics_route, "twhooks_metrics", twhooks_metrics)
