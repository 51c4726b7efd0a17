"""Conversations kept server-side: one at a time per person, with an optimistic version check.

Two messages of one person can reach two workers at once. :meth:`Conversations.session`
therefore holds a short lease lock on the conversation (a claim of ``conv-lock:<key>`` in the
store, renewed while held (:mod:`twhooks.store.renewal`), released in ``finally``, waited for
with a bounded backoff) while the handler runs, and saves with the version it read, so that
even a handler that outlived its lease (a store that stalled) cannot overwrite a newer state
unnoticed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..conversation import Conversation
from ..exceptions import ConfigurationError, HandlerError
from .base import Store
from .errors import StoreError
from .keys import call_conversation_key, conversation_key
from .locks import StoreLock
from .records import ConversationRecord

__all__ = ["ConversationSession", "Conversations", "StoreBacking"]

logger = logging.getLogger("twhooks.store")

#: Default of ``TWHOOKS_CONVERSATION_TTL``: Twilio keeps its cookies four hours at most.
DEFAULT_CONVERSATION_TTL = 4 * 3600.0
#: How long a conversation lock lasts if its holder dies (renewed while it lives), as long as a
#: request's claim (``TWHOOKS_REPLAY_LEASE``).
DEFAULT_LOCK_LEASE = 5.0
#: How long a second message of the same conversation waits for the first one's handler.
DEFAULT_LOCK_WAIT = 15.0


class StoreBacking:
    """A conversation kept in the store (:class:`~twhooks.conversation.Backing`), held under
    its lock from the moment it is first used until the webhook is answered.

    :param conversations: the app's conversations.
    :param key: the conversation's key; or
    :param params: the webhook's parameters, to work the key out from when it is first needed
        (:meth:`Conversations.key_for`; most webhooks never need it).
    :param wait: how long first use waits for another worker's lock
        (:attr:`Conversations.lock_wait` by default).

    The lock is taken by :meth:`acquire`: by the dispatcher before the handler runs (tried
    once, ``wait=0``, where an event loop waits between tries itself), or on first use —
    reading the state, or saving a conversation the handler ended unread. A conversation
    never used takes no lock and reads nothing. Saving writes only what changed, with the
    version read: a newer version saved meanwhile (the handler outlived its lock's lease)
    wins, and this one's changes are logged and dropped.
    """

    __slots__ = ("_conversations", "_key", "_lock", "_params", "_record", "_released", "wait")

    def __init__(
        self,
        conversations: Conversations,
        key: str | None = None,
        *,
        params: Mapping[str, str] | None = None,
        wait: float | None = None,
    ) -> None:
        self._conversations = conversations
        self._key = key
        self._params = params
        self.wait = wait
        self._lock: StoreLock | None = None
        self._record: ConversationRecord | None = None
        self._released = False

    @property
    def key(self) -> str:
        """The conversation's key."""
        if self._key is None:
            key = self._conversations.key_for(self._params or {})
            if key is None:
                raise HandlerError("a webhook without CallSid, From or To has no conversation")
            self._key = key
        return self._key

    @property
    def held(self) -> bool:
        """Whether the lock is held (and the conversation read)."""
        return self._lock is not None

    def acquire(self, wait: float | None = None) -> None:
        """Take the lock and read the conversation, once.

        :param wait: how long to wait for another worker's lock (default: :attr:`wait`).
        :raises LockTimeout: another worker held it for the whole wait.
        :raises HandlerError: the webhook was answered already.
        """
        if self._released:
            raise HandlerError(
                "this conversation belongs to a webhook that was answered already: use "
                "msg.conversation while handling the webhook"
            )
        if self._lock is None:
            lock = self._conversations.lock_of(self.key, wait=self.wait)
            lock.acquire(wait)
            self._lock = lock
            self._record = self._conversations.load(self.key)

    def load(self) -> tuple[str | None, dict[str, Any]]:
        self.acquire()
        record = self._record
        return (None, {}) if record is None else (record.state, dict(record.data))

    def save(self, state: str | None, data: dict[str, Any]) -> None:
        self.acquire()
        record = self._record
        if record is None:
            if state is None and not data:
                return  # nothing was stored, nothing is
        elif record.state == state and record.data == data:
            return  # unchanged
        version = 0 if record is None else record.version
        if self._conversations.save(self.key, state, data, version) is None:
            logger.warning(
                "conversation %s changed while its handler ran (the handler outlived its "
                "lock's %.0f s lease); this handler's changes were dropped",
                self.key,
                self._conversations.lock_lease,
            )

    def release(self) -> None:
        """Give the lock back, if it was taken; the conversation can no longer be used."""
        lock = self.detach()
        if lock is not None:
            lock.release()

    def detach(self) -> StoreLock | None:
        """End the conversation's use, handing its lock (if taken) to the caller to give
        back."""
        self._released = True
        lock, self._lock = self._lock, None
        return lock


class ConversationSession:
    """One locked conversation, as :meth:`Conversations.session` holds it: ``conversation``
    is the :class:`twhooks.Conversation` to read and change."""

    __slots__ = ("conversation", "key")

    def __init__(self, backing: StoreBacking) -> None:
        self.key = backing.key
        self.conversation = Conversation(backing)


class Conversations:
    """The conversations of an app: ``hooks.conversations``.

    :param store: where they are kept.
    :param ttl: how long a conversation is kept after its last change, in seconds
        (``TWHOOKS_CONVERSATION_TTL``).
    :param account_sid: the app's own account (``TWILIO_ACCOUNT_SID``): its conversations
        are keyed by the From/To pair alone, and :meth:`get` and :meth:`reset` assume it
        when not told.
    :param several_accounts: whether the app serves subaccounts (``TWHOOKS_ACCOUNT_TOKENS``
        is set). Only then does a key name the account, and only for an account other than
        *account_sid*: an app of one account finds a conversation by the pair alone,
        whatever ``AccountSid`` its webhooks carry.
    :param lock_lease: how long a lock outlives a worker that died holding it, in seconds
        (renewed every quarter of it while held).
    :param lock_wait: how long :meth:`session` waits for another worker's lock, in seconds.
    """

    def __init__(
        self,
        store: Store,
        *,
        ttl: float = DEFAULT_CONVERSATION_TTL,
        account_sid: str | None = None,
        several_accounts: bool = False,
        lock_lease: float = DEFAULT_LOCK_LEASE,
        lock_wait: float = DEFAULT_LOCK_WAIT,
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.account_sid = account_sid
        self.several_accounts = several_accounts
        self.lock_lease = lock_lease
        self.lock_wait = lock_wait

    # -- keys ------------------------------------------------------------------------------

    def key(self, from_: str, to: str, *, account_sid: str | None = None) -> str:
        """The key of the message conversation of *from_* (the person) with *to* (your number).

        :param account_sid: the account, in an app that serves several (default: the app's
            own, ``TWILIO_ACCOUNT_SID``); an app of one account needs none.
        :raises ~twhooks.ConfigurationError: the app serves several accounts, names none of
            them its own, and *account_sid* is not given.
        """
        if account_sid is None and self.several_accounts and self.account_sid is None:
            raise ConfigurationError(
                "this app serves several accounts (TWHOOKS_ACCOUNT_TOKENS): pass "
                "account_sid= to find a conversation, or set TWILIO_ACCOUNT_SID to the "
                "account to assume"
            )
        return conversation_key(from_, to, self._account_part(account_sid))

    @staticmethod
    def call_key(call_sid: str) -> str:
        """The key of the conversation of one call."""
        return call_conversation_key(call_sid)

    def key_for(self, params: Mapping[str, str]) -> str | None:
        """The key of the webhook with *params*: its call's if it has a ``CallSid``, else its
        message pair's; ``None`` when it has neither."""
        call_sid = params.get("CallSid")
        if call_sid:
            return call_conversation_key(call_sid)
        from_, to = params.get("From"), params.get("To")
        if from_ and to:
            return conversation_key(from_, to, self._account_part(params.get("AccountSid")))
        return None

    def _account_part(self, account_sid: str | None) -> str | None:
        """The account a key names: only another than the app's own, in an app of several."""
        if not self.several_accounts or account_sid == self.account_sid:
            return None
        return account_sid

    # -- reading and resetting -------------------------------------------------------------

    def get(
        self, from_: str, to: str, *, account_sid: str | None = None
    ) -> ConversationRecord | None:
        """The stored conversation of *from_* (the person) with *to* (your number), if any."""
        return self.store.load_conversation(self.key(from_, to, account_sid=account_sid))

    def reset(self, from_: str, to: str, *, account_sid: str | None = None) -> None:
        """Forget the conversation of *from_* with *to* (its next message starts afresh)."""
        self.store.delete_conversation(self.key(from_, to, account_sid=account_sid))

    def load(self, key: str) -> ConversationRecord | None:
        """The stored conversation under *key*, if any."""
        return self.store.load_conversation(key)

    def save(
        self, key: str, state: str | None, data: Mapping[str, Any], version: int
    ) -> int | None:
        """Save if still at *version*; an empty conversation is deleted.

        :returns: the new version (``0`` once deleted), or ``None`` if someone saved it since.
        """
        if state is None and not data:
            self.store.delete_conversation(key)
            return 0
        try:
            json.dumps(data)
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"conversation {key!r}: its data must be JSON values (str, int, float, bool, "
                f"None, lists and dicts of them): {exc}"
            ) from exc
        return self.store.save_conversation(key, state, data, version, self.ttl)

    # -- one at a time ---------------------------------------------------------------------

    def lock_of(self, key: str, *, wait: float | None = None, namespace: str = "conv") -> StoreLock:
        """The lock of the conversation under *key* (or, with another *namespace*, of what
        else holds one while handled: ``"sid"``, a message's or call's callbacks), not taken
        yet (see :class:`StoreLock`), with this facade's lease and wait."""
        wait = self.lock_wait if wait is None else wait
        return StoreLock(self.store, key, lease=self.lock_lease, wait=wait, namespace=namespace)

    @contextmanager
    def lock(self, key: str, *, wait: float | None = None) -> Iterator[None]:
        """Hold the conversation's lock: handlers of one conversation run one at a time.

        :raises ~twhooks.store.LockTimeout: when another worker holds it for all of *wait*
            seconds (default :attr:`lock_wait`).
        """
        lock = self.lock_of(key, wait=wait)
        lock.acquire()
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def session(self, key: str, *, wait: float | None = None) -> Iterator[ConversationSession]:
        """Lock, load, and on a clean exit save the conversation under *key*.

        ::

            with hooks.conversations.session(key) as session:
                event.conversation = session.conversation
                reply = handler(event)

        Nothing is saved if the block raises. A save that finds a newer version (the handler
        outlived its lock's lease) is logged and dropped, never written over the newer one.
        """
        backing = StoreBacking(self, key, wait=wait)
        backing.acquire()
        try:
            session = ConversationSession(backing)
            yield session
            session.conversation.save_if_changed()
        finally:
            backing.release()
