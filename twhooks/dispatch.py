"""The dispatcher: a verified webhook request in, a reply out — the one request path.

Every adapter (the Flask extension, the Quart adapter, a plain WSGI app) runs a webhook
through the same steps, each in one place:

==============  ============================================  ===============================
step            what happens                                  where
==============  ============================================  ===============================
receive         verify the signature, or refuse (403/4xx)     :meth:`Dispatcher.receive`
claim           a retry gets the first reply, byte for byte   :meth:`Dispatcher.claim`
prepare         parse the event, pick the handler              :meth:`Dispatcher.prepare`
run             call the handler (sync, or awaited)           the adapter / :meth:`dispatch`
complete        save the conversation, render the reply        :meth:`Dispatcher.complete`
fail            ``@hooks.error`` handlers, else re-raise       :meth:`Dispatcher.failed`
finish          store the final reply for retries              :meth:`Dispatcher.finish`
==============  ============================================  ===============================

:meth:`Dispatcher.dispatch` chains them for a synchronous caller and
:meth:`Dispatcher.dispatch_async` for an asyncio one: the two share every step but the
handler call and the store's I/O. An adapter that must finish the claim later (Flask adds
the session cookie after the view returns) calls the steps itself.

A handler exception that no ``@hooks.error`` handler answers is **re-raised**, so that the
web framework's own error handling (error pages, ``got_request_exception``, error
reporters) sees it. This module knows nothing of any web framework.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import itertools
import logging
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple, ParamSpec, TypeVar

from .events import Event, Params
from .exceptions import RequestError, SignatureError
from .handlers import Handlers
from .kinds import RESERVED_STEPS, Kind
from .refusals import refuse
from .replies import EMPTY_TWIML, Reply, render_twiml
from .replies import Reply as StoredReply
from .request import VerifiedRequest, WebhookRequest, redact_secrets, verify_request
from .settings import Settings
from .shared import ConversationSlot, SharedState
from .store.errors import LockTimeout
from .store.polling import FIRST_DELAY, MAX_DELAY
from .store.records import HistoryRecord
from .store.replays import ReplayStore

__all__ = ["Dispatcher", "Prepared", "Received"]

logger = logging.getLogger("twhooks.dispatch")

_P = ParamSpec("_P")
_T = TypeVar("_T")

# Owners of claims: unique across hosts and processes (a random id, new in each forked
# child) and requests (a counter).
_PROCESS = uuid.uuid4().hex[:16]
_claims = itertools.count()


def _new_process_id() -> None:
    global _PROCESS
    _PROCESS = uuid.uuid4().hex[:16]


os.register_at_fork(after_in_child=_new_process_id)


@dataclass(slots=True)
class Received:
    """A verified request, ready to be handled."""

    request: WebhookRequest
    #: What was verified: the URL that matched, the parameters, the body.
    verified: VerifiedRequest
    params: Params
    #: The ``I-Twilio-Idempotency-Token``, if Twilio sent one.
    token: str | None
    #: The kind of webhook, when the adapter knows it already.
    kind: str | None = None
    #: ``(key, owner)`` while this request holds the claim of its token.
    claim: tuple[str, str] | None = None
    #: When it arrived: Unix time, and :func:`time.perf_counter` for its duration.
    at: float = 0.0
    started: float = 0.0
    #: ``"valid"``, or ``"skipped"`` with ``TWHOOKS_VALIDATE = False``.
    verdict: str = "valid"
    #: The handler chosen, and why (for the webhook history).
    handler: str | None = None
    why: str | None = None


@dataclass(slots=True)
class Prepared:
    """A handler about to run: what it gets, and how its result becomes the reply."""

    kind: Kind
    handler: Callable[..., Any]
    event: Event
    #: The conversation of a message or call, saved once the handler returned.
    slot: ConversationSlot | None


def _name(handler: Callable[..., Any]) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


def _describe(event: Event) -> str:
    """The SIDs of an event, for log lines (no phone numbers, no message text)."""
    parts = [type(event).__name__]
    for name in ("sid", "call_sid", "account_sid"):
        value = getattr(event, name, None)
        if value:
            parts.append(f"{name}={value}")
    return " ".join(parts)


class Dispatcher:
    """Runs webhook requests through the app's handlers.

    :param handlers: the registered handlers.
    :param settings: the app's checked settings.
    :param replays: where idempotency claims and replies live; ``None`` turns
        de-duplication off.
    :param native: response types of the web framework that a handler may return; they are
        passed through untouched (:attr:`Reply.native`).
    :param shared: what the shared store does on each request (conversations, deliveries,
        opt-outs, the block list, the history); none: conversations in the session only.
    :param lease: how long a claim holds before another worker may take it over
        (``TWHOOKS_REPLAY_LEASE`` by default): Twilio gives up on a request after 15 seconds
        and retries, so an older claim belongs to a request nobody waits for any more, or to
        a worker that crashed.
    :param reply_ttl: how long a reply is kept for the retries of its request
        (``TWHOOKS_REPLAY_TTL`` by default).
    """

    def __init__(
        self,
        handlers: Handlers,
        settings: Settings,
        *,
        replays: ReplayStore | None = None,
        native: tuple[type[Any], ...] = (),
        shared: SharedState | None = None,
        lease: float | None = None,
        reply_ttl: float | None = None,
    ) -> None:
        self.handlers = handlers
        self.settings = settings
        self.replays = replays
        self.native = native
        self.shared = shared if shared is not None else SharedState(None, "cookie")
        self.lease = settings.replay_lease if lease is None else lease
        self.reply_ttl = settings.replay_ttl if reply_ttl is None else reply_ttl

    # -- receive ----------------------------------------------------------------------------

    def receive(
        self,
        request: WebhookRequest,
        verified: VerifiedRequest | None = None,
        kind: str | None = None,
    ) -> Received | Reply:
        """Verify *request*, or the reply refusing it (logged once, and in the history).

        :param verified: the request was verified already (by the WSGI middleware).
        :param kind: the kind of webhook, if the adapter knows it (for the history).
        """
        received = self._received(request, verified, kind)
        if isinstance(received, _Refused):
            self.shared.record_history(received.record)
            return received.reply
        return received

    async def receive_async(
        self,
        request: WebhookRequest,
        verified: VerifiedRequest | None = None,
        kind: str | None = None,
    ) -> Received | Reply:
        """:meth:`receive` for asyncio: a refusal's history record is written in a worker
        thread when the store blocks (verifying is CPU work, done on the loop)."""
        received = self._received(request, verified, kind)
        if isinstance(received, _Refused):
            return await self._record_refusal_async(received)
        return received

    def _received(
        self, request: WebhookRequest, verified: VerifiedRequest | None, kind: str | None
    ) -> Received | _Refused:
        """:meth:`receive`, leaving a refusal's history record to the caller."""
        started, at = time.perf_counter(), time.time()
        verdict = "valid"
        if verified is None:
            verifier = self.settings.verifier
            if verifier is None:
                verified = VerifiedRequest(request.url, request.params, request.body)
                verdict = "skipped"
            else:
                try:
                    verified = verify_request(verifier, request)
                except (SignatureError, RequestError) as error:
                    return self._refusal(
                        error,
                        request.method,
                        request.path,
                        request,
                        kind=kind,
                        started=started,
                        at=at,
                    )
        return Received(
            request,
            verified,
            Params(verified.params),
            request.idempotency_token,
            kind,
            at=at,
            started=started,
            verdict=verdict,
        )

    def refuse(
        self,
        error: SignatureError | RequestError,
        method: str,
        path: str,
        request: WebhookRequest | None = None,
        *,
        url: str = "",
        kind: str | None = None,
        started: float | None = None,
        at: float | None = None,
    ) -> Reply:
        """The reply refusing a request for *error*, logged once and kept in the history.

        :param request: the request, when it could be read.
        :param url: its URL, when it could not.
        """
        refused = self._refusal(
            error, method, path, request, url=url, kind=kind, started=started, at=at
        )
        self.shared.record_history(refused.record)
        return refused.reply

    async def refuse_async(
        self,
        error: SignatureError | RequestError,
        method: str,
        path: str,
        request: WebhookRequest | None = None,
        *,
        url: str = "",
        kind: str | None = None,
        started: float | None = None,
        at: float | None = None,
    ) -> Reply:
        """:meth:`refuse` for asyncio: the history is written in a worker thread when the
        store blocks."""
        refused = self._refusal(
            error, method, path, request, url=url, kind=kind, started=started, at=at
        )
        return await self._record_refusal_async(refused)

    async def _record_refusal_async(self, refused: _Refused) -> Reply:
        await _hop(self._history_blocks(), self.shared.record_history, refused.record)
        return refused.reply

    def _history_blocks(self) -> bool:
        """Whether writing the webhook history may block (then: in a worker thread)."""
        facades = self.shared.facades
        return facades is not None and facades.history is not None and _blocks(facades.store)

    def _refusal(
        self,
        error: SignatureError | RequestError,
        method: str,
        path: str,
        request: WebhookRequest | None = None,
        *,
        url: str = "",
        kind: str | None = None,
        started: float | None = None,
        at: float | None = None,
    ) -> _Refused:
        """The reply refusing a request (logged once), and its history record."""
        reply = refuse(
            error,
            method=method,
            path=path,
            request=request,
            public_url=self.settings.public_url,
            logger=logger,
        )
        if isinstance(error, SignatureError):
            verdict = error.code
            reason = f"{error.reason}; URL checked: {error.url}; tried: {', '.join(error.tried)}"
        else:
            verdict, reason = "bad_request", error.reason
        secrets = request.secrets if request is not None else ()
        return _Refused(
            reply,
            HistoryRecord(
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
            ),
        )

    # -- claim ------------------------------------------------------------------------------

    def _claim_key(self, received: Received) -> str | None:
        if received.token is None or self.replays is None or not self.settings.deduplicate:
            return None
        if received.kind == "message_status" and self.shared.facades is not None:
            # Its delivery record de-duplicates it already: a repeated (MessageSid, status)
            # does not move the message forward, so its handler does not run again. A claim
            # would add two writes to the busiest route for nothing.
            return None
        request = received.request
        # The token with a digest of the signed request, so that another request under the
        # same token is never answered with this one's reply. A verified signature *is* such
        # a digest (an HMAC of the URL and the parameters, or of the URL with bodySHA256).
        signature = request.signature
        if signature and self.settings.verifier is not None:
            return f"{received.token}:{request.method}:{signature}"
        head = f"{request.method}\0{request.path}\0{request.query}\0"
        digest = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
        digest.update(received.verified.body)
        return f"{received.token}:{digest.hexdigest()[:32]}"

    def claim(self, received: Received) -> Reply | None:
        """Claim *received*'s idempotency token; the stored reply if it is a retry.

        A retry that finds the first request in flight waits for it (up to the lease).
        ``None`` means: go on and handle the request; then :meth:`finish` must be called.
        """
        key = self._claim_key(received)
        replays = self.replays
        if key is None or replays is None:
            return None
        owner = f"{_PROCESS}.{next(_claims)}"
        for _ in range(3):
            got = replays.claim(key, owner, self.lease)
            if got is True:
                received.claim = (key, owner)
                return None
            if got is False:
                got = replays.wait(key, self.lease) or False
            if isinstance(got, StoredReply):
                reply = self._replay(received, got)
                self.record(received, reply.status, reply.body, replay=True)
                return reply
            # The first request failed or its lease ran out: claim again.
        logger.warning(
            "retry of %s (idempotency token %s) could not claim it; running it anyway",
            received.request.path,
            received.token,
        )
        return None

    def _replay(self, received: Received, stored: StoredReply) -> Reply:
        logger.info(
            "retry of %s (idempotency token %s) answered with the first reply",
            received.request.path,
            received.token,
        )
        return Reply(stored.status, list(stored.headers), stored.body)

    def finish(self, received: Received, reply: StoredReply | None) -> None:
        """End *received*'s claim, keeping *reply* (the final bytes) for its retries.

        A failure (``None``, or a 5xx) is not kept: its retry runs the handler again.
        """
        claim, received.claim = received.claim, None
        if claim is None or self.replays is None:
            return
        if reply is not None and reply.status >= 500:
            reply = None
        self.replays.finish(claim[0], claim[1], reply, self.reply_ttl)

    # -- prepare, complete, fail ------------------------------------------------------------

    def prepare(
        self,
        received: Received,
        kind: Kind,
        step: str | None = None,
        slot: ConversationSlot | None = None,
    ) -> Prepared | Reply:
        """Parse the event and pick its handler; a reply when no handler is to run.

        :param step: the call step (``/voice/<step>``), for the ``call`` kind.
        :param slot: the conversation of a message or call (see
            :meth:`SharedState.conversation <twhooks.shared.SharedState.conversation>`).
        """
        params, token = received.params, received.token
        handlers = self.handlers
        shared = self.shared
        blocked = shared.blocked(kind, step, params)
        if blocked is not None:
            received.why = "blocked number"
            return blocked
        conversation = slot.conversation if slot is not None else None
        if kind.routing == "message":
            keyword = shared.keyword(params, handlers.keyword_handlers, conversation)
            match = None
            if keyword is not None:
                handler, received.why = keyword
            else:
                router = handlers.messages
                state = conversation.state if router.states and conversation else None
                found = router.match(params.get("Body", ""), state)
                if found is None:
                    self._no_message_handler(params, state)
                    received.why = "no handler matched"
                    return Reply.twiml(EMPTY_TWIML)
                route, match = found
                handler = route.handler
                received.why = route.why(state)
            event: Event = kind.event.from_params(
                params, idempotency_token=token, match=match, conversation=conversation
            )
            return self._prepared(received, kind, handler, event, slot)
        if kind.routing == "step":
            step_handler = handlers.steps.match(step)
            if step_handler is None:
                received.why = "no handler registered"
                return self._no_step_handler(params, step, received.request.method)
            event = kind.event.from_params(
                params, idempotency_token=token, step=step, conversation=conversation
            )
            received.why = "incoming call" if step is None else f"step {step}"
            return self._prepared(received, kind, step_handler, event, slot)
        extra = shared.record_callback(kind, params)
        event = kind.event.from_params(params, idempotency_token=token, **extra)
        value = getattr(event, kind.field or "")
        value_handler = handlers.values[kind.name].match(value)
        if value_handler is None:
            logger.info(
                "no @hooks.%s handler for %s %r; add @hooks.%s() to handle every one",
                kind.name,
                kind.field,
                value,
                kind.name,
            )
            received.why = "no handler registered"
            return Reply.empty()
        if extra.get("advanced") is False and value_handler not in handlers.include_stale:
            logger.info(
                "%s %r of %s is late or a duplicate (furthest: %r); recorded, no handler run",
                kind.field,
                value,
                params.get("MessageSid"),
                extra.get("previous"),
            )
            received.why = "late or duplicate callback"
            return Reply.empty()
        received.why = f"{kind.field} {value}"
        return self._prepared(received, kind, value_handler, event, None)

    def _prepared(
        self,
        received: Received,
        kind: Kind,
        handler: Callable[..., Any],
        event: Event,
        slot: ConversationSlot | None,
    ) -> Prepared:
        received.handler = _name(handler)
        return Prepared(kind, handler, event, slot)

    def _no_message_handler(self, params: Params, state: str | None) -> None:
        if not self.handlers.messages:
            logger.warning(
                "no @hooks.message handler is registered; answering MessageSid=%s "
                "with an empty <Response/>",
                params.get("MessageSid"),
            )
        else:
            logger.info(
                "no @hooks.message handler matched body %r (state %r); add "
                "@hooks.message() as a catch-all",
                params.get("Body", "")[:40],
                state,
            )

    def _no_step_handler(self, params: Params, step: str | None, method: str) -> Reply:
        if step in RESERVED_STEPS:
            # GET /voice/status and the like: the fixed route exists, for POST only.
            logger.warning("%s /voice/%s: this callback route accepts POST only", method, step)
            reply = Reply.text(405, f"/voice/{step} accepts POST only")
            reply.headers.append(("Allow", "POST"))
            return reply
        where = "@hooks.call()" if step is None else f"@hooks.call({step!r})"
        logger.warning(
            "no %s handler is registered; answering CallSid=%s with an empty <Response/> "
            "(Twilio hangs up)",
            where,
            params.get("CallSid"),
        )
        return Reply.twiml(EMPTY_TWIML)

    def complete(self, prepared: Prepared, result: Any) -> Reply:
        """Save the conversation and turn the handler's *result* into the reply.

        :raises HandlerError: the conversation cannot be saved, or *result* cannot be a reply.
        :raises TwiMLError: the reply cannot be rendered.
        """
        if prepared.slot is not None:
            prepared.slot.save()
        return self.render(prepared.kind, result)

    def render(self, kind: Kind, result: Any) -> Reply:
        """The reply for a handler's *result* on a webhook of *kind*."""
        if self.native and isinstance(result, self.native):
            return Reply(0, native=result)
        if result is None and kind.is_callback:
            return Reply.empty()  # Twilio reads no TwiML here: any 2xx will do
        return Reply.twiml(render_twiml(result, kind.text_verb))

    def failed(self, prepared: Prepared, error: Exception) -> Reply | None:
        """Offer *error* to the ``@hooks.error`` handlers (synchronous ones).

        :returns: the reply of the first that answers; ``None`` when none does, and the
            caller re-raises *error* into the web framework.
        """
        for error_handler in self.handlers.error_handlers:
            try:
                result = error_handler(error, prepared.event)
                if result is None:
                    continue
                reply = self.render(prepared.kind, result)
            except Exception:
                self._log_error_handler_failure(error_handler, prepared)
                break
            self._log_failure(prepared, error, answered=True)
            return reply
        self._log_failure(prepared, error, answered=False)
        return None

    def _log_failure(self, prepared: Prepared, error: Exception, *, answered: bool) -> None:
        message = "@hooks.%s handler %s failed on %s"
        args = (prepared.kind.name, _name(prepared.handler), _describe(prepared.event))
        if answered:
            # Nobody else will log it: the error handler's reply replaced the failure.
            logger.error(message + "; an @hooks.error handler answered", *args, exc_info=error)
        else:
            # The web framework logs the traceback when it handles the re-raised error.
            logger.error(message + ": %s: %s", *args, type(error).__name__, error)

    def _log_error_handler_failure(self, error_handler: Any, prepared: Prepared) -> None:
        logger.exception(
            "@hooks.error handler %s failed too on %s",
            _name(error_handler),
            _describe(prepared.event),
        )

    # -- the whole path ---------------------------------------------------------------------

    def dispatch(
        self,
        request: WebhookRequest,
        kind: Kind,
        step: str | None = None,
        session: MutableMapping[str, Any] | None = None,
        *,
        verified: VerifiedRequest | None = None,
    ) -> Reply:
        """Run *request* through every step, synchronously.

        :raises Exception: what the handler raised, when no ``@hooks.error`` handler answered.
        """
        received = self.receive(request, verified, kind.name)
        if isinstance(received, Reply):
            return received
        replayed = self.claim(received)
        if replayed is not None:
            return replayed
        reply: Reply | None = None
        try:
            reply = self.handle(received, kind, step, session)
        finally:
            self.finish(received, _stored(reply))
            self.record(received, *_status_and_body(reply))
        return reply

    def handle(
        self,
        received: Received,
        kind: Kind,
        step: str | None = None,
        session: MutableMapping[str, Any] | None = None,
    ) -> Reply:
        """Prepare, run and complete a received request (no claim).

        :param session: where conversation state lives with ``TWHOOKS_CONVERSATIONS =
            "cookie"`` (the framework's signed session).
        :raises Exception: what the handler raised, when no ``@hooks.error`` handler answered.
        """
        received.kind = kind.name
        try:
            # Locked on first use: a handler that never reads its conversation takes no lock.
            slot = self.shared.open_conversation(kind, received.params, session, lazy=True)
            try:
                prepared = self.prepare(received, kind, step, slot)
                if isinstance(prepared, Reply):
                    return prepared
                try:
                    return self.complete(prepared, prepared.handler(prepared.event))
                except LockTimeout:
                    raise  # the conversation stayed busy: 503, not the handler's failure
                except Exception as error:
                    reply = self.failed(prepared, error)
                    if reply is None:
                        raise
                    return reply
            finally:
                if slot is not None:
                    slot.release()
        except LockTimeout as error:
            return self._busy(received, error)

    def _busy(self, received: Received, error: LockTimeout) -> Reply:
        """The answer when another worker held the conversation for the whole wait."""
        logger.warning(
            "%s %s: %s; answering 503 so that Twilio retries or uses the fallback URL",
            received.request.method,
            received.request.path,
            error,
        )
        received.why = "conversation busy"
        return Reply.text(503, "Service unavailable: the conversation is busy")

    # -- the whole path, for asyncio --------------------------------------------------------
    #
    # A trip to a worker thread costs tens of microseconds, more than the rest of a webhook's
    # handling. So the store's work before the handler (claim, the conversation's lock and
    # load, the block list...) is done in one trip and its work after the handler (the
    # conversation's save and release, the claim's end, the history) in another; with a store
    # that never blocks (its ``blocking`` attribute is false: the memory stores) on the event
    # loop, in none. A plain handler runs in a worker thread, as Quart runs a plain view: in
    # the same trip as the store's work when there is one.

    async def dispatch_async(
        self,
        request: WebhookRequest,
        kind: Kind,
        step: str | None = None,
        session: MutableMapping[str, Any] | None = None,
        *,
        verified: VerifiedRequest | None = None,
    ) -> Reply:
        """:meth:`dispatch` for asyncio: ``async def`` handlers are awaited, plain ones run in
        a worker thread, and the store's blocking calls never block the event loop.
        """
        received = await self.receive_async(request, verified, kind.name)
        if isinstance(received, Reply):
            return received
        if self._store_blocks(kind, replays=True):
            return await self._run_async(received, kind, step, session, claim=True, finish=True)
        replayed = await self.claim_async(received)
        if replayed is not None:
            return replayed
        return await self._run_async(received, kind, step, session, claim=False, finish=True)

    async def claim_async(self, received: Received) -> Reply | None:
        """:meth:`claim` for asyncio, without blocking the event loop.

        With a replay store that does not block, the claim is tried on the loop; only a
        retry (which waits for the first request, or gets its reply) goes to a worker thread.
        """
        replays = self.replays
        if replays is None:
            return None
        if not _blocks(replays):
            key = self._claim_key(received)
            if key is None:
                return None
            owner = f"{_PROCESS}.{next(_claims)}"
            if replays.claim(key, owner, self.lease) is True:
                received.claim = (key, owner)
                return None
        return await asyncio.to_thread(self.claim, received)

    async def handle_async(
        self,
        received: Received,
        kind: Kind,
        step: str | None = None,
        session: MutableMapping[str, Any] | None = None,
    ) -> Reply:
        """:meth:`handle` for asyncio (see :meth:`dispatch_async`)."""
        return await self._run_async(received, kind, step, session, claim=False, finish=False)

    def _store_blocks(self, kind: Kind, *, replays: bool) -> bool:
        """Whether the store's work on a webhook of *kind* may wait (on I/O, or on another
        request): then it runs in a worker thread. *replays*: the claim is part of it."""
        if replays and self.replays is not None and _blocks(self.replays):
            return True
        facades = self.shared.facades
        if facades is None:
            return False
        # A conversation's lock is only tried in a trip, never waited for (see
        # _wait_for_conversation): a store that does not block is used on the loop.
        return _blocks(facades.store)

    async def _run_async(
        self,
        received: Received,
        kind: Kind,
        step: str | None,
        session: MutableMapping[str, Any] | None,
        *,
        claim: bool,
        finish: bool,
    ) -> Reply:
        """Handle *received*; with *claim*, claim it first, with *finish*, end its claim and
        record it last (in the same trips to a worker thread as the rest of the store's work).
        """
        received.kind = kind.name
        threaded = self._store_blocks(kind, replays=claim or finish)
        stack = ExitStack()
        begun = await _hop(
            threaded,
            self._begin,
            stack,
            received,
            kind,
            step,
            session,
            claim,
            finish,
            threaded,
            None,
        )
        if begun is _BUSY:
            begun = await self._wait_for_conversation(
                stack, received, kind, step, session, finish, threaded
            )
        if isinstance(begun, Reply):
            return begun
        assert isinstance(begun, _Begun)
        prepared = begun.prepared
        if begun.error is None:
            try:
                if begun.pending is not None:
                    result = await begun.pending
                else:
                    result = await _call(prepared.handler, prepared.event)
            except Exception as error:
                begun.error = error
            except BaseException:  # cancelled: release the conversation, fail the claim
                await _hop(threaded, self._close, stack, received, None, sys.exc_info(), finish)
                raise
            else:
                after = await _hop(threaded, self._after, stack, received, prepared, result, finish)
                if isinstance(after, Reply):
                    return after
                begun.error = after
        # The handler, or turning its result into a reply, failed: the error handlers answer.
        try:
            reply = await self._failed_async(prepared, begun.error)
        except BaseException:
            await _hop(threaded, self._close, stack, received, None, sys.exc_info(), finish)
            raise
        await _hop(threaded, self._close, stack, received, reply, _CLEAN, finish)
        return reply

    async def _wait_for_conversation(
        self,
        stack: ExitStack,
        received: Received,
        kind: Kind,
        step: str | None,
        session: MutableMapping[str, Any] | None,
        finish: bool,
        threaded: bool,
    ) -> Reply | _Begun | _Busy:
        """Try the conversation's lock again until it is free or the wait is over
        (``Conversations.lock_wait``), pausing on the event loop between tries as
        :func:`~twhooks.store.polling.poll` does: a request waiting for another one's
        conversation holds no worker thread (the holder may need one to give it back)."""
        facades = self.shared.facades
        assert facades is not None
        wait = facades.conversations.lock_wait
        deadline = time.monotonic() + wait
        delay = FIRST_DELAY
        begun: Reply | _Begun | _Busy = _BUSY
        try:
            while begun is _BUSY:
                remaining = deadline - time.monotonic()
                if remaining > 0:
                    await asyncio.sleep(min(delay, remaining))
                    delay = min(delay * 2, MAX_DELAY)
                last = time.monotonic() >= deadline
                begun = await _hop(
                    threaded,
                    self._begin,
                    stack,
                    received,
                    kind,
                    step,
                    session,
                    False,  # claimed by the first try already
                    finish,
                    threaded,
                    wait if last else None,
                )
        except BaseException:  # cancelled while waiting: fail the claim
            await _hop(threaded, self._close, stack, received, None, sys.exc_info(), finish)
            raise
        return begun

    def _begin(
        self,
        stack: ExitStack,
        received: Received,
        kind: Kind,
        step: str | None,
        session: MutableMapping[str, Any] | None,
        claim: bool,
        finish: bool,
        threaded: bool,
        waited: float | None,
    ) -> Reply | _Begun | _Busy:
        """Everything before the handler, in one call (in a worker thread if *threaded*, and
        then a plain handler runs here too, with everything after it).

        :param waited: ``None``: a conversation locked by another request is
            :data:`_BUSY` (try again later); else how long the caller waited for it, and it
            is answered 503.
        :returns: the reply when no handler is left to run on the event loop (the request
            is over); :data:`_BUSY`; else what the event loop still has to do.
        """
        if claim:
            replayed = self.claim(received)
            if replayed is not None:
                return replayed
        try:
            begun = self._before(stack, received, kind, step, session, threaded, waited)
        except BaseException:
            self._close(stack, received, None, sys.exc_info(), finish)
            raise
        if isinstance(begun, _Busy):
            return begun
        if isinstance(begun, Reply):
            self._close(stack, received, begun, _CLEAN, finish)
            return begun
        if begun.ran:
            after = self._after(stack, received, begun.prepared, begun.result, finish)
            if isinstance(after, Reply):
                return after
            begun.error = after
        return begun

    def _before(
        self,
        stack: ExitStack,
        received: Received,
        kind: Kind,
        step: str | None,
        session: MutableMapping[str, Any] | None,
        threaded: bool,
        waited: float | None,
    ) -> Reply | _Begun | _Busy:
        """Enter the conversation (into *stack*: its lock tried once, see :meth:`_begin`),
        prepare, and if *threaded* run a plain handler (this is a worker thread already)."""
        try:
            slot = stack.enter_context(
                self.shared.conversation(kind, received.params, session, wait=0.0)
            )
        except LockTimeout as error:
            if waited is None:
                return _BUSY
            return self._busy(received, LockTimeout(error.key, waited))
        prepared = self.prepare(received, kind, step, slot)
        if isinstance(prepared, Reply):
            return prepared
        begun = _Begun(prepared)
        if threaded and not inspect.iscoroutinefunction(prepared.handler):
            try:
                result = prepared.handler(prepared.event)
            except Exception as error:
                begun.error = error
            else:
                if inspect.isawaitable(result):
                    begun.pending = result
                else:
                    begun.result, begun.ran = result, True
        return begun

    def _after(
        self,
        stack: ExitStack,
        received: Received,
        prepared: Prepared,
        result: Any,
        finish: bool,
    ) -> Reply | Exception:
        """Complete the handler's *result* and close the request; what :meth:`complete`
        raised instead (the conversation still held, for the error handlers)."""
        try:
            reply = self.complete(prepared, result)
        except Exception as error:
            return error
        self._close(stack, received, reply, _CLEAN, finish)
        return reply

    def _close(
        self,
        stack: ExitStack,
        received: Received,
        reply: Reply | None,
        error: _ExcInfo,
        finish: bool,
    ) -> None:
        """Release the conversation (with *error*, if the request failed); with *finish*, end
        the claim (keeping *reply* for retries) and record the request."""
        try:
            stack.__exit__(*error)
        except BaseException:
            if finish:
                self._finish_and_record(received, None)
            raise
        if finish:
            self._finish_and_record(received, reply)

    def conclude(self, received: Received, stored: StoredReply | None, status: int) -> None:
        """End *received*'s claim keeping *stored* (the final bytes of the reply, ``None``
        when they are not known or the request failed) and record it in the history, with
        *stored*'s status and body, else *status* and no body. For an adapter that finishes a
        request after the framework built its response (see :meth:`finish`)."""
        if received.claim is not None:
            self.finish(received, stored)
        if stored is not None:
            self.record(received, stored.status, stored.body)
        else:
            self.record(received, status, b"")

    async def conclude_async(
        self, received: Received, stored: StoredReply | None, status: int
    ) -> None:
        """:meth:`conclude` for asyncio: in one trip to a worker thread when the store
        blocks, on the loop when it does not (or when there is nothing to write)."""
        threaded = (
            received.claim is not None and self.replays is not None and _blocks(self.replays)
        ) or self._history_blocks()
        await _hop(threaded, self.conclude, received, stored, status)

    def _finish_and_record(self, received: Received, reply: Reply | None) -> None:
        self.finish(received, _stored(reply))
        self.record(received, *_status_and_body(reply))

    async def _failed_async(self, prepared: Prepared, error: Exception) -> Reply:
        for error_handler in self.handlers.error_handlers:
            try:
                result = await _call(error_handler, error, prepared.event)
                if result is None:
                    continue
                reply = self.render(prepared.kind, result)
            except Exception:
                self._log_error_handler_failure(error_handler, prepared)
                break
            self._log_failure(prepared, error, answered=True)
            return reply
        self._log_failure(prepared, error, answered=False)
        raise error

    # -- the webhook history ----------------------------------------------------------------

    def record(self, received: Received, status: int, body: bytes, *, replay: bool = False) -> None:
        """Add a handled (or replayed) request to the webhook history."""
        if not self.shared.keeps_history:
            return
        request = received.request
        self.shared.record_history(
            HistoryRecord(
                kind=received.kind,
                method=request.method,
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
        )


_ExcInfo = tuple[type[BaseException] | None, BaseException | None, TracebackType | None]
_CLEAN: _ExcInfo = (None, None, None)


class _Busy:
    """The conversation's lock is held by another request: try again later."""


_BUSY = _Busy()


class _Refused(NamedTuple):
    """A refused request: its reply, and its record for the webhook history."""

    reply: Reply
    record: HistoryRecord


@dataclass(slots=True)
class _Begun:
    """A request whose handler is left to the event loop, its conversation held."""

    prepared: Prepared
    #: What the handler (run in the worker thread already) or :meth:`Dispatcher.complete`
    #: raised: for the error handlers.
    error: Exception | None = None
    #: What a plain handler returned that must be awaited.
    pending: Awaitable[Any] | None = None
    #: The handler ran in the worker thread already, and returned *result*.
    ran: bool = False
    result: Any = None


def _blocks(store: object) -> bool:
    """Whether *store*'s calls may wait on I/O (see ``blocking`` on
    :class:`~twhooks.store.Store`): a store that does not say is assumed to."""
    return bool(getattr(store, "blocking", True))


async def _hop(
    threaded: bool, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
) -> _T:
    """Call *function* in a worker thread if *threaded*, else right here on the loop."""
    if threaded:
        return await asyncio.to_thread(function, *args, **kwargs)
    return function(*args, **kwargs)


async def _call(function: Callable[..., Any], *args: Any) -> Any:
    """Await an ``async def`` *function*; run a plain one in a worker thread."""
    if inspect.iscoroutinefunction(function):
        return await function(*args)
    result = await asyncio.to_thread(function, *args)
    if inspect.isawaitable(result):
        return await result
    return result


def _status_and_body(reply: Reply | None) -> tuple[int, bytes]:
    """For the history: ``500`` when the handler raised."""
    if reply is None:
        return 500, b""
    if reply.native is not None:
        return int(getattr(reply.native, "status_code", 200)), b""
    return reply.status, reply.body


def _stored(reply: Reply | None) -> StoredReply | None:
    """*reply* as kept for retries (``None`` for a framework response: its adapter keeps it)."""
    if reply is None or reply.native is not None:
        return None
    return StoredReply(reply.status, list(reply.headers), reply.body)
