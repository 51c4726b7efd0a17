"""Each test its own state: the stores of apps under test.

An app that sets ``TESTING = True`` and names no ``TWHOOKS_STORE`` gets a memory store instead
of the SQLite file in its instance folder. Under pytest (the twhooks plugin active, see
:mod:`twhooks.pytest_plugin`) every app that names no store gets one too, ``TESTING`` or not —
as pytest-django gives tests a database of their own — and the plugin empties those memory
stores before each test, so that no conversation, claim or history entry passes from one test
to the next, nor from one run to the next.

An app that names its store (``TWHOOKS_STORE``) keeps it: isolating that one is the test's own
business (a key prefix, a table prefix).
"""

from __future__ import annotations

import weakref

from .store.memory import MemoryStore

__all__ = ["activate", "active", "deactivate", "empty_all", "isolated_store"]

_active = False
_stores: weakref.WeakSet[MemoryStore] = weakref.WeakSet()


def activate() -> None:
    """Give every app opened from now on that names no store a memory store of its own
    (the pytest plugin calls it when pytest starts)."""
    global _active
    _active = True


def deactivate() -> None:
    """Undo :func:`activate` (for a test of the default store itself)."""
    global _active
    _active = False


def active() -> bool:
    """Whether :func:`activate` is in effect."""
    return _active


def isolated_store() -> MemoryStore:
    """A memory store for an app under test, emptied by :func:`empty_all`."""
    store = MemoryStore()
    _stores.add(store)
    return store


def empty_all() -> None:
    """Empty every store made by :func:`isolated_store` (before each test)."""
    for store in list(_stores):
        store.clear()
