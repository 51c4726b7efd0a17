"""The store's ``TWHOOKS_*`` settings, their defaults and checks, and the facades built from
them (what the extension exposes as ``hooks.deliveries``, ``hooks.conversations`` …)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..exceptions import ConfigurationError
from .base import Store
from .calls import DEFAULT_CALL_TTL, Calls
from .conversations import DEFAULT_CONVERSATION_TTL, Conversations
from .deliveries import DEFAULT_DELIVERY_TTL, Deliveries
from .history import DEFAULT_HISTORY_SIZE, History
from .open import open_store
from .optouts import Blocklist, OptOuts

__all__ = ["STORE_DEFAULTS", "StoreFacades"]

#: Defaults of the store's settings (times in seconds).
STORE_DEFAULTS: Mapping[str, Any] = {
    "TWHOOKS_STORE": None,
    "TWHOOKS_CONVERSATIONS": "store",
    "TWHOOKS_CONVERSATION_TTL": DEFAULT_CONVERSATION_TTL,
    "TWHOOKS_DELIVERY_TTL": DEFAULT_DELIVERY_TTL,
    "TWHOOKS_CALL_TTL": DEFAULT_CALL_TTL,
    "TWHOOKS_OPT_OUT_TTL": None,
    "TWHOOKS_HISTORY": True,
    "TWHOOKS_HISTORY_SIZE": DEFAULT_HISTORY_SIZE,
    "TWHOOKS_HISTORY_REDACT": False,
}


def _seconds(config: Mapping[str, Any], name: str, *, optional: bool = False) -> Any:
    value = config.get(name, STORE_DEFAULTS[name])
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        allowed = "a positive number of seconds" + (" or None" if optional else "")
        raise ConfigurationError(f"{name} must be {allowed}, not {type(value).__name__}")
    return float(value)


@dataclass(frozen=True)
class StoreFacades:
    """The store and every facade over it, built from one app's settings."""

    store: Store
    #: ``TWHOOKS_CONVERSATIONS``: ``"store"`` (server-side, one handler at a time) or
    #: ``"cookie"`` (in Twilio's cookies, as in twhooks 0.1).
    conversation_mode: str
    conversations: Conversations
    deliveries: Deliveries
    calls: Calls
    opt_outs: OptOuts
    blocklist: Blocklist
    #: ``None`` when ``TWHOOKS_HISTORY`` is false.
    history: History | None

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        instance_path: str | os.PathLike[str],
        account_sid: str | None = None,
    ) -> StoreFacades:
        """Open ``TWHOOKS_STORE`` and build the facades from the other settings.

        :param account_sid: the account :meth:`Conversations.get` assumes when not told.
        :raises ~twhooks.ConfigurationError: naming the first setting that cannot work.
        """
        mode = config.get("TWHOOKS_CONVERSATIONS", "store")
        if mode not in ("store", "cookie"):
            raise ConfigurationError(
                f"TWHOOKS_CONVERSATIONS must be 'store' or 'cookie', not {mode!r}"
            )
        size = config.get("TWHOOKS_HISTORY_SIZE", DEFAULT_HISTORY_SIZE)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ConfigurationError("TWHOOKS_HISTORY_SIZE must be a positive whole number")
        conversation_ttl = _seconds(config, "TWHOOKS_CONVERSATION_TTL")
        delivery_ttl = _seconds(config, "TWHOOKS_DELIVERY_TTL")
        call_ttl = _seconds(config, "TWHOOKS_CALL_TTL")
        opt_out_ttl = _seconds(config, "TWHOOKS_OPT_OUT_TTL", optional=True)
        store = open_store(config.get("TWHOOKS_STORE"), instance_path=instance_path)
        opt_outs = OptOuts(store, ttl=opt_out_ttl)
        history = None
        if config.get("TWHOOKS_HISTORY", True):
            history = History(
                store, size=size, redact_bodies=bool(config.get("TWHOOKS_HISTORY_REDACT"))
            )
        return cls(
            store=store,
            conversation_mode=mode,
            conversations=Conversations(store, ttl=conversation_ttl, account_sid=account_sid),
            deliveries=Deliveries(store, ttl=delivery_ttl, opt_outs=opt_outs),
            calls=Calls(store, ttl=call_ttl),
            opt_outs=opt_outs,
            blocklist=Blocklist(store),
            history=history,
        )
