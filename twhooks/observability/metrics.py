"""The webhooks' metrics, in Prometheus' format (``prometheus_client``):

======================================  =========  ==========================================
metric                                  labels     what it counts
======================================  =========  ==========================================
``twhooks_webhooks_total``              kind,      webhooks concluded, by outcome (``handled``,
                                        outcome    ``replayed``, ``refused``, ``failed``,
                                                   ``busy``)
``twhooks_webhook_duration_seconds``    kind       time from received to concluded (histogram)
``twhooks_refusals_total``              reason     refused requests: the signature error's
                                                   code, or ``status_400``/``413``/``415``
``twhooks_conversation_wait_seconds``   —          waits for a conversation's lock (histogram)
``twhooks_store_errors_total``          operation  failed calls of the store's backend
======================================  =========  ==========================================

They are registered once per registry: prometheus_client's default one, or the one the app
passes as ``TWHOOKS_METRICS``. Under gunicorn with several workers, set
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode): each worker writes its
counts to that folder, and the ``/metrics`` route (:mod:`twhooks.flask.metrics`) or the app's
own exporter adds them up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

from .webhooks import Observed

__all__ = ["BUCKETS", "Metrics"]

R = TypeVar("R")

#: The buckets of the duration histograms, in seconds: up to Twilio's 15 s timeout.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)

#: The metrics of each registry, by its id: registered once, shared by its apps.
_registered: dict[int, tuple[CollectorRegistry, Any]] = {}


class _Family:
    """The five metrics, registered in one registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.webhooks = Counter(
            "twhooks_webhooks_total",
            "Twilio webhooks concluded, by kind and outcome",
            ("kind", "outcome"),
            registry=registry,
        )
        self.duration = Histogram(
            "twhooks_webhook_duration_seconds",
            "Time from a webhook received to its reply concluded",
            ("kind",),
            buckets=BUCKETS,
            registry=registry,
        )
        self.refusals = Counter(
            "twhooks_refusals_total",
            "Twilio webhook requests refused, by reason",
            ("reason",),
            registry=registry,
        )
        self.conversation_wait = Histogram(
            "twhooks_conversation_wait_seconds",
            "Time waited for a conversation's lock held by another request",
            buckets=BUCKETS,
            registry=registry,
        )
        self.store_errors = Counter(
            "twhooks_store_errors_total",
            "Failed calls of the store's backend, by operation",
            ("operation",),
            registry=registry,
        )


def _family(registry: CollectorRegistry) -> _Family:
    found = _registered.get(id(registry))
    if found is None or found[0] is not registry:
        found = (registry, _Family(registry))
        _registered[id(registry)] = found
    family: _Family = found[1]
    return family


class Metrics:
    """The metrics of an app's webhooks.

    :param registry: where they are registered (prometheus_client's default registry by
        default).
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = REGISTRY if registry is None else registry
        self._family = _family(self.registry)

    # One watcher of the store per registry, however many apps share it.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Metrics) and other.registry is self.registry

    def __hash__(self) -> int:
        return id(self.registry)

    def start(self, observed: Observed) -> None:
        pass

    def refused(self, observed: Observed, reason: str) -> None:
        self._family.refusals.labels(reason).inc()

    def end(self, observed: Observed) -> None:
        family = self._family
        fields = observed.fields
        kind = fields.kind or "unknown"
        family.webhooks.labels(kind, fields.outcome or "handled").inc()
        family.duration.labels(kind).observe(observed.duration)

    # -- the store ----------------------------------------------------------------------------

    def store_call(self, operation: str, function: Callable[[], R]) -> R:
        return function()

    def store_error(self, operation: str) -> None:
        self._family.store_errors.labels(operation).inc()

    def lock_wait(self, seconds: float) -> None:
        self._family.conversation_wait.observe(seconds)
