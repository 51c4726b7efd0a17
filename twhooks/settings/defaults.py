"""The one table of the ``TWHOOKS_*`` settings' defaults, the settings removed, and the
reader every part of :class:`~twhooks.settings.Settings` reads its settings with."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping, MutableMapping
from typing import Any

from ..exceptions import ConfigurationError

__all__ = ["DEFAULTS", "REMOVED", "set_defaults"]

#: Defaults of the ``TWHOOKS_*`` settings, set on the app's config by
#: :meth:`~twhooks.TwilioHooks.init_app` (:func:`set_defaults`). Times in seconds.
DEFAULTS: Mapping[str, Any] = {
    # The webhooks: Settings.
    "TWHOOKS_VALIDATE": True,
    "TWHOOKS_PUBLIC_URL": None,
    "TWHOOKS_URL_PREFIX": "/twilio",
    "TWHOOKS_MAX_BODY_SIZE": 1 << 20,
    "TWHOOKS_MAX_PARAMS": 1000,
    "TWHOOKS_ACCOUNT_TOKENS": None,
    "TWHOOKS_SHARED_KEYS": None,
    "TWHOOKS_DEDUPLICATE": True,
    "TWHOOKS_REPLAY_LEASE": 5.0,
    # Twilio makes every retry of a webhook within 15 s of the first try (its connection
    # overrides' total time, ``tt``: at most 15,000 ms): twice that.
    "TWHOOKS_REPLAY_TTL": 30.0,
    # Background handlers: Settings.background.
    "TWHOOKS_RUNNER": "thread",
    "TWHOOKS_RUNNER_THREADS": 4,
    "TWHOOKS_RUNNER_QUEUE": 1000,
    # A finished job is remembered a day: its retries (the queue's, Twilio's) are skipped.
    "TWHOOKS_JOB_TTL": 86400.0,
    # The shared store: Settings.store (the same as the defaults of the store's facades).
    "TWHOOKS_STORE": None,
    "TWHOOKS_CONVERSATIONS": "store",
    "TWHOOKS_CONVERSATION_TTL": 4 * 3600.0,
    "TWHOOKS_DELIVERY_TTL": 7 * 86400.0,
    "TWHOOKS_CALL_TTL": 7 * 86400.0,
    "TWHOOKS_OPT_OUT_TTL": None,
    "TWHOOKS_HISTORY": True,
    "TWHOOKS_HISTORY_SIZE": 1000,
    "TWHOOKS_HISTORY_REDACT": False,
    "TWHOOKS_HISTORY_HASH_KEY": None,
    # The RQ and Celery runners: Settings.queues.
    "TWHOOKS_JOB_RETRIES": 3,
    "TWHOOKS_JOB_TIMEOUT": 300.0,
    "TWHOOKS_RQ_QUEUE": "twhooks",
    "TWHOOKS_RQ_REDIS_URL": None,
    "TWHOOKS_CELERY": None,
    "TWHOOKS_CELERY_QUEUE": "twhooks",
    # The inspector: Settings.inspector.
    "TWHOOKS_INSPECTOR": False,
    "TWHOOKS_INSPECTOR_PASSWORD": None,
    "TWHOOKS_INSPECTOR_AUTHORIZE": None,
    "TWHOOKS_INSPECTOR_LOGIN_LIMIT": 10,
    "TWHOOKS_INSPECTOR_LOGIN_GLOBAL_LIMIT": 100,
    "TWHOOKS_INSPECTOR_LOGIN_WINDOW": 300.0,
    # Sending through Twilio's REST API: Settings.rest.
    "TWHOOKS_REST_CLIENT": None,
    "TWHOOKS_REST_RETRIES": 3,
    "TWHOOKS_REST_MAX_WAIT": 30.0,
    "TWHOOKS_REST_TIMEOUT": 15.0,
    # Traces and metrics: Settings.observability.
    "TWHOOKS_TRACING": None,
    "TWHOOKS_METRICS": False,
    "TWHOOKS_METRICS_ROUTE": None,
    "TWHOOKS_METRICS_PASSWORD": None,
}

#: Settings that did nothing and were removed, with what to do instead: an app that still
#: sets one gets a :class:`DeprecationWarning` from ``init_app``.
REMOVED: Mapping[str, str] = {
    "TWHOOKS_DEDUPLICATE_SIZE": "no store reads it; delete the setting",
    "TWHOOKS_REALTIME_GRACE": "no code reads it; drain with hooks.drain_sessions(grace=...) "
    "on Flask, and with the server's graceful timeout on Quart (Hypercorn's "
    "--graceful-timeout)",
}


def set_defaults(config: MutableMapping[str, Any]) -> None:
    """Set every setting missing from *config* to its default (:data:`DEFAULTS`)."""
    for name, value in DEFAULTS.items():
        config.setdefault(name, value)


def warn_removed(config: Mapping[str, Any]) -> None:
    """One :class:`DeprecationWarning` for each removed setting that *config* still sets."""
    for name, instead in REMOVED.items():
        if name in config:
            warnings.warn(
                f"{name} was removed in twhooks 0.3 and has no effect: {instead}",
                DeprecationWarning,
                stacklevel=_outside_twhooks(),
            )


def _outside_twhooks() -> int:
    """The ``stacklevel`` of the first caller outside the twhooks package, for a warning
    raised by the function that calls this one (it points at the app's code)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frame = sys._getframe(2)
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
        level += 1
    return level


class Reader:
    """Reads settings from a config mapping, falling back to :data:`DEFAULTS`."""

    __slots__ = ("config",)

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def __call__(self, name: str) -> Any:
        return self.config.get(name, DEFAULTS.get(name))

    def positive_number(self, name: str) -> float:
        """A positive number of seconds."""
        value = self(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigurationError(f"{name} must be a positive number of seconds, not {value!r}")
        return float(value)

    def positive_int(self, name: str) -> int:
        """A positive ``int``."""
        value = self(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"{name} must be a positive int, not {value!r}")
        return value

    def seconds(self, name: str, *, optional: bool = False) -> Any:
        """A retention time of the store (its message names the type, never the value);
        ``None`` when *optional*."""
        value = self(name)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            allowed = "a positive number of seconds" + (" or None" if optional else "")
            raise ConfigurationError(f"{name} must be {allowed}, not {type(value).__name__}")
        return float(value)
