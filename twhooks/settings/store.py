"""The shared store's settings: :attr:`Settings.store <twhooks.settings.Settings.store>`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..exceptions import ConfigurationError
from .defaults import Reader

__all__ = ["STORE_SETTINGS", "StoreSettings"]

#: The names of the store's settings of :data:`~twhooks.settings.defaults.DEFAULTS`.
STORE_SETTINGS = (
    "TWHOOKS_STORE",
    "TWHOOKS_CONVERSATIONS",
    "TWHOOKS_CONVERSATION_TTL",
    "TWHOOKS_DELIVERY_TTL",
    "TWHOOKS_CALL_TTL",
    "TWHOOKS_OPT_OUT_TTL",
    "TWHOOKS_HISTORY",
    "TWHOOKS_HISTORY_SIZE",
    "TWHOOKS_HISTORY_REDACT",
    "TWHOOKS_HISTORY_HASH_KEY",
)

#: What ``TWHOOKS_HISTORY_REDACT`` may name.
REDACTIONS = frozenset({"bodies", "numbers"})


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """Which store, and how long each kind of record is kept (seconds).
    :class:`~twhooks.store.StoreFacades` is built from them."""

    #: ``TWHOOKS_STORE``: ``None`` (an SQLite file in the instance folder), a URL, or an
    #: object (see :func:`~twhooks.store.open_store`); checked when the store is opened.
    url: Any
    #: ``TWHOOKS_CONVERSATIONS``: ``"store"`` (server-side, one handler at a time) or
    #: ``"cookie"`` (in Twilio's cookies, as in twhooks 0.1).
    conversations: Literal["store", "cookie"]
    conversation_ttl: float
    #: How long a conversation's lock outlives a dead worker (renewed while it lives): as
    #: long as its request's claim (``TWHOOKS_REPLAY_LEASE``).
    conversation_lock_lease: float
    delivery_ttl: float
    call_ttl: float
    #: ``None``: an opt-out is kept until the person opts in again.
    opt_out_ttl: float | None
    #: ``TWHOOKS_HISTORY``: whether requests are recorded.
    history: bool
    #: How many records of each kind the history keeps.
    history_size: int
    #: ``TWHOOKS_HISTORY_REDACT`` names ``"bodies"`` (or is ``True``).
    history_redact: bool
    #: ``TWILIO_ACCOUNT_SID``: the app's own account, the one
    #: :meth:`~twhooks.store.Conversations.get` assumes and the test client sends.
    account_sid: str | None = None
    #: Whether ``TWHOOKS_ACCOUNT_TOKENS`` is set: only then does a conversation's key name
    #: its account (when not the app's own).
    several_accounts: bool = False
    #: When ``TWHOOKS_HISTORY_REDACT`` names ``"numbers"``: the key phone numbers are hashed
    #: with (``TWHOOKS_HISTORY_HASH_KEY``, else derived from ``TWILIO_AUTH_TOKEN``).
    history_number_key: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StoreSettings:
        """Read and check the store's settings in *config*.

        :raises ~twhooks.ConfigurationError: naming the first setting that cannot work.
        """
        get = Reader(config)
        mode = get("TWHOOKS_CONVERSATIONS")
        if mode not in ("store", "cookie"):
            raise ConfigurationError(
                f"TWHOOKS_CONVERSATIONS must be 'store' or 'cookie', not {mode!r}"
            )
        size = get("TWHOOKS_HISTORY_SIZE")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ConfigurationError("TWHOOKS_HISTORY_SIZE must be a positive whole number")
        account_sid = config.get("TWILIO_ACCOUNT_SID")
        if account_sid is not None and not isinstance(account_sid, str):
            raise ConfigurationError(
                f"TWILIO_ACCOUNT_SID must be a str, not a {type(account_sid).__name__}"
            )
        bodies, number_key = _redaction(config, get("TWHOOKS_HISTORY_REDACT"))
        return cls(
            url=get("TWHOOKS_STORE"),
            conversations=mode,
            conversation_ttl=get.seconds("TWHOOKS_CONVERSATION_TTL"),
            conversation_lock_lease=get.positive_number("TWHOOKS_REPLAY_LEASE"),
            delivery_ttl=get.seconds("TWHOOKS_DELIVERY_TTL"),
            call_ttl=get.seconds("TWHOOKS_CALL_TTL"),
            opt_out_ttl=get.seconds("TWHOOKS_OPT_OUT_TTL", optional=True),
            history=bool(get("TWHOOKS_HISTORY")),
            history_size=size,
            history_redact=bodies,
            account_sid=account_sid,
            several_accounts=bool(config.get("TWHOOKS_ACCOUNT_TOKENS")),
            history_number_key=number_key,
        )


def _redaction(config: Mapping[str, Any], redact: Any) -> tuple[bool, bytes | None]:
    """``TWHOOKS_HISTORY_REDACT`` read: whether bodies are dropped, and the key numbers are
    hashed with (``None``: kept).

    ``True`` is ``{"bodies"}`` (as in 0.2); ``False`` or ``None`` keeps everything.
    """
    if redact is None or redact is False:
        return False, None
    if redact is True:
        return True, None
    names = {redact} if isinstance(redact, str) else redact
    if not isinstance(names, (set, frozenset, list, tuple)) or not set(names) <= REDACTIONS:
        raise ConfigurationError(
            "TWHOOKS_HISTORY_REDACT must be True, False or a set of 'bodies' and 'numbers', "
            f"not {redact!r}"
        )
    if "numbers" not in names:
        return "bodies" in names, None
    key = config.get("TWHOOKS_HISTORY_HASH_KEY")
    if key is None:
        token = config.get("TWILIO_AUTH_TOKEN")
        if isinstance(token, (list, tuple)) and token:
            token = token[0]
        if not isinstance(token, str) or not token:
            raise ConfigurationError(
                "TWHOOKS_HISTORY_REDACT names 'numbers' but there is no key to hash them with: "
                "set TWHOOKS_HISTORY_HASH_KEY (or TWILIO_AUTH_TOKEN, which it is derived from)"
            )
        # Not the token itself: a hash of it, kept apart from what signs requests.
        key = hashlib.sha256(b"twhooks history numbers\0" + token.encode("utf-8")).digest()
    if isinstance(key, str) and key:
        key = key.encode("utf-8")
    if not isinstance(key, bytes) or not key:
        raise ConfigurationError("TWHOOKS_HISTORY_HASH_KEY must be a non-empty str or bytes")
    return "bodies" in names, key
