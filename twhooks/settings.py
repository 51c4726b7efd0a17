"""The ``TWHOOKS_*`` settings: their defaults, their checks, and the frozen object built from them.

An adapter reads its framework's configuration **once**, when the extension is initialised
(:meth:`~twhooks.TwilioHooks.init_app`), into a :class:`Settings`. Every check happens there:
a missing or malformed ``TWILIO_AUTH_TOKEN`` (with validation on) is a
:class:`~twhooks.ConfigurationError` naming the setting at start-up, not a 500 on every
request. What is costly to build from the settings (the
:class:`~twhooks.signature.SignatureVerifier`) is built once, too.

This module knows nothing of any web framework: it reads a plain mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .exceptions import ConfigurationError
from .signature import SignatureVerifier

__all__ = ["DEFAULTS", "Settings"]

#: Defaults of the ``TWHOOKS_*`` settings, set on the app by :meth:`~twhooks.TwilioHooks.init_app`.
DEFAULTS: Mapping[str, Any] = {
    "TWHOOKS_VALIDATE": True,
    "TWHOOKS_PUBLIC_URL": None,
    "TWHOOKS_URL_PREFIX": "/twilio",
    "TWHOOKS_MAX_BODY_SIZE": 1 << 20,
    "TWHOOKS_MAX_PARAMS": 1000,
    "TWHOOKS_ACCOUNT_TOKENS": None,
    "TWHOOKS_SHARED_KEYS": None,
    "TWHOOKS_DEDUPLICATE": True,
    "TWHOOKS_DEDUPLICATE_SIZE": 1024,
    "TWHOOKS_REPLAY_LEASE": 15.0,
    "TWHOOKS_REPLAY_TTL": 3600.0,
    "TWHOOKS_INSPECTOR": False,
    "TWHOOKS_INSPECTOR_PASSWORD": None,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """The checked settings of one app, read once at start-up.

    Build it with :meth:`from_config`; the fields mirror the ``TWHOOKS_*`` settings.
    """

    #: The verifier of ``X-Twilio-Signature``; ``None`` when ``TWHOOKS_VALIDATE = False``.
    verifier: SignatureVerifier | None
    #: ``TWHOOKS_URL_PREFIX`` normalized: ``""`` or ``/name`` without a trailing slash.
    url_prefix: str
    #: ``TWHOOKS_PUBLIC_URL`` without a trailing slash, or ``None``.
    public_url: str | None
    max_body_size: int
    max_params: int
    deduplicate: bool
    deduplicate_size: int
    #: How long a request's claim holds before a retry may take it over (seconds).
    replay_lease: float
    #: How long a reply is kept for the retries of its request (seconds).
    replay_ttl: float

    @property
    def validate(self) -> bool:
        """Whether requests are verified (``TWHOOKS_VALIDATE`` is not ``False``)."""
        return self.verifier is not None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Read and check the settings in *config* (missing ones take :data:`DEFAULTS`).

        :raises ConfigurationError: a setting is missing or malformed; the message names it.
        """
        get = _Reader(config)
        validate = get("TWHOOKS_VALIDATE") is not False
        verifier = None
        if validate:
            verifier = _build_verifier(
                config.get("TWILIO_AUTH_TOKEN"),
                get("TWHOOKS_ACCOUNT_TOKENS"),
                get("TWHOOKS_SHARED_KEYS"),
            )
        public_url = get("TWHOOKS_PUBLIC_URL")
        if public_url is not None:
            if not isinstance(public_url, str) or "://" not in public_url:
                raise ConfigurationError(
                    "TWHOOKS_PUBLIC_URL must be the app's public base URL, such as "
                    f"'https://example.com', not {public_url!r}"
                )
            public_url = public_url.rstrip("/") or None
        prefix = get("TWHOOKS_URL_PREFIX")
        if prefix is not None and not isinstance(prefix, str):
            raise ConfigurationError(f"TWHOOKS_URL_PREFIX must be a str, not {prefix!r}")
        return cls(
            verifier=verifier,
            url_prefix=("/" + prefix.strip("/")).rstrip("/") if prefix else "",
            public_url=public_url,
            max_body_size=get.positive_int("TWHOOKS_MAX_BODY_SIZE"),
            max_params=get.positive_int("TWHOOKS_MAX_PARAMS"),
            deduplicate=bool(get("TWHOOKS_DEDUPLICATE")),
            deduplicate_size=get.positive_int("TWHOOKS_DEDUPLICATE_SIZE"),
            replay_lease=get.positive_number("TWHOOKS_REPLAY_LEASE"),
            replay_ttl=get.positive_number("TWHOOKS_REPLAY_TTL"),
        )


class _Reader:
    """Reads settings from a config mapping, falling back to :data:`DEFAULTS`."""

    __slots__ = ("config",)

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def __call__(self, name: str) -> Any:
        return self.config.get(name, DEFAULTS.get(name))

    def positive_number(self, name: str) -> float:
        value = self(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigurationError(f"{name} must be a positive number of seconds, not {value!r}")
        return float(value)

    def positive_int(self, name: str) -> int:
        value = self(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"{name} must be a positive int, not {value!r}")
        return value


def _build_verifier(token: Any, accounts: Any, keys: Any) -> SignatureVerifier:
    if not token and not accounts and not keys:
        raise ConfigurationError(
            "TWILIO_AUTH_TOKEN is not set, so no webhook can be verified; set it to your "
            "auth token (or TWHOOKS_VALIDATE = False, for local experiments only)"
        )
    tokens: Sequence[str] | None = None
    if token:
        tokens = [token] if isinstance(token, str) else token
        if not isinstance(tokens, (list, tuple)) or not all(
            isinstance(t, str) and t for t in tokens
        ):
            raise ConfigurationError(
                "TWILIO_AUTH_TOKEN must be a non-empty str or a list of them (token rotation), "
                f"not a {type(token).__name__}"
            )
        tokens = list(tokens)
    lookup: Callable[[str], Any] | None = None
    if accounts:
        if isinstance(accounts, Mapping):
            lookup = dict(accounts).get
        elif callable(accounts):
            lookup = accounts
        else:
            raise ConfigurationError(
                "TWHOOKS_ACCOUNT_TOKENS must map AccountSid to auth token(s), "
                f"not be a {type(accounts).__name__}"
            )
    if keys is not None and not (isinstance(keys, Mapping) or callable(keys)):
        raise ConfigurationError(
            f"TWHOOKS_SHARED_KEYS must map key ids to secrets, not be a {type(keys).__name__}"
        )
    if isinstance(keys, Mapping):
        keys = dict(keys)
    return SignatureVerifier(tokens, token_lookup=lookup, shared_keys=keys or None)
