"""Every ``TWHOOKS_*`` setting, read once: its default, its check, the frozen object built.

An adapter reads its framework's configuration **once**, when the extension is initialised
(:meth:`~twhooks.TwilioHooks.init_app`), into a :class:`Settings`. Every check happens there:
a missing or malformed ``TWILIO_AUTH_TOKEN`` (with validation on) is a
:class:`~twhooks.ConfigurationError` naming the setting at start-up, not a 500 on every
request. What is costly to build from the settings (the
:class:`~twhooks.signature.SignatureVerifier`) is built once, too.

The settings of each concern are a part of :class:`Settings`, each in a module of this
package:

- the webhooks' own: :class:`Settings` itself (here);
- the shared store's: :attr:`Settings.store`, a :class:`StoreSettings` (``store``);
- the inspector's: :attr:`Settings.inspector`, an :class:`InspectorSettings`
  (``inspector``);
- the voice sockets': :attr:`Settings.realtime`, a :class:`RealtimeSettings` (``realtime``);
- traces and metrics: :attr:`Settings.observability`, an :class:`ObservabilitySettings`
  (``observability``);
- background handlers: :attr:`Settings.background`, a :class:`BackgroundSettings`
  (``background``);
- the RQ and Celery runners': :attr:`Settings.queues`, a :class:`QueueSettings` (``queues``);
- sending through Twilio's REST API: :attr:`Settings.rest`, a :class:`RestSettings`
  (``rest``);
- the defaults of them all, in one table: :data:`~twhooks.settings.defaults.DEFAULTS`
  (``defaults``).

:meth:`Settings.signing_token` answers "which token does Twilio sign this account's
webhooks with" for the test client and the inspector's replay, as the verifier answers it.

This package knows nothing of any web framework: it reads a plain mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ConfigurationError
from ..signature import SignatureVerifier, TokenLookup
from .background import BackgroundSettings as BackgroundSettings
from .defaults import DEFAULTS as DEFAULTS
from .defaults import REMOVED as REMOVED
from .defaults import Reader, warn_removed
from .defaults import set_defaults as set_defaults
from .inspector import InspectorSettings as InspectorSettings
from .observability import ObservabilitySettings as ObservabilitySettings
from .queues import QueueSettings as QueueSettings
from .realtime import RealtimeSettings as RealtimeSettings
from .rest import RestSettings as RestSettings
from .store import StoreSettings as StoreSettings

__all__ = [
    "DEFAULTS",
    "REMOVED",
    "BackgroundSettings",
    "InspectorSettings",
    "ObservabilitySettings",
    "QueueSettings",
    "RealtimeSettings",
    "RestSettings",
    "Settings",
    "StoreSettings",
    "set_defaults",
    "settings_of",
]


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
    #: How long a request's claim holds before a retry may take it over (seconds).
    replay_lease: float
    #: How long a reply is kept for the retries of its request (seconds).
    replay_ttl: float
    #: The shared store's settings.
    store: StoreSettings
    #: The inspector's settings.
    inspector: InspectorSettings
    #: The voice sockets' settings.
    realtime: RealtimeSettings
    #: ``TWILIO_AUTH_TOKEN`` as a tuple; the first is the one Twilio signs with.
    auth_tokens: tuple[str, ...] = field(default=(), repr=False)
    #: ``TWHOOKS_ACCOUNT_TOKENS`` as a function of the ``AccountSid``.
    account_tokens: TokenLookup | None = field(default=None, repr=False)
    #: Traces and metrics.
    observability: ObservabilitySettings = field(default_factory=ObservabilitySettings)
    #: Background handlers: the runner, its threads, how long a finished job is remembered.
    background: BackgroundSettings = field(default_factory=BackgroundSettings)
    #: The RQ and Celery runners' settings.
    queues: QueueSettings = field(default_factory=QueueSettings)
    #: Sending through Twilio's REST API (``hooks.send``).
    rest: RestSettings = field(default_factory=RestSettings)

    @property
    def validate(self) -> bool:
        """Whether requests are verified (``TWHOOKS_VALIDATE`` is not ``False``)."""
        return self.verifier is not None

    def signing_token(self, account_sid: str | None) -> str | None:
        """The auth token Twilio signs the webhooks of *account_sid* with.

        The account's own in ``TWHOOKS_ACCOUNT_TOKENS`` (a subaccount's; a mapping or a
        function), else the app's ``TWILIO_AUTH_TOKEN``; the first of a list, since during a
        rotation Twilio signs with the primary token. ``None`` when no token is known. The
        verifier accepts what this token signs.
        """
        if account_sid and self.account_tokens is not None:
            found = _as_tokens(self.account_tokens(account_sid))
            if found:
                return found[0]
        return self.auth_tokens[0] if self.auth_tokens else None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Read and check the settings in *config*; the missing ones take their default
        (:data:`~twhooks.settings.defaults.DEFAULTS`).

        A removed setting that *config* still sets is named in a :class:`DeprecationWarning`.

        :raises ConfigurationError: a setting is missing or malformed; the message names it.
        """
        warn_removed(config)
        get = Reader(config)
        validate = get("TWHOOKS_VALIDATE") is not False
        token = config.get("TWILIO_AUTH_TOKEN")
        auth_tokens = _auth_tokens(token, strict=validate)
        account_tokens = _account_tokens(get("TWHOOKS_ACCOUNT_TOKENS"), strict=validate)
        verifier = None
        if validate:
            verifier = _build_verifier(
                token, auth_tokens, account_tokens, get("TWHOOKS_SHARED_KEYS")
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
            replay_lease=get.positive_number("TWHOOKS_REPLAY_LEASE"),
            replay_ttl=get.positive_number("TWHOOKS_REPLAY_TTL"),
            store=StoreSettings.from_config(config),
            inspector=InspectorSettings.from_config(config),
            realtime=RealtimeSettings(verifier=verifier, public_url=public_url),
            auth_tokens=auth_tokens,
            account_tokens=account_tokens,
            observability=ObservabilitySettings.from_config(config),
            background=BackgroundSettings.from_config(config),
            queues=QueueSettings.from_config(config),
            rest=RestSettings.from_config(config),
        )


def settings_of(app: Any) -> Settings:
    """The settings ``init_app`` read for *app* (a Flask or a Quart app).

    An app not initialised with twhooks (its webhooks verified by a middleware) has its
    config read the same way, without the checks of its auth token.
    """
    state = app.extensions.get("twhooks")
    if state is not None:
        settings: Settings = state.settings
        return settings
    return Settings.from_config({**app.config, "TWHOOKS_VALIDATE": False})


def _as_tokens(tokens: Any) -> tuple[str, ...]:
    """The non-empty tokens of a token or of a list of them, as the verifier takes them."""
    if isinstance(tokens, str):
        return (tokens,) if tokens else ()
    if isinstance(tokens, (list, tuple)):
        return tuple(t for t in tokens if isinstance(t, str) and t)
    return ()


def _auth_tokens(token: Any, *, strict: bool) -> tuple[str, ...]:
    """``TWILIO_AUTH_TOKEN`` as a tuple; with *strict* (validation on), a malformed one is a
    :class:`~twhooks.ConfigurationError`."""
    if not token:
        return ()
    tokens = [token] if isinstance(token, str) else token
    if strict and (
        not isinstance(tokens, (list, tuple)) or not all(isinstance(t, str) and t for t in tokens)
    ):
        raise ConfigurationError(
            "TWILIO_AUTH_TOKEN must be a non-empty str or a list of them (token rotation), "
            f"not a {type(token).__name__}"
        )
    return _as_tokens(tokens)


def _account_tokens(accounts: Any, *, strict: bool) -> TokenLookup | None:
    """``TWHOOKS_ACCOUNT_TOKENS`` as a function of the ``AccountSid``; with *strict*, a
    malformed one is a :class:`~twhooks.ConfigurationError`."""
    if not accounts:
        return None
    if isinstance(accounts, Mapping):
        lookup: TokenLookup = dict(accounts).get
        return lookup
    if callable(accounts):
        function: TokenLookup = accounts
        return function
    if strict:
        raise ConfigurationError(
            "TWHOOKS_ACCOUNT_TOKENS must map AccountSid to auth token(s), "
            f"not be a {type(accounts).__name__}"
        )
    return None


def _build_verifier(
    token: Any, tokens: tuple[str, ...], accounts: TokenLookup | None, keys: Any
) -> SignatureVerifier:
    """The verifier of what :meth:`Settings.signing_token` signs (*tokens*, *accounts*:
    ``TWILIO_AUTH_TOKEN`` and ``TWHOOKS_ACCOUNT_TOKENS`` read), and of the shared keys.

    :param token: ``TWILIO_AUTH_TOKEN`` as set.
    """
    if not token and accounts is None and not keys:
        raise ConfigurationError(
            "TWILIO_AUTH_TOKEN is not set, so no webhook can be verified; set it to your "
            "auth token (or TWHOOKS_VALIDATE = False, for local experiments only)"
        )
    if keys is not None and not (isinstance(keys, Mapping) or callable(keys)):
        raise ConfigurationError(
            f"TWHOOKS_SHARED_KEYS must map key ids to secrets, not be a {type(keys).__name__}"
        )
    if isinstance(keys, Mapping):
        keys = dict(keys)
    return SignatureVerifier(list(tokens) or None, token_lookup=accounts, shared_keys=keys or None)
