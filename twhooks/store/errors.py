"""The errors of the store, in twhooks' one exception tree.

::

    TwhooksError
    └── StoreError                      the store cannot do what was asked
        ├── StoreUnavailable            the backend failed (server down, disk full, locked)
        └── LockTimeout                 a conversation lock stayed taken for the whole wait
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from ..exceptions import TwhooksError
from ..observability import store as watched

__all__ = ["LockTimeout", "StoreError", "StoreUnavailable", "guard"]

P = ParamSpec("P")
R = TypeVar("R")


class StoreError(TwhooksError):
    """The store cannot do what was asked.

    :param reason: a short sentence saying what was wrong, safe to log (never a password).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoreUnavailable(StoreError):
    """The backend failed: its server is down or refused, the file is locked or unwritable.

    The backend's own exception is chained as ``__cause__``.
    """


class LockTimeout(StoreError):
    """A conversation's lock was still held by another worker when the wait ran out.

    :param key: the conversation key.
    :param waited: how long the caller waited, in seconds.
    """

    def __init__(self, key: str, waited: float) -> None:
        super().__init__(f"conversation {key!r} stayed locked for {waited:.1f} s")
        self.key = key
        self.waited = waited


def guard(
    failure: Callable[[Any, Exception], str | None],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The ``guarded`` decorator of a backend: a call of the method that raises an error
    *failure* names (``failure(first argument, error)`` returns the reason, safe to log;
    ``None`` for an error that is not the backend's) raises :class:`StoreUnavailable` with
    that reason instead, the backend's error chained. Each call is reported to
    :mod:`twhooks.observability.store`, under the method's name, when traces or metrics are
    on (else that costs one test of ``None``).
    """

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        name = method.__name__

        @functools.wraps(method)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            if watched.probe is not None:  # traces or metrics on (observability.store)
                return watched.call(name, lambda: bare(*args, **kwargs), StoreUnavailable)
            return bare(*args, **kwargs)

        def bare(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except Exception as exc:
                reason = failure(args[0] if args else None, exc)
                if reason is None:
                    raise
                raise StoreUnavailable(reason) from exc

        return guarded

    return decorate


def first_line(error: BaseException) -> str:
    """The first line of *error*'s message (a backend's may span several)."""
    detail = str(error).strip().splitlines()
    return detail[0] if detail else ""
