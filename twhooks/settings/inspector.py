"""The inspector's settings: :attr:`Settings.inspector <twhooks.settings.Settings.inspector>`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..exceptions import ConfigurationError
from .defaults import Reader

__all__ = ["InspectorSettings"]


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

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> InspectorSettings:
        """Read ``TWHOOKS_INSPECTOR`` and ``TWHOOKS_INSPECTOR_PASSWORD`` from *config*.

        :raises ~twhooks.ConfigurationError: a setting has the wrong type.
        """
        get = Reader(config)
        enabled = get("TWHOOKS_INSPECTOR")
        if not isinstance(enabled, bool):
            raise ConfigurationError(f"TWHOOKS_INSPECTOR must be True or False, not {enabled!r}")
        password = get("TWHOOKS_INSPECTOR_PASSWORD")
        if password is not None and (not isinstance(password, str) or not password):
            raise ConfigurationError("TWHOOKS_INSPECTOR_PASSWORD must be a non-empty str or None")
        return cls(enabled, password)

    def check(self, debug: bool) -> None:
        """Refuse an inspector that anyone could open.

        The inspector shows every webhook's parameters (phone numbers, message bodies): it is
        turned on only in debug mode or behind a password.

        :param debug: ``app.debug``.
        :raises ~twhooks.ConfigurationError: the inspector is on without debug mode and
            without a password.
        """
        if self.enabled and not debug and self.password is None:
            raise ConfigurationError(
                "TWHOOKS_INSPECTOR is on without debug mode and without "
                "TWHOOKS_INSPECTOR_PASSWORD: it shows every webhook's numbers and messages, so "
                "set a password (HTTP basic, any user name) or turn it on only in development"
            )
