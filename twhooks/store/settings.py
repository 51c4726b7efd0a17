"""The store and its facades (what the extension exposes as ``hooks.deliveries``,
``hooks.conversations`` …), built from the store's settings
(:class:`~twhooks.settings.StoreSettings`, read with every other setting)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..settings import DEFAULTS, StoreSettings
from ..settings.store import STORE_SETTINGS
from .base import Store
from .calls import Calls
from .conversations import Conversations
from .deliveries import Deliveries
from .history import History
from .open import open_store
from .optouts import Blocklist, OptOuts

__all__ = ["STORE_DEFAULTS", "StoreFacades"]

#: Defaults of the store's settings (times in seconds): theirs of
#: :data:`twhooks.settings.defaults.DEFAULTS`.
STORE_DEFAULTS: Mapping[str, Any] = {name: DEFAULTS[name] for name in STORE_SETTINGS}


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
    def open(
        cls, settings: StoreSettings, *, instance_path: str | os.PathLike[str]
    ) -> StoreFacades:
        """Open the store *settings* name (``TWHOOKS_STORE``) and build the facades.

        :param instance_path: the app's instance folder, for the default SQLite file.
        :raises ~twhooks.ConfigurationError: the store cannot be opened (naming the setting).
        """
        store = open_store(settings.url, instance_path=instance_path)
        opt_outs = OptOuts(store, ttl=settings.opt_out_ttl)
        history = None
        if settings.history:
            history = History(
                store,
                size=settings.history_size,
                redact_bodies=settings.history_redact,
                number_key=settings.history_number_key,
            )
        conversations = Conversations(
            store,
            ttl=settings.conversation_ttl,
            account_sid=settings.account_sid,
            several_accounts=settings.several_accounts,
            lock_lease=settings.conversation_lock_lease,
        )
        return cls(
            store=store,
            conversation_mode=settings.conversations,
            conversations=conversations,
            deliveries=Deliveries(store, ttl=settings.delivery_ttl, opt_outs=opt_outs),
            calls=Calls(store, ttl=settings.call_ttl),
            opt_outs=opt_outs,
            blocklist=Blocklist(store),
            history=history,
        )

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        instance_path: str | os.PathLike[str],
        account_sid: str | None = None,
    ) -> StoreFacades:
        """Read the store's settings in *config* (:meth:`StoreSettings.from_config
        <twhooks.settings.StoreSettings.from_config>`) and :meth:`open` it.

        :param account_sid: the account :meth:`Conversations.get` assumes when not told
            (``TWILIO_ACCOUNT_SID`` by default).
        :raises ~twhooks.ConfigurationError: naming the first setting that cannot work.
        """
        settings = StoreSettings.from_config(config)
        if account_sid is not None:
            settings = replace(settings, account_sid=account_sid)
        return cls.open(settings, instance_path=instance_path)
