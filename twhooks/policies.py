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
- **the webhook history**: one record per request, accepted or refused (built here:
  :func:`refused_record`, :func:`handled_record`).

The store itself and its facades live in :mod:`twhooks.store`. This module knows nothing of
any web framework.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Literal

from .conversation import Conversation, CookieBacking
from .events import Params
from .exceptions import RequestError, SignatureError
from .kinds import Kind
from .replies import EMPTY_TWIML, Reply
from .request import WebhookRequest, redact_secrets
from .store.conversations import StoreBacking
from .store.keys import classify_opt_keyword
from .store.locks import StoreLock
from .store.records import HistoryRecord
from .store.settings import StoreFacades

if TYPE_CHECKING:
    from .dispatch.received import Received

__all__ = ["REJECT_TWIML", "Policies"]

logger = logging.getLogger("twhooks.dispatch")

#: The answer to a blocked caller: the call is refused, and not billed.
REJECT_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response><Reject/></Response>'

ConversationMode = Literal["store", "cookie"]


def _no_reply(event: Any) -> None:
    """The handler of an opt-out or opt-in nobody registered: an empty answer (Twilio sends
    its own confirmation)."""
    return None


class Policies:
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

    def conversation(
        self,
        kind: Kind,
        params: Mapping[str, str],
        session: MutableMapping[str, Any] | None,
    ) -> Conversation | None:
        """The conversation of a message or call webhook (``None`` for callbacks), not yet
        read: in the framework's *session*, or in the store (a :class:`StoreBacking`, locked
        on first use or by the dispatcher before the handler). Once the webhook is answered
        its backing must be released (:meth:`Backing.release
        <twhooks.conversation.Backing.release>`).
        """
        if kind.routing not in ("message", "step"):
            return None
        if (
            self.mode == "store"
            and self.facades is not None
            # Keyed by CallSid, or by the From/To pair (see Conversations.key_for), worked
            # out when the conversation is first used: most webhooks never use it.
            and (params.get("CallSid") or (params.get("From") and params.get("To")))
        ):
            backing = StoreBacking(self.facades.conversations, params=params)
            return Conversation(backing)
        return Conversation(CookieBacking(session if session is not None else {}))

    # -- the callbacks of one message or call, one at a time ---------------------------------

    def callback_lock(self, kind: Kind, params: Mapping[str, str]) -> StoreLock | None:
        """The lock under which the status callbacks of one message (``MessageSid``) or one
        call (``CallSid``) are recorded and handled, one at a time across every worker and
        host: their handlers then run in the order the store recorded their statuses (and a
        late status, not moving its message forward, runs none). ``None`` without a store,
        or for a callback of no message or call."""
        if self.facades is None:
            return None
        sid = _callback_sid(kind.name, params)
        if not sid:
            return None
        return self.facades.conversations.lock_of(sid, namespace="sid")

    def lock_key(self, kind: str | None, params: Mapping[str, str]) -> str:
        """What the lock of a webhook of *kind* is named by: the message or call of a
        callback, else the conversation (for log lines)."""
        sid = _callback_sid(kind, params) if kind not in ("message", "call") else None
        if sid:
            return sid
        key = self.facades.conversations.key_for(params) if self.facades is not None else None
        return key or "?"

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

    def preview_callback(self, kind: Kind, params: Mapping[str, str]) -> dict[str, Any]:
        """What recording a status callback would teach its event (``previous``…), writing
        nothing: the callback is recorded (:meth:`record_callback`) once its handler
        succeeded. Called under the callback's lock (:meth:`callback_lock`)."""
        if self.facades is None or kind.name != "message_status":
            return {}
        update = self.facades.deliveries.preview(params)
        if update is None:
            return {}
        return {"previous": update.previous, "advanced": update.advanced}

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


def _callback_sid(kind: str | None, params: Mapping[str, str]) -> str | None:
    return params.get("MessageSid") if kind == "message_status" else params.get("CallSid")


def refused_record(
    error: SignatureError | RequestError,
    reply: Reply,
    method: str,
    request: WebhookRequest | None,
    *,
    url: str,
    kind: str | None,
    started: float | None,
    at: float | None,
) -> HistoryRecord:
    """The history record of a request refused for *error* with *reply*."""
    if isinstance(error, SignatureError):
        verdict = error.code
        reason = f"{error.reason}; URL checked: {error.url}; tried: {', '.join(error.tried)}"
    else:
        verdict, reason = "bad_request", error.reason
    secrets = request.secrets if request is not None else ()
    return HistoryRecord(
        kind=kind,
        method=method,
        url=request.url if request is not None else url,
        params=Params(request.params).to_dict() if request is not None else {},
        verified=False,
        verdict=verdict,
        status=reply.status,
        reason=redact_secrets(reason, secrets),
        reply=reply.body.decode("utf-8", "replace"),
        duration=0.0 if started is None else time.perf_counter() - started,
        token=request.idempotency_token if request is not None else None,
        at=time.time() if at is None else at,
    )


def handled_record(received: Received, status: int, body: bytes, replay: bool) -> HistoryRecord:
    """The history record of a handled (or replayed) request."""
    return HistoryRecord(
        kind=received.kind,
        method=received.request.method,
        url=received.verified.url,
        params=received.params.to_dict(),
        verified=received.verdict == "valid",
        verdict=received.verdict,
        status=status,
        handler=received.handler,
        why=received.why,
        reply=body.decode("utf-8", "replace"),
        duration=time.perf_counter() - received.started,
        token=received.token,
        replay=replay,
        at=received.at,
    )
