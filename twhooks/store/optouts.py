"""Opt-outs (STOP, START, error 21610) and the block list."""

from __future__ import annotations

import time
from collections.abc import Mapping

from .base import Store
from .keys import OptKeyword, classify_opt_keyword, normalize_address
from .records import OptOut

__all__ = ["Blocklist", "OptOuts"]


class OptOuts:
    """Who asked not to get messages: ``hooks.opt_outs``.

    An opt-out is from one sender (your number, or a Messaging Service SID when the message
    came through one) or, with ``sender=None``, from all. They are kept until the person opts
    back in: forgetting one would message someone who said STOP.

    :param store: where they are kept.
    :param ttl: forget an opt-out after this many seconds (``TWHOOKS_OPT_OUT_TTL``;
        ``None``, the default: never).
    """

    def __init__(self, store: Store, *, ttl: float | None = None) -> None:
        self.store = store
        self.ttl = ttl

    def is_opted_out(self, number: str, sender: str | None = None) -> bool:
        """Whether *number* opted out of *sender* (or of everything); with ``sender=None``,
        whether it opted out of anything."""
        found = self.store.opt_outs_of(normalize_address(number))
        if sender is None:
            return bool(found)
        sender = normalize_address(sender)
        return any(o.sender in (sender, "") for o in found)

    def opt_out(self, number: str, sender: str | None = None, *, source: str = "app") -> None:
        """Record that *number* opted out of *sender* (``None``: of all senders)."""
        opt_out = OptOut(
            normalize_address(number), normalize_address(sender or ""), time.time(), source
        )
        self.store.set_opt_out(opt_out, self.ttl)

    def opt_in(self, number: str, sender: str | None = None) -> None:
        """Record that *number* opted back in to *sender* (its opt-out of all senders ends too);
        with ``sender=None``, to everything."""
        self.store.clear_opt_out(
            normalize_address(number), None if sender is None else normalize_address(sender)
        )

    def get(self, number: str) -> list[OptOut]:
        """Every opt-out of *number*."""
        return self.store.opt_outs_of(normalize_address(number))

    def recent(self, limit: int = 50) -> list[OptOut]:
        """The most recent opt-outs first."""
        return self.store.recent_opt_outs(limit)

    def handle_message(self, params: Mapping[str, str]) -> OptKeyword | None:
        """Recognise an incoming message's opt-out, opt-in or help keyword and record it.

        The sender is the ``MessagingServiceSid`` when there is one, else ``To``.

        :returns: what the message is (``None``: none of them); the dispatcher then runs the
            matching ``@hooks.opt_out()`` / ``opt_in()`` / ``help()`` handler and ends the
            person's conversation on an opt-out.
        """
        found = classify_opt_keyword(params.get("Body"), params.get("OptOutType"))
        number = params.get("From")
        if found is None or not number:
            return found
        sender = params.get("MessagingServiceSid") or params.get("To")
        if found == "opt_out":
            self.opt_out(number, sender, source="keyword")
        elif found == "opt_in":
            self.opt_in(number, sender)
        return found


class Blocklist:
    """Numbers whose calls are rejected and whose messages get an empty reply:
    ``hooks.blocklist``.

    :param store: where it is kept.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, number: str, *, ttl: float | None = None) -> None:
        """Block *number* (for *ttl* seconds; ``None``: until removed)."""
        self.store.block(normalize_address(number), time.time(), ttl)

    def remove(self, number: str) -> None:
        """Unblock *number*."""
        self.store.unblock(normalize_address(number))

    def contains(self, number: str) -> bool:
        """Whether *number* is blocked."""
        return self.store.is_blocked(normalize_address(number))

    def __contains__(self, number: object) -> bool:
        return isinstance(number, str) and self.contains(number)
