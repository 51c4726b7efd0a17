"""The store's writes after a handler finished: tried again briefly, then logged — never the
request's failure.

A handler that returned has acted (sent a message, charged a card): its reply is the answer.
When the store goes down under it, what follows — saving its conversation, recording its
status callback, giving back its lock, ending the claim of its idempotency token — is tried
:data:`TRIES` times, pausing :data:`PAUSES` between tries (0.15 s in all, bounded well under a
second for the writes of a request), then logged once, as an ERROR naming what was not written
and why. Each of those writes may be sent again: the lock and the claim are given back only by
their owner, a conversation is saved only over the version it was read at, and a status
callback recorded twice is recorded once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from ..conversation import Conversation
from ..exceptions import HandlerError
from ..replies import Reply
from ..store.conversations import StoreBacking
from ..store.errors import StoreUnavailable
from ..store.locks import StoreLock
from ..store.replays import ReplayStore
from .received import Received
from .route import Begun, name_of

__all__ = [
    "PAUSES",
    "TRIES",
    "after_reply",
    "end_claim",
    "let_go",
    "save_after_reply",
    "settle_after_reply",
]

logger = logging.getLogger("twhooks.dispatch")

#: The pauses between the tries of one write, in seconds (one fewer than :data:`TRIES`).
PAUSES = (0.03, 0.12)
#: How many times a write after the handler is tried.
TRIES = len(PAUSES) + 1


def after_reply(write: Callable[[], Any], what: str, then: str) -> bool:
    """Call *write* until it is done, :data:`TRIES` times at most while the store is
    unavailable; on the last failure, log one ERROR: ``<what> could not be ...: <why>; <then>``.

    :param what: what could not be written, as the log line's subject and verb
        (``"conversation X could not be saved"``).
    :param then: what follows for the app and for Twilio.
    :returns: whether it was written.
    """
    for pause in (*PAUSES, None):
        try:
            write()
        except StoreUnavailable as error:
            if pause is None:
                reason = error.reason.rstrip(".")
                logger.error("%s (tried %d times): %s; %s", what, TRIES, reason, then)
                return False
            time.sleep(pause)
        else:
            return True
    raise AssertionError("unreachable")  # pragma: no cover


def save_after_reply(conversation: Conversation) -> None:
    """Save a stored *conversation* whose handler returned (tried again, then logged: the
    reply is sent all the same)."""
    after_reply(
        conversation.save_if_changed,
        f"conversation {_key_of(conversation)} could not be saved",
        "the reply is sent all the same, computed from a state that is not stored: "
        "the next webhook of this conversation sees it as it was before this one",
    )


def settle_after_reply(settle: Callable[[], object], begun: Begun) -> None:
    """Record the status callback whose handler returned (tried again, then logged)."""
    after_reply(
        settle,
        f"the {begun.kind.name} callback handled by {name_of(begun.handler)} could not be recorded",
        "the handler ran, but its status is not applied: a retry runs the handler again",
    )


def end_claim(
    replays: ReplayStore,
    claim: tuple[str, str, Any],
    kept: Reply | None,
    ttl: float,
    lease: float,
    received: Received,
) -> None:
    """End *received*'s *claim* keeping *kept* for *ttl* seconds (tried again, then logged:
    the claim then ends with its *lease*)."""
    after_reply(
        lambda: replays.finish(claim[0], claim[1], kept, ttl),
        f"the claim of {received.request.path} (idempotency token {received.token}) "
        "could not be ended",
        f"it ends with its {lease:g} s lease: the reply was sent, but a retry after that runs "
        "the handler again",
    )


def let_go(conversation: Conversation | None, lock: StoreBacking | StoreLock | None) -> None:
    """Give back what a webhook held: its conversation, its lock (when the store is down:
    tried again briefly, then logged; the lock ends with its lease)."""
    held: list[tuple[StoreLock, str]] = []
    if conversation is not None:
        backing = conversation.backing
        if not isinstance(backing, StoreBacking):
            backing.release()
        elif (taken := backing.detach()) is not None:
            held.append((taken, f"the lock of conversation {taken.key}"))
    if isinstance(lock, StoreLock):
        held.append((lock, f"the lock of the callbacks of {lock.key}"))
    for taken, what in held:
        if taken.held:
            after_reply(
                taken.release,
                f"{what} could not be given back",
                f"it ends with its {taken.lease:g} s lease",
            )


def _key_of(conversation: Conversation) -> str:
    """*conversation*'s key, for a log line."""
    try:
        return str(getattr(conversation.backing, "key", "?"))
    except HandlerError:
        return "?"
