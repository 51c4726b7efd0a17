"""The shared store's settings: :attr:`Settings.store <twhooks.settings.Settings.store>`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
)


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
    history_size: int
    history_redact: bool
    #: ``TWILIO_ACCOUNT_SID``: the app's own account, the one
    #: :meth:`~twhooks.store.Conversations.get` assumes and the test client sends.
    account_sid: str | None = None
    #: Whether ``TWHOOKS_ACCOUNT_TOKENS`` is set: only then does a conversation's key name
    #: its account (when not the app's own).
    several_accounts: bool = False

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
            history_redact=bool(get("TWHOOKS_HISTORY_REDACT")),
            account_sid=account_sid,
            several_accounts=bool(config.get("TWHOOKS_ACCOUNT_TOKENS")),
        )
