"""What production reads of the webhooks: structured log fields, traces, metrics.

- :mod:`~twhooks.observability.logfields`: the fields of the webhook being handled, on every
  twhooks log record and in a context variable; a JSON formatter. Always on.
- :mod:`~twhooks.observability.webhooks`: where the dispatcher reports each webhook's start
  and end (outcome ``handled``, ``replayed``, ``refused``, ``failed`` or ``busy``).
- :mod:`~twhooks.observability.tracing`: OpenTelemetry spans (``TWHOOKS_TRACING``; needs
  ``opentelemetry-api``, imported only then).
- :mod:`~twhooks.observability.metrics`: Prometheus metrics (``TWHOOKS_METRICS``; needs
  ``prometheus_client``, imported only then).
- :mod:`~twhooks.observability.store`: what the store reports of its calls.
- :mod:`~twhooks.observability.propagation`: :func:`inject` and :func:`extract`, the trace
  context of a webhook carried into a background job (a W3C ``dict``).

No web framework here; see :doc:`/observability`.
"""

from __future__ import annotations

from ..settings.observability import ObservabilitySettings
from . import store as store_watch
from .logfields import JsonFormatter as JsonFormatter
from .logfields import WebhookFields as WebhookFields
from .logfields import WebhookLogFields as WebhookLogFields
from .logfields import current_webhook as current_webhook
from .propagation import extract as extract
from .propagation import inject as inject
from .webhooks import NO_OBSERVERS, Observer, Observers

__all__ = [
    "JsonFormatter",
    "WebhookFields",
    "WebhookLogFields",
    "current_webhook",
    "extract",
    "inject",
]


def observers_for(settings: ObservabilitySettings) -> Observers:
    """The observers an app's *settings* turn on (importing their packages only then); the
    store reports to them too (:func:`twhooks.observability.store.watch`)."""
    if not settings.tracing and not settings.metrics:
        return NO_OBSERVERS
    found: list[Observer] = []
    if settings.tracing:
        from .tracing import Tracing

        found.append(Tracing(settings.tracer_provider))
    if settings.metrics:
        from .metrics import Metrics

        found.append(Metrics(settings.registry))
    for observer in found:
        store_watch.watch(observer)  # type: ignore[arg-type]
    return Observers(tuple(found))
