"""What the dispatcher does with the shared store on every request.

- **conversations**: where a dialog's state lives during one webhook — the framework's signed
  session (``TWHOOKS_CONVERSATIONS = "cookie"``, 0.1's way) or the store (``"store"``), where
  the handlers of one conversation run one at a time across every worker and host;
- **the block list**: a blocked caller is rejected (``<Reject/>``), a blocked sender's message
  gets an empty reply, and no handler runs;
- **opt-out keywords**: STOP and the like are recognised before any other message handler,
  recorded in ``hooks.opt_outs`` and end the person's conversation;
- **callbacks**: every message status callback is recorded in ``hooks.deliveries`` (and its
  event learns whether it moved the message forward), every call callback in ``hooks.calls``;
- **the webhook history**: one record per request, accepted or refused.

The store itself and its facades live in :mod:`twhooks.store`. This module knows nothing of
any web framework.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Literal

from .conversation import Conversation
from .exceptions import HandlerError
from .kinds import Kind
from .replies import EMPTY_TWIML, Reply
from .store.conversations import Conversations, ConversationSession
from .store.keys import classify_opt_keyword
from .store.records import HistoryRecord
from .store.settings import StoreFacades

__all__ = ["REJECT_TWIML", "ConversationSlot", "SharedState"]

logger = logging.getLogger("twhooks.dispatch")

#: The answer to a blocked caller: the call is refused, and not billed.
REJECT_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response><Reject/></Response>'

ConversationMode = Literal["store", "cookie"]


class ConversationSlot:
    """The conversation of one webhook, and how to keep it once the handler returned."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def release(self) -> None:
        """Give back what holding the conversation took (nothing, in the session)."""

    def save(self) -> None:
        """Keep what the handler changed."""
        try:
            self.conversation.save_if_changed()
        except RuntimeError as error:
            # Flask's NullSession, for one, refuses writes when the app has no secret key.
            raise HandlerError(
                f"conversation state cannot be saved in the session: {error} "
                "(in Flask, set SECRET_KEY; or keep conversations in the store)"
            ) from error


class _StoredSlot(ConversationSlot):
    """A conversation in the store, locked and loaded when the handler first touches it.

    Most webhooks never look at their conversation (a catch-all reply, a status callback):
    those take no lock and read nothing. The first read or change of
    :attr:`conversation` — by the handler, by state routing, by an opt-out ending it —
    takes the conversation's lock (waiting for another worker's handler of the same
    conversation, see :meth:`Conversations.lock`) and loads it; the lock is held until the
    webhook is answered (:meth:`release`), so handlers that use the conversation still run
    one at a time and never lose each other's changes.
    """

    def __init__(
        self,
        conversations: Conversations,
        params: Mapping[str, str],
        wait: float | None = None,
    ) -> None:
        self._conversations = conversations
        self._params = params
        self._wait = wait
        self._lock: AbstractContextManager[None] | None = None
        self._session: ConversationSession | None = None
        super().__init__(Conversation(_LockOnFirstUse(self)))

    def acquire(self) -> ConversationSession:
        """Lock and load the conversation (once).

        :raises LockTimeout: another worker held it for the whole wait.
        """
        if self._session is None:
            key = Conversations.key_for(self._params)
            assert key is not None  # open_conversation checked the parameters
            lock = self._conversations.lock(key, wait=self._wait)
            lock.__enter__()
            self._lock = lock
            session = ConversationSession(key, self._conversations.load(key))
            # The handler's conversation reads and writes the session's saved state.
            session.conversation = self.conversation
            self._session = session
        return self._session

    def save(self) -> None:
        if self._session is None and not self.conversation.needs_saving:
            return  # never touched: nothing to lock, nothing to write
        self._conversations.keep(self.acquire())

    def release(self) -> None:
        """Give the lock back, if it was taken."""
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.__exit__(None, None, None)


class _LockOnFirstUse(MutableMapping[str, Any]):
    """The mapping a lazily locked :class:`Conversation` reads from: the first access locks
    and loads the stored conversation (:meth:`_StoredSlot.acquire`)."""

    __slots__ = ("_slot",)

    def __init__(self, slot: _StoredSlot) -> None:
        # Weak: the slot holds its conversation, which reads through this mapping. A strong
        # reference back would make every webhook's slot, conversation and parameters a
        # reference cycle, freed only by the garbage collector (which then cost the request
        # path more than the conversation did).
        self._slot = weakref.ref(slot)

    def _saved(self) -> dict[str, Any]:
        slot = self._slot()
        if slot is None:
            raise HandlerError(
                "this conversation belongs to a webhook that was answered already: use "
                "msg.conversation while handling the webhook"
            )
        return slot.acquire()._saved

    def __getitem__(self, key: str) -> Any:
        return self._saved()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._saved()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._saved()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._saved())

    def __len__(self) -> int:
        return len(self._saved())


def _no_reply(event: Any) -> None:
    """The handler of an opt-out or opt-in nobody registered: an empty answer (Twilio sends
    its own confirmation)."""
    return None


class SharedState:
    """The shared store's part in the request path.

    :param facades: the store and its facades; ``None`` keeps no shared state (then
        conversations can only live in the session).
    :param conversations: where conversation state lives: ``"store"`` or ``"cookie"``.
    """

    def __init__(self, facades: StoreFacades | None, conversations: ConversationMode) -> None:
        if conversations == "store" and facades is None:
            conversations = "cookie"
        self.facades = facades
        self.mode = conversations

    # -- conversations ---------------------------------------------------------------------

    @contextmanager
    def conversation(
        self,
        kind: Kind,
        params: Mapping[str, str],
        session: MutableMapping[str, Any] | None,
        *,
        wait: float | None = None,
    ) -> Iterator[ConversationSlot | None]:
        """The conversation of a message or call webhook (``None`` for callbacks), held for
        the whole of its handling: in the store, under the conversation's lock, taken now
        (:meth:`open_conversation`, released on leaving).
        """
        slot = self.open_conversation(kind, params, session, wait=wait)
        try:
            yield slot
        finally:
            if slot is not None:
                slot.release()

    def open_conversation(
        self,
        kind: Kind,
        params: Mapping[str, str],
        session: MutableMapping[str, Any] | None,
        *,
        lazy: bool = False,
        wait: float | None = None,
    ) -> ConversationSlot | None:
        """The conversation of a message or call webhook (``None`` for callbacks); the caller
        must :meth:`~ConversationSlot.release` it once the webhook is answered.

        :param lazy: take the lock (and load the conversation) only when it is first used,
            not now. The lock may then be taken from inside the handler — right for a
            handler running in a thread, never for a coroutine on an event loop.
        :param wait: how long to wait for the lock (:attr:`Conversations.lock_wait` by
            default); ``0`` tries once (an event loop waits between tries itself, holding
            no thread).
        :raises LockTimeout: another worker held the conversation for the whole wait (now;
            with *lazy*, on first use).
        """
        if kind.routing not in ("message", "step"):
            return None
        if (
            self.mode != "store"
            or self.facades is None
            # Keyed by CallSid, or by the From/To pair (see Conversations.key_for).
            or not (params.get("CallSid") or (params.get("From") and params.get("To")))
        ):
            return ConversationSlot(Conversation(session if session is not None else {}))
        slot = _StoredSlot(self.facades.conversations, params, wait)
        if not lazy:
            slot.acquire()
        return slot

    # -- block list and keywords -----------------------------------------------------------

    def blocked(self, kind: Kind, step: str | None, params: Mapping[str, str]) -> Reply | None:
        """The answer to a blocked sender or caller, or ``None``."""
        if self.facades is None or kind.routing == "value" or step is not None:
            return None
        number = params.get("From")
        if not number or not self.facades.blocklist.contains(number):
            return None
        logger.info("%s from a blocked number: no handler runs", kind.name)
        return Reply.twiml(REJECT_TWIML if kind.routing == "step" else EMPTY_TWIML)

    def keyword(
        self,
        params: Mapping[str, str],
        handlers: Mapping[str, Callable[..., Any]],
        conversation: Conversation | None,
    ) -> tuple[Callable[..., Any], str] | None:
        """The handler of an opt-out, opt-in or help message, with why; ``None`` otherwise.

        An opt-out is recorded and ends the conversation, whether or not an
        ``@hooks.opt_out()`` handler is registered. An opt-in counts only from someone who
        opted out (or when Twilio says so with ``OptOutType=START``): ``YES`` is an ordinary
        answer in a dialog otherwise. Help goes to ``@hooks.help()`` when there is one.
        """
        opt_out_type = params.get("OptOutType")
        found = classify_opt_keyword(params.get("Body"), opt_out_type)
        if found is None:
            return None
        number = params.get("From")
        sender = params.get("MessagingServiceSid") or params.get("To")
        opt_outs = self.facades.opt_outs if self.facades is not None else None
        if found == "help":
            handler = handlers.get("help")
            return (handler, "help keyword") if handler is not None else None
        if found == "opt_in":
            if opt_out_type is None and not (
                opt_outs is not None and number and opt_outs.is_opted_out(number, sender)
            ):
                return None
            if opt_outs is not None and number:
                opt_outs.opt_in(number, sender)
        elif opt_outs is not None and number:
            opt_outs.opt_out(number, sender, source="keyword")
        if conversation is not None:
            conversation.end()
        return handlers.get(found, _no_reply), found.replace("_", "-") + " keyword"

    # -- callbacks -------------------------------------------------------------------------

    def record_callback(self, kind: Kind, params: Mapping[str, str]) -> dict[str, Any]:
        """Record a status callback; what its event learns from that (``previous``…)."""
        if self.facades is None:
            return {}
        if kind.name == "message_status":
            update = self.facades.deliveries.record_callback(params)
            if update is not None:
                return {"previous": update.previous, "advanced": update.advanced}
        else:
            self.facades.calls.record(kind.name, params)
        return {}

    # -- history ---------------------------------------------------------------------------

    @property
    def keeps_history(self) -> bool:
        """Whether requests are recorded (a store is configured, ``TWHOOKS_HISTORY`` on)."""
        return self.facades is not None and self.facades.history is not None

    def record_history(self, record: HistoryRecord) -> None:
        """Add *record* to the webhook history (when it is kept); never fails the request."""
        history = self.facades.history if self.facades is not None else None
        if history is None:
            return
        try:
            history.queue(record)
        except Exception:
            logger.exception("the webhook history could not be written")
