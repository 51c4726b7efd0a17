"""Deprecated: moved to :mod:`twhooks.store.replays`; ``StoredReply`` is now
:class:`twhooks.replies.Reply`.

Kept for one release so that old imports keep working; importing it warns.
"""

from __future__ import annotations

import warnings

from .replies import Reply
from .store.replays import MemoryReplayStore, ReplayStore

__all__ = ["MemoryReplayStore", "ReplayStore", "StoredReply"]

warnings.warn(
    "twhooks.idempotency is deprecated: import ReplayStore and MemoryReplayStore from "
    "twhooks.store.replays, and use twhooks.replies.Reply instead of StoredReply",
    DeprecationWarning,
    stacklevel=2,
)

#: Deprecated alias of :class:`twhooks.replies.Reply` (a stored reply's ``native`` is ``None``).
StoredReply = Reply
