"""The voice sockets' settings: :attr:`Settings.realtime <twhooks.settings.Settings.realtime>`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..signature import SignatureVerifier

__all__ = ["RealtimeSettings"]


@dataclass(frozen=True)
class RealtimeSettings:
    """What the voice sockets need: the same verifier and public URL as the app's webhooks.

    :param verifier: checks the upgrades' signatures; ``None`` turns checking off
        (``TWHOOKS_VALIDATE = False``, local experiments only).
    :param public_url: ``TWHOOKS_PUBLIC_URL``: the public base URL (``https://…``, made
        ``wss://…``).
    :param first_message_timeout: seconds to wait for ``setup`` / ``start``.
    """

    verifier: SignatureVerifier | None
    public_url: str | None = None
    first_message_timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RealtimeSettings:
        """From an app's ``config``, read like its webhook settings
        (:meth:`twhooks.settings.Settings.from_config`).

        :raises ~twhooks.ConfigurationError: a setting is missing or malformed.
        """
        from . import Settings

        return Settings.from_config(config).realtime
