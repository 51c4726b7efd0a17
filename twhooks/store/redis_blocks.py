"""The block list of the Redis store, under :class:`~twhooks.store.redis.RedisStore`: checked
on every inbound webhook, at no round trip while it has not changed.

The list is one hash (``<prefix>blocks``: number → ``"<at>|<expires ms or empty>"``) and a
version stamp (``<prefix>block-version``), which every change sets to a new random value in the
same script. Each process keeps a copy of the whole list (:class:`BlockCache`), loaded with
the stamp in one round trip. The claim script of every webhook returns the current stamp with
the claim (:meth:`RedisStore.claim <twhooks.store.redis.RedisStore.claim>`), so the check
after it costs nothing while the stamp is the copy's; a changed stamp reloads the copy. A
check with no claim before it (a request without an idempotency token) trusts the copy for at
most :data:`STALE_AFTER` seconds since the stamp was last read, then reads it again.

So a block made by another worker or host is seen by the next webhook that is claimed, and
by any check at most :data:`STALE_AFTER` (1 s) later; this process's own changes at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from .redis_client import text

__all__ = ["STALE_AFTER", "BlockCache", "block_value", "new_version"]

#: How long a copy is trusted without reading the version stamp again, in seconds.
STALE_AFTER = 1.0


def new_version() -> str:
    """A new version stamp: random, so that a list deleted and made again never reuses one."""
    return uuid.uuid4().hex


def block_value(at: float, expires_at: float | None) -> str:
    """The hash's value for a block made at *at* (epoch seconds) until *expires_at*."""
    return f"{at!r}|{'' if expires_at is None else int(expires_at * 1000)}"


class BlockCache:
    """One process's copy of the block list, and the last version stamp read from Redis."""

    __slots__ = ("_entries", "_loaded", "_seen", "_seen_at")

    def __init__(self) -> None:
        #: number → expiry (epoch ms), or None for a block with no end.
        self._entries: dict[str, int | None] = {}
        self._loaded: str | None = None  # the stamp of the copy; None: no copy
        self._seen: str | None = None  # the last stamp read
        self._seen_at = -STALE_AFTER  # when, in time.monotonic()

    def saw(self, version: Any) -> None:
        """The stamp, as read now (with a claim)."""
        self._seen = text(version) if version is not None else ""
        self._seen_at = time.monotonic()

    def fresh(self) -> bool:
        """Whether the copy can answer: its stamp is the last one read, read recently."""
        return (
            self._loaded is not None
            and self._loaded == self._seen
            and time.monotonic() - self._seen_at <= STALE_AFTER
        )

    def load(self, version: Any, entries: Mapping[Any, Any]) -> None:
        """Replace the copy by the hash's *entries*, read with *version*."""
        copy: dict[str, int | None] = {}
        for number, value in entries.items():
            expires = text(value).partition("|")[2]
            copy[text(number)] = int(expires) if expires else None
        self._entries = copy
        self.saw(version)
        self._loaded = self._seen

    def forget(self) -> None:
        """Drop the copy (after a change made here: the next check reloads it)."""
        self._loaded = None

    def contains(self, number: str) -> bool:
        """Whether the copy has *number* blocked now."""
        if number not in self._entries:
            return False
        expires = self._entries[number]
        return expires is None or expires > time.time() * 1000

    def expired(self) -> list[str]:
        """The numbers of the copy whose block has ended."""
        now = time.time() * 1000
        return [n for n, expires in self._entries.items() if expires is not None and expires <= now]
