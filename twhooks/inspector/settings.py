"""The inspector's settings, checked once when the extension is initialised."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..exceptions import ConfigurationError

__all__ = ["InspectorSettings", "check_settings"]


@dataclass(frozen=True, slots=True)
class InspectorSettings:
    """Whether the inspector is on, and the password that guards it.

    :param enabled: ``TWHOOKS_INSPECTOR``.
    :param password: ``TWHOOKS_INSPECTOR_PASSWORD``; ``None`` means no password, which is
        allowed only with ``app.debug``.
    """

    enabled: bool
    password: str | None

    def __repr__(self) -> str:  # never show the password
        shown = "None" if self.password is None else "'***'"
        return f"InspectorSettings(enabled={self.enabled}, password={shown})"


def check_settings(config: Mapping[str, Any], debug: bool) -> InspectorSettings:
    """Read ``TWHOOKS_INSPECTOR`` and ``TWHOOKS_INSPECTOR_PASSWORD`` from *config*.

    The inspector shows every webhook's parameters (phone numbers, message bodies): it is
    turned on only in debug mode or behind a password.

    :param debug: ``app.debug``.
    :raises ~twhooks.ConfigurationError: the inspector is on without debug mode and without a
        password, or a setting has the wrong type.
    """
    enabled = config.get("TWHOOKS_INSPECTOR", False)
    if not isinstance(enabled, bool):
        raise ConfigurationError(f"TWHOOKS_INSPECTOR must be True or False, not {enabled!r}")
    password = config.get("TWHOOKS_INSPECTOR_PASSWORD")
    if password is not None and (not isinstance(password, str) or not password):
        raise ConfigurationError("TWHOOKS_INSPECTOR_PASSWORD must be a non-empty str or None")
    if enabled and not debug and password is None:
        raise ConfigurationError(
            "TWHOOKS_INSPECTOR is on without debug mode and without "
            "TWHOOKS_INSPECTOR_PASSWORD: it shows every webhook's numbers and messages, so set "
            "a password (HTTP basic, any user name) or turn it on only in development"
        )
    return InspectorSettings(enabled, password)
