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

__all__ = ["SETTING_NAMES", "ObservabilitySettings"]

#: The names of the four settings, as :meth:`ObservabilitySettings.from_config` reads them.
SETTING_NAMES = (
    "TWHOOKS_TRACING",
    "TWHOOKS_METRICS",
    "TWHOOKS_METRICS_ROUTE",
    "TWHOOKS_METRICS_PASSWORD",
)


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
        return cls.from_values(
            get("TWHOOKS_TRACING"),
            get("TWHOOKS_METRICS"),
            get("TWHOOKS_METRICS_ROUTE"),
            get("TWHOOKS_METRICS_PASSWORD"),
        )

    @classmethod
    def from_values(
        cls,
        tracing: Any,
        metrics: Any,
        route: Any = None,
        password: Any = None,
        *,
        names: tuple[str, str, str, str] = SETTING_NAMES,
    ) -> ObservabilitySettings:
        """The settings of the four values, checked as :meth:`from_config` checks them.

        :param names: what the errors call them (the signature middlewares' arguments).
        :raises ~twhooks.ConfigurationError: see :meth:`from_config`.
        """
        tracing_name, metrics_name, route_name, password_name = names
        provider = None
        if tracing is None:
            tracing = installed("opentelemetry.trace")
        elif tracing is True:
            _require("otel", tracing_name, "opentelemetry.trace")
        elif tracing is not False:
            if not hasattr(tracing, "get_tracer"):
                raise ConfigurationError(
                    f"{tracing_name} must be True, False, None (on when opentelemetry-api is "
                    f"installed) or a TracerProvider, not {type(tracing).__name__}"
                )
            provider, tracing = tracing, True
        registry = None
        if metrics is True:
            _require("metrics", metrics_name, "prometheus_client")
        elif metrics is not False and metrics is not None:
            if not hasattr(metrics, "register"):
                raise ConfigurationError(
                    f"{metrics_name} must be True, False or a prometheus_client "
                    f"CollectorRegistry, not {type(metrics).__name__}"
                )
            registry, metrics = metrics, True
        if route is not None and (not isinstance(route, str) or not route.startswith("/")):
            raise ConfigurationError(
                f"{route_name} must be a path such as '/metrics' or None, not {route!r}"
            )
        if password is not None and (not isinstance(password, str) or not password):
            raise ConfigurationError(f"{password_name} must be a non-empty str or None")
        if route is not None and not metrics:
            raise ConfigurationError(
                f"{route_name} is set but {metrics_name} is off: set {metrics_name} = "
                "True, or remove the route"
            )
        if route is not None and password is None:
            raise ConfigurationError(
                f"{route_name} is set without {password_name}: the metrics "
                "name the app's webhooks and their volumes, so set a password (HTTP basic, "
                "any user name) or export them yourself"
            )
        return cls(bool(tracing), provider, bool(metrics), registry, route, password)


def _require(extra: str, setting: str, module: str) -> None:
    if not installed(module):
        raise missing(extra, setting, module)
