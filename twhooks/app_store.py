"""The shared store of a Flask or Quart app, in one place for both extensions.

- :func:`start_app`: what both adapters' ``init_app`` begin with: the settings read (the
  missing ones set to their defaults), the store opened, the dispatcher built;
- :func:`open_app_store`: ``TWHOOKS_STORE`` and the other store settings turned into the store,
  its facades and the dispatcher's :class:`~twhooks.shared.SharedState` (an SQLite file in the
  app's instance folder by default, a memory store for a ``TESTING`` app);
- :func:`share_call_records`: the voice sessions' call records in that store, and each session
  in the webhook history;
- :class:`StoreProperties`: ``hooks.deliveries``, ``hooks.calls``, ``hooks.conversations``,
  ``hooks.opt_outs``, ``hooks.blocklist`` and ``hooks.history``.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import replace
from typing import Any, Literal

from .dispatch import Dispatcher
from .exceptions import ConfigurationError
from .handlers import Handlers
from .realtime.handlers import RealtimeHandlers
from .realtime.shared import SharedCallStore, history_hook
from .settings import Settings, set_defaults
from .shared import SharedState
from .store import Blocklist, Calls, Conversations, Deliveries, History, OptOuts
from .store.settings import StoreFacades

__all__ = ["StoreProperties", "open_app_store", "share_call_records", "start_app"]


def start_app(
    handlers: Handlers,
    config: MutableMapping[str, Any],
    *,
    native: tuple[type[Any], ...],
    instance_path: str | os.PathLike[str],
    testing: bool,
) -> tuple[Settings, StoreFacades, Dispatcher]:
    """Read an app's settings, open its store and build its dispatcher.

    Missing ``TWHOOKS_*`` settings are set to their defaults on *config* first.

    :param handlers: the extension, with its registered handlers.
    :param native: the framework's response types, which handlers may return as they are.
    :raises ConfigurationError: naming the first setting that cannot work.
    """
    set_defaults(config)
    settings = Settings.from_config(config)
    facades, shared = open_app_store(settings, instance_path=instance_path, testing=testing)
    dispatcher = Dispatcher(
        handlers,
        settings,
        replays=facades.store if settings.deduplicate else None,
        native=native,
        shared=shared,
    )
    return settings, facades, dispatcher


def open_app_store(
    settings: Settings,
    *,
    instance_path: str | os.PathLike[str],
    testing: bool,
) -> tuple[StoreFacades, SharedState]:
    """Open the store an app's *settings* name, with its facades and their part in the
    request path.

    :param instance_path: the app's instance folder, for the default SQLite file.
    :param testing: the app's ``TESTING``: then an unset ``TWHOOKS_STORE`` is a memory store.
    :raises ConfigurationError: naming the first setting that cannot work.
    """
    store = settings.store
    if store.url is None and testing:
        # Tests get a store of their own, not the app's SQLite file.
        store = replace(store, url="memory://")
    facades = StoreFacades.open(store, instance_path=instance_path)
    mode: Literal["store", "cookie"] = (
        "cookie" if facades.conversation_mode == "cookie" else "store"
    )
    return facades, SharedState(facades, mode)


def share_call_records(
    realtime: RealtimeHandlers,
    facades: StoreFacades,
    url_prefix: str,
) -> None:
    """Keep *realtime*'s call records in the shared store (one socket per call holds across
    every worker and host, and callbacks find the host holding a call), and record each
    session in the webhook history when it ends.

    The history hook is a plain function: on an event loop the session's end runs plain
    hooks in a worker thread when the store blocks (see ``RealtimeHandlers.serve_async``).
    """
    realtime.registry.store = SharedCallStore(facades.store)
    if facades.history is not None:
        realtime.on_end(history_hook(facades.history, url_prefix))


class StoreProperties:
    """The shared store's facades as properties of an extension (they need an app context:
    the facades are those of the current app)."""

    def _store_facades(self) -> StoreFacades:
        """The facades of the current app."""
        raise NotImplementedError

    @property
    def deliveries(self) -> Deliveries:
        """The delivery record of every message (:class:`~twhooks.store.Deliveries`)."""
        return self._store_facades().deliveries

    @property
    def calls(self) -> Calls:
        """What is known of every call (:class:`~twhooks.store.Calls`)."""
        return self._store_facades().calls

    @property
    def conversations(self) -> Conversations:
        """Conversation states kept in the store (:class:`~twhooks.store.Conversations`)."""
        return self._store_facades().conversations

    @property
    def opt_outs(self) -> OptOuts:
        """Who opted out (:class:`~twhooks.store.OptOuts`)."""
        return self._store_facades().opt_outs

    @property
    def blocklist(self) -> Blocklist:
        """Numbers whose calls are rejected and messages ignored
        (:class:`~twhooks.store.Blocklist`)."""
        return self._store_facades().blocklist

    @property
    def history(self) -> History:
        """The webhook history (:class:`~twhooks.store.History`).

        :raises ConfigurationError: ``TWHOOKS_HISTORY`` is off.
        """
        history = self._store_facades().history
        if history is None:
            raise ConfigurationError("the webhook history is off (TWHOOKS_HISTORY = False)")
        return history
