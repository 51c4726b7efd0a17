"""What the store reports of its own calls, process-wide: each call as a span (when tracing
is on), each failure of the backend, each wait for a conversation's lock.

The store's error guards (``guarded`` in :mod:`twhooks.store.sql_connections` and
:mod:`twhooks.store.redis_client`) call :func:`call` around each call, and
:class:`~twhooks.store.locks.StoreLock` reports how long it waited with :func:`waited`.
Nothing is done but a test of ``None`` until an app turns tracing or metrics on
(:func:`watch`); then every app of the process reports (the store knows no app).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

__all__ = ["StoreWatcher", "call", "probe", "waited", "watch"]

R = TypeVar("R")


class StoreWatcher(Protocol):
    """An observer of the store's calls."""

    def store_call(self, operation: str, function: Callable[[], R]) -> R:
        """Call *function* (the store's *operation*), observing it."""
        ...

    def store_error(self, operation: str) -> None:
        """The backend failed in *operation*."""

    def lock_wait(self, seconds: float) -> None:
        """A conversation's lock was waited for, *seconds* long."""


#: The watchers of this process (none by default).
_watchers: list[StoreWatcher] = []
#: The one that wraps calls, or ``None``: the only test made on each store call.
probe: Callable[[str, Callable[[], Any]], Any] | None = None


def watch(watcher: StoreWatcher) -> None:
    """Add *watcher* (once) to the store's watchers."""
    global probe
    if watcher not in _watchers:
        _watchers.append(watcher)
    probe = _call if _watchers else None


def unwatch(watcher: StoreWatcher) -> None:
    """Remove *watcher* (for the tests)."""
    global probe
    if watcher in _watchers:
        _watchers.remove(watcher)
    probe = _call if _watchers else None


def _call(operation: str, function: Callable[[], R]) -> R:
    for watcher in reversed(_watchers):
        function = _wrapped(watcher, operation, function)
    return function()


def _wrapped(watcher: StoreWatcher, operation: str, function: Callable[[], R]) -> Callable[[], R]:
    return lambda: watcher.store_call(operation, function)


def call(operation: str, function: Callable[[], R], failed: type[BaseException]) -> R:
    """Call *function* (the store's *operation*) under the watchers; *failed* (the store's
    ``StoreUnavailable``) raised by it is counted. Called only when :data:`probe` is set."""
    try:
        return _call(operation, function)
    except failed:
        for watcher in _watchers:
            watcher.store_error(operation)
        raise


def waited(seconds: float) -> None:
    """A conversation's lock was waited for *seconds*."""
    for watcher in _watchers:
        watcher.lock_wait(seconds)
