"""Conversation state: where a multi-step dialog is, and what it has collected so far.

A :class:`Conversation` is one object over a small :class:`Backing`, the place its state is
kept between webhooks:

- :class:`CookieBacking`: a mutable mapping — in a Flask app the signed :data:`flask.session`
  (``TWHOOKS_CONVERSATIONS = "cookie"``; a test hands it a plain ``dict``). Twilio keeps the
  cookies a webhook response sets per (From, To) pair for up to four hours and sends them back
  with the next message of that pair, so the session follows one person's conversation with
  one of your numbers; within a voice call, cookies follow the call. Cookies are a *cache*:
  Twilio occasionally drops them, so a dialog must cope with finding itself back at the start
  (``state is None``).
- :class:`~twhooks.store.conversations.StoreBacking`: the shared store
  (``TWHOOKS_CONVERSATIONS = "store"``), locked so that the handlers of one conversation run
  one at a time across every worker and host.

The state is read on first use (most webhooks never look at their conversation) and written
back by :meth:`Conversation.save_if_changed` after the handler returned — not if it raised.
This module knows nothing of any web framework or store.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["Backing", "Conversation", "CookieBacking"]

#: The key under which a conversation is kept in a session, unless told otherwise.
DEFAULT_KEY = "twhooks.conversation"


@runtime_checkable
class Backing(Protocol):
    """Where a :class:`Conversation` is kept between webhooks."""

    def load(self) -> tuple[str | None, dict[str, Any]]:
        """The saved state and data (``(None, {})`` when there are none)."""
        ...

    def save(self, state: str | None, data: dict[str, Any]) -> None:
        """Keep *state* and *data* (an empty conversation: remove what was kept)."""
        ...

    def release(self) -> None:
        """The webhook is answered: give back what holding the conversation took."""
        ...


class CookieBacking:
    """A conversation kept in a mutable mapping (the framework's signed session).

    :param session: the mapping; Flask's session only notices assignments, so a saved
        conversation is always a new ``dict``.
    :param key: where in *session* the conversation is kept.
    """

    __slots__ = ("key", "session")

    def __init__(self, session: MutableMapping[str, Any], key: str = DEFAULT_KEY) -> None:
        self.session = session
        self.key = key

    def load(self) -> tuple[str | None, dict[str, Any]]:
        return parse_saved(self.session.get(self.key))

    def save(self, state: str | None, data: dict[str, Any]) -> None:
        if state is None and not data:
            if self.key in self.session:
                del self.session[self.key]
            return
        self.session[self.key] = {"state": state, "data": dict(data)}

    def release(self) -> None:
        """Nothing to give back: the session goes with the response."""


def parse_saved(saved: Any) -> tuple[str | None, dict[str, Any]]:
    """The state and data of a saved conversation; it may come from a cookie, so only the
    shape :class:`CookieBacking` writes is accepted."""
    state: str | None = None
    data: dict[str, Any] = {}
    if isinstance(saved, Mapping):
        if isinstance(saved.get("state"), str):
            state = saved["state"]
        if isinstance(saved.get("data"), dict):
            data = dict(saved["data"])
    return state, data


class Conversation:
    """The state of one conversation.

    :param backing: where it is kept between webhooks: a :class:`Backing`, or a mutable
        mapping (``flask.session``, a ``dict`` in a test), kept there under *key*.
    :param key: with a mapping, the key of the conversation in it (:attr:`default_key`).

    Changes are written to the backing by :meth:`save` (or :meth:`save_if_changed`), which
    the dispatcher calls after the handler returns — not if it raises. A conversation that
    is only read is never written, so it sets no cookie.
    """

    __slots__ = ("_data", "_dirty", "_loaded", "_state", "backing")

    #: The default key under which the state is kept in a session.
    default_key = DEFAULT_KEY

    def __init__(self, backing: Backing | MutableMapping[str, Any], key: str | None = None) -> None:
        if type(backing) is not CookieBacking and isinstance(backing, MutableMapping):
            backing = CookieBacking(backing, key or DEFAULT_KEY)
        self.backing: Backing = backing
        self._loaded = False
        self._state: str | None = None
        self._data: dict[str, Any] = {}
        self._dirty = False

    def _load(self) -> None:
        self._state, self._data = self.backing.load()
        self._loaded = True

    @property
    def state(self) -> str | None:
        """The dialog step this conversation is at, or ``None`` outside any dialog."""
        if not self._loaded:
            self._load()
        return self._state

    @property
    def data(self) -> dict[str, Any]:
        """Answers collected so far. Values must be JSON-serializable (they go in a cookie,
        or in the store). Changing it marks the conversation for saving after the handler.
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
        """Write the state to the backing (removing it when the conversation is empty)."""
        if not self._loaded:
            self._load()
        self.backing.save(self._state, self._data)
        self._dirty = False  # only once written: a save that failed may be tried again

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
