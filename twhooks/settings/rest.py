"""The settings of sending through Twilio's REST API: :attr:`Settings.rest
<twhooks.settings.Settings.rest>`.

Reading them imports nothing and needs nothing: an app that never sends needs no account SID.
What is missing for sending is said by :meth:`RestSettings.credentials`, on the first send.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ConfigurationError
from .defaults import Reader

__all__ = ["DEFAULT_API_BASE_URL", "RestSettings"]

#: Twilio's API, the default of ``TWILIO_API_BASE_URL``.
DEFAULT_API_BASE_URL = "https://api.twilio.com"


@dataclass(frozen=True, slots=True)
class RestSettings:
    """Who sends, where to, and how patiently.

    :param account_sid: ``TWILIO_ACCOUNT_SID``, the account messages are sent from.
    :param auth_token: the first ``TWILIO_AUTH_TOKEN`` (the primary one, during a rotation).
    :param api_key: ``TWILIO_API_KEY``, an API key's SID (``SK…``): authenticate with it and
        ``TWILIO_API_SECRET`` instead of the auth token.
    :param api_secret: ``TWILIO_API_SECRET``.
    :param base_url: ``TWILIO_API_BASE_URL`` (else the environment variable of that name, else
        Twilio's), without a trailing slash.
    :param client: ``TWHOOKS_REST_CLIENT``, the app's own ``twilio.rest.Client``.
    :param retries: ``TWHOOKS_REST_RETRIES``.
    :param max_wait: ``TWHOOKS_REST_MAX_WAIT``.
    :param timeout: ``TWHOOKS_REST_TIMEOUT``.
    """

    account_sid: str | None = None
    auth_token: str | None = field(default=None, repr=False)
    api_key: str | None = None
    api_secret: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_API_BASE_URL
    client: Any = None
    retries: int = 3
    max_wait: float = 30.0
    timeout: float = 15.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RestSettings:
        """Read ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_API_KEY``,
        ``TWILIO_API_SECRET``, ``TWILIO_API_BASE_URL`` and the ``TWHOOKS_REST_*`` settings.

        :raises ~twhooks.ConfigurationError: a setting has the wrong type, or only one of
            ``TWILIO_API_KEY`` and ``TWILIO_API_SECRET`` is set.
        """
        get = Reader(config)
        values = {
            "TWILIO_ACCOUNT_SID": config.get("TWILIO_ACCOUNT_SID"),
            "TWILIO_API_KEY": config.get("TWILIO_API_KEY"),
            "TWILIO_API_SECRET": config.get("TWILIO_API_SECRET"),
        }
        for name, value in values.items():
            if value is not None and not isinstance(value, str):
                raise ConfigurationError(f"{name} must be a str, not a {type(value).__name__}")
        api_key, api_secret = values["TWILIO_API_KEY"], values["TWILIO_API_SECRET"]
        if bool(api_key) != bool(api_secret):
            raise ConfigurationError(
                "TWILIO_API_KEY and TWILIO_API_SECRET go together: set both (an API key's "
                "SID and its secret) or neither"
            )
        token = config.get("TWILIO_AUTH_TOKEN")
        if isinstance(token, (list, tuple)):
            token = token[0] if token else None
        base_url = config.get("TWILIO_API_BASE_URL") or os.environ.get("TWILIO_API_BASE_URL")
        base_url = base_url or DEFAULT_API_BASE_URL
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                "TWILIO_API_BASE_URL must be an http(s) URL such as 'https://api.twilio.com', "
                f"not {base_url!r}"
            )
        retries = get("TWHOOKS_REST_RETRIES")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ConfigurationError(
                f"TWHOOKS_REST_RETRIES must be a whole number, 0 or more, not {retries!r}"
            )
        client = get("TWHOOKS_REST_CLIENT")
        if client is not None and not callable(
            getattr(getattr(client, "messages", None), "create", None)
        ):
            raise ConfigurationError(
                "TWHOOKS_REST_CLIENT must be a twilio.rest.Client (with messages.create), "
                f"not a {type(client).__name__}"
            )
        return cls(
            account_sid=values["TWILIO_ACCOUNT_SID"] or None,
            auth_token=token if isinstance(token, str) and token else None,
            api_key=api_key or None,
            api_secret=api_secret or None,
            base_url=base_url.rstrip("/"),
            client=client,
            retries=retries,
            max_wait=get.positive_number("TWHOOKS_REST_MAX_WAIT"),
            timeout=get.positive_number("TWHOOKS_REST_TIMEOUT"),
        )

    def credentials(self) -> tuple[str, str, str | None]:
        """The account SID, the secret and the API key's SID (``None``: the secret is the auth
        token) to send with.

        :raises ~twhooks.ConfigurationError: no account SID, or no token nor API key.
        """
        if not self.account_sid:
            raise ConfigurationError(
                "sending a message needs TWILIO_ACCOUNT_SID (the account's SID, AC…), which "
                "is not set"
            )
        if self.api_key and self.api_secret:
            return self.account_sid, self.api_secret, self.api_key
        if not self.auth_token:
            raise ConfigurationError(
                "sending a message needs TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET"
            )
        return self.account_sid, self.auth_token, None
