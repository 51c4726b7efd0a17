"""The ``/metrics`` route (``TWHOOKS_METRICS_ROUTE``) on Quart: the answer of
:func:`twhooks.observability.exposition.metrics_reply` (the metrics behind
``TWHOOKS_METRICS_PASSWORD``), as a Quart response.

Rendering the metrics reads no socket or file but a multiprocess folder's; it runs on the
event loop (a few hundred microseconds; in multiprocess mode, the reading of one small file
per worker).
"""

from __future__ import annotations

from quart import Quart, Response, request
from werkzeug.datastructures import Headers

from ..settings.observability import ObservabilitySettings

__all__ = ["mount_metrics"]


def mount_metrics(app: Quart, settings: ObservabilitySettings) -> None:
    """Serve the metrics of *settings* at its ``metrics_route``."""
    from ..observability.exposition import metrics_reply

    assert settings.metrics_route is not None

    async def twhooks_metrics() -> Response:
        reply = metrics_reply(settings, request.headers.get("Authorization"))
        return Response(reply.body, reply.status, Headers(reply.headers))

    app.add_url_rule(settings.metrics_route, "twhooks_metrics", twhooks_metrics)
