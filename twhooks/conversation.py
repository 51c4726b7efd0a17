"""Conversation state: where a multi-step dialog is, and what it has collected so far.

A :class:`Conversation` lives in a mutable mapping — in a Flask app, the signed
:data:`flask.session`. Twilio keeps the cookies a webhook response sets per (From, To) pair
for up to four hours and sends them back with the next message of that pair, so the session
follows one person's conversation with one of your numbers. Within a voice call, cookies
follow the call.

Cookies are a *cache*: Twilio occasionally drops them, and they expire after four hours. A
dialog must cope with finding itself back at the start (``state is None``); keep anything
you cannot afford to lose in your own database.

This module knows nothing of Flask: the extension hands it ``flask.session``, a test hands it
a plain ``dict``.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

__all__ = ["Conversation"]


class Conversation:
    """The state of one conversation, stored under :attr:`key` in ``store``.

    :param store: where the state lives between webhooks (``flask.session`` in an app).
    :param key: the key of the state in ``store``.

    Changes are written to ``store`` by :meth:`save` (or :meth:`save_if_changed`), which the
    Flask extension calls after the handler returns — not if it raises. A conversation that
    is only read is never written, so it sets no cookie.
    """

    __slots__ = ("_data", "_dirty", "_loaded", "_state", "key", "store")

    #: The default key under which the state is kept in the session.
    default_key = "twhooks.conversation"

    def __init__(self, store: MutableMapping[str, Any], key: str | None = None) -> None:
        self.store = store
        self.key = key or self.default_key
        # Read on first use: most webhooks never look at the conversation, and reading the
        # session is what makes Flask add "Vary: Cookie".
        self._loaded = False
        self._state: str | None = None
        self._data: dict[str, Any] = {}
        self._dirty = False

    def _load(self) -> None:
        self._loaded = True
        saved = self.store.get(self.key)
        # The stored value comes from a cookie: accept only the shape this class writes.
        if isinstance(saved, dict):
            if isinstance(saved.get("state"), str):
                self._state = saved["state"]
            if isinstance(saved.get("data"), dict):
                self._data = dict(saved["data"])

    @property
    def state(self) -> str | None:
        """The dialog step this conversation is at, or ``None`` outside any dialog."""
        if not self._loaded:
            self._load()
        return self._state

    @property
    def data(self) -> dict[str, Any]:
        """Answers collected so far. Values must be JSON-serializable (they go in a cookie).

        Changing it marks the conversation for saving after the handler.
        """
        if not self._loaded:
            self._load()
        # Handing out the dict means it may be changed behind our back: save it later.
        self._dirty = True
        return self._data

    @property
    def active(self) -> bool:
        """Whether the conversation is inside a dialog (has a state)."""
        return self.state is not None

    def goto(self, state: str, **data: Any) -> None:
        """Move the dialog to ``state`` and store ``data`` along with what was collected.

        The next message of this conversation is routed to the handler registered with
        ``state=state``.
        """
        if not isinstance(state, str) or not state:
            raise ValueError(f"a conversation state must be a non-empty string, not {state!r}")
        if not self._loaded:
            self._load()
        self._state = state
        self._data.update(data)
        self._dirty = True

    def end(self) -> None:
        """Leave the dialog and forget everything collected."""
        self._loaded = True
        self._state = None
        self._data = {}
        self._dirty = True

    def save(self) -> None:
        """Write the state to the store (removing it when the conversation is empty)."""
        if not self._loaded:
            self._load()
        self._dirty = False
        if self._state is None and not self._data:
            if self.key in self.store:
                del self.store[self.key]
            return
        # A new dict each time: Flask's session only notices assignments, not mutations.
        self.store[self.key] = {"state": self._state, "data": dict(self._data)}

    @property
    def needs_saving(self) -> bool:
        """Whether :meth:`goto` or :meth:`end` was called or :attr:`data` handed out since
        the last save."""
        return self._dirty

    def save_if_changed(self) -> None:
        """Save if :meth:`goto` or :meth:`end` was called or :attr:`data` handed out."""
        if self._dirty:
            self.save()

    def __repr__(self) -> str:
        if not self._loaded:
            return "Conversation(<not loaded>)"
        return f"Conversation(state={self._state!r}, data={self._data!r})"
