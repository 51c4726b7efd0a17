"""The ``/metrics`` page (``TWHOOKS_METRICS_ROUTE``): the metrics in Prometheus' text format,
behind a password like the inspector's (``TWHOOKS_METRICS_PASSWORD``: HTTP basic, any user
name — Prometheus' ``basic_auth``).

One answer for every adapter: the Flask and Quart routes (:mod:`twhooks.flask.metrics`,
:mod:`twhooks.quart.metrics`) and the WSGI and ASGI signature middlewares only convert it.
Under gunicorn with ``PROMETHEUS_MULTIPROC_DIR`` set, every worker's counts are added up
(prometheus_client's ``MultiProcessCollector``), whichever worker answers the scrape.
No web framework here; ``prometheus_client`` is imported with this module, which is imported
only when a route is set.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from ..basic_auth import password_matches
from ..replies import Reply
from ..settings.observability import ObservabilitySettings

__all__ = ["metrics_reply"]

_CHALLENGE = ("WWW-Authenticate", 'Basic realm="twhooks metrics"')


def metrics_reply(settings: ObservabilitySettings, authorization: str | None) -> Reply:
    """The answer to a scrape of the metrics of *settings* with the ``Authorization`` header
    *authorization*: ``401`` asking for the password, or ``200`` with the metrics."""
    password = settings.metrics_password
    if password is None or not password_matches(authorization, password):
        reply = Reply.text(401, "The metrics need a password (TWHOOKS_METRICS_PASSWORD)")
        reply.headers.append(_CHALLENGE)
        return reply
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = settings.registry if settings.registry is not None else REGISTRY
    return Reply(200, [("Content-Type", CONTENT_TYPE_LATEST)], generate_latest(registry))
