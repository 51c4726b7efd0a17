"""The ``TWHOOKS_*`` settings: their defaults, their checks, and what is built from them.

Settings live in the Flask app's ``config`` and are read on every request, so a test or a
token rotation can change them at any time. What is costly to build from them — the
:class:`~twhooks.signature.SignatureVerifier`, the replay cache — is kept per app in
:class:`AppState` and built again only when the settings it came from change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response as BaseResponse

from .dedupe import ReplayCache
from .exceptions import ConfigurationError
from .signature import SignatureVerifier

if TYPE_CHECKING:
    from .extension import TwilioHooks

__all__ = ["DEFAULTS", "AppState"]

#: Defaults of the ``TWHOOKS_*`` settings, set on the app by :meth:`~twhooks.TwilioHooks.init_app`.
DEFAULTS: Mapping[str, Any] = {
    "TWHOOKS_VALIDATE": True,
    "TWHOOKS_PUBLIC_URL": None,
    "TWHOOKS_URL_PREFIX": "/twilio",
    "TWHOOKS_MAX_BODY_SIZE": 1 << 20,
    "TWHOOKS_ACCOUNT_TOKENS": None,
    "TWHOOKS_SHARED_KEYS": None,
    "TWHOOKS_DEDUPLICATE": True,
    "TWHOOKS_DEDUPLICATE_SIZE": 1024,
}


class AppState:
    """What :class:`~twhooks.TwilioHooks` keeps per app, in ``app.extensions["twhooks"]``.

    :param hooks: the extension.
    :param url_prefix: ``TWHOOKS_URL_PREFIX`` as read by ``init_app``, normalized.
    """

    __slots__ = ("hooks", "replays", "snapshot", "url_prefix", "verifier")

    def __init__(self, hooks: TwilioHooks, url_prefix: str) -> None:
        self.hooks = hooks
        self.url_prefix = url_prefix
        #: The token settings the verifier was built from, compared on every request.
        self.snapshot: tuple[Any, Any, Any] | None = None
        self.verifier: SignatureVerifier | None = None
        self.replays: ReplayCache[BaseResponse] | None = None

    def replay_cache(self, config: Mapping[str, Any]) -> ReplayCache[BaseResponse]:
        """The cache of responses by idempotency token, sized by the current settings."""
        size = config["TWHOOKS_DEDUPLICATE_SIZE"]
        replays = self.replays
        if replays is None or replays.size != size:
            replays = self.replays = ReplayCache(size)
        return replays

    def verifier_for(self, config: Mapping[str, Any]) -> SignatureVerifier:
        """The verifier for the current token settings, built again only when they change."""
        token = config.get("TWILIO_AUTH_TOKEN")
        accounts = config.get("TWHOOKS_ACCOUNT_TOKENS")
        keys = config.get("TWHOOKS_SHARED_KEYS")
        snapshot = self.snapshot
        if (
            snapshot is not None
            and self.verifier is not None
            and snapshot[0] == token
            and snapshot[1] == accounts
            and snapshot[2] == keys
        ):
            return self.verifier
        verifier = _build_verifier(token, accounts, keys)
        # Copies, so that a list or dict changed in place still counts as a change.
        self.snapshot = (_copy(token), _copy(accounts), _copy(keys))
        self.verifier = verifier
        return verifier


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
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
    lookup: Callable[[str], Any] | None = None
    if accounts:
        if isinstance(accounts, Mapping):
            lookup = accounts.get
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
    return SignatureVerifier(tokens, token_lookup=lookup, shared_keys=keys or None)
