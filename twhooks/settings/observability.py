"""The settings of traces and metrics: :attr:`Settings.observability
<twhooks.settings.Settings.observability>`.

Reading them imports nothing: whether ``opentelemetry-api`` is installed is asked of the
import system (:func:`twhooks.extras.installed`), not by importing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ConfigurationError
from ..extras import installed, missing
from .defaults import Reader

__all__ = ["ObservabilitySettings"]


@dataclass(frozen=True, slots=True)
class ObservabilitySettings:
    """Whether webhooks are traced and counted, and where.

    :param tracing: ``TWHOOKS_TRACING`` read: on when ``True``, or ``None`` (the default) and
        ``opentelemetry-api`` is installed.
    :param tracer_provider: the tracer provider given as ``TWHOOKS_TRACING``; ``None``: the
        global one.
    :param metrics: ``TWHOOKS_METRICS`` read: ``True``, or a registry.
    :param registry: the ``prometheus_client`` registry given as ``TWHOOKS_METRICS``;
        ``None``: the default one.
    :param metrics_route: ``TWHOOKS_METRICS_ROUTE``: the path of the ``/metrics`` route, or
        ``None`` for none (the app exports them itself).
    :param metrics_password: ``TWHOOKS_METRICS_PASSWORD``, which guards the route.
    """

    tracing: bool = False
    tracer_provider: Any = None
    metrics: bool = False
    registry: Any = None
    metrics_route: str | None = None
    metrics_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ObservabilitySettings:
        """Read ``TWHOOKS_TRACING``, ``TWHOOKS_METRICS``, ``TWHOOKS_METRICS_ROUTE`` and
        ``TWHOOKS_METRICS_PASSWORD``.

        :raises ~twhooks.ConfigurationError: a setting has the wrong type, or asks for a
            package that is not installed, or the route has no password.
        """
        get = Reader(config)
        tracing = get("TWHOOKS_TRACING")
        provider = None
        if tracing is None:
            tracing = installed("opentelemetry.trace")
        elif tracing is True:
            _require("otel", "TWHOOKS_TRACING", "opentelemetry.trace")
        elif tracing is not False:
            if not hasattr(tracing, "get_tracer"):
                raise ConfigurationError(
                    "TWHOOKS_TRACING must be True, False, None (on when opentelemetry-api is "
                    f"installed) or a TracerProvider, not {type(tracing).__name__}"
                )
            provider, tracing = tracing, True
        metrics = get("TWHOOKS_METRICS")
        registry = None
        if metrics is True:
            _require("metrics", "TWHOOKS_METRICS", "prometheus_client")
        elif metrics is not False:
            if not hasattr(metrics, "register"):
                raise ConfigurationError(
                    "TWHOOKS_METRICS must be True, False or a prometheus_client "
                    f"CollectorRegistry, not {type(metrics).__name__}"
                )
            registry, metrics = metrics, True
        route = get("TWHOOKS_METRICS_ROUTE")
        if route is not None and (not isinstance(route, str) or not route.startswith("/")):
            raise ConfigurationError(
                f"TWHOOKS_METRICS_ROUTE must be a path such as '/metrics' or None, not {route!r}"
            )
        password = get("TWHOOKS_METRICS_PASSWORD")
        if password is not None and (not isinstance(password, str) or not password):
            raise ConfigurationError("TWHOOKS_METRICS_PASSWORD must be a non-empty str or None")
        if route is not None and not metrics:
            raise ConfigurationError(
                "TWHOOKS_METRICS_ROUTE is set but TWHOOKS_METRICS is off: set TWHOOKS_METRICS = "
                "True, or remove the route"
            )
        if route is not None and password is None:
            raise ConfigurationError(
                "TWHOOKS_METRICS_ROUTE is set without TWHOOKS_METRICS_PASSWORD: the metrics "
                "name the app's webhooks and their volumes, so set a password (HTTP basic, "
                "any user name) or export them yourself"
            )
        return cls(bool(tracing), provider, bool(metrics), registry, route, password)


def _require(extra: str, setting: str, module: str) -> None:
    if not installed(module):
        raise missing(extra, setting, module)
