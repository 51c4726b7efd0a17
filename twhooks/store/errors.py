"""The errors of the store, in twhooks' one exception tree.

::

    TwhooksError
    └── StoreError                      the store cannot do what was asked
        ├── StoreUnavailable            the backend failed (server down, disk full, locked)
        └── LockTimeout                 a conversation lock stayed taken for the whole wait
"""

from __future__ import annotations

from ..exceptions import TwhooksError

__all__ = ["LockTimeout", "StoreError", "StoreUnavailable"]


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
