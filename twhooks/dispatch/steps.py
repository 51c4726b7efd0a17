"""The steps of a webhook request: plain calls that never wait and never await (but for the
short pauses between the tries of a write after the handler while the store is down:
:mod:`~twhooks.dispatch.outage`).

- ``receive``: verify the signature, or the refusal (403/4xx, logged, in the history);
- ``_claim``: one try at the idempotency token's claim: a retry gets the first reply, byte
  for byte; :data:`~twhooks.store.polling.PENDING` while that request is in flight. A claim
  won is renewed while the request runs (:mod:`~twhooks.store.renewal`), so its short lease
  ends soon after a worker dies, never under a slow handler;
- ``_begin``: the conversation (its lock tried now, or left to first use), then the route
  (:mod:`~twhooks.dispatch.route`: policies, handler, typed event); ``PENDING`` while the
  conversation is busy;
- ``_run``: a plain handler in the caller's thread, then ``_end`` (save the conversation,
  render the reply) or the error handlers (:mod:`~twhooks.dispatch.failures`), and
  ``_release`` (give the conversation back). Once the handler returned, a store that fails
  no longer fails the request: its writes are tried again briefly, then logged;
- ``_conclude``: stop renewing the claim and end it keeping the final bytes; record the
  request.

Two drivers call them under the same public names — :class:`~twhooks.dispatch.Dispatcher`
(``refuse``, ``claim``, ``handle``, ``conclude``, ``dispatch``) and
:class:`~twhooks.dispatch.AsyncDispatcher` (the same, as coroutines) — and differ only in how
they wait: the synchronous one sleeps in its thread, the asynchronous one on the event loop,
sending the store's blocking calls to a worker thread. No web framework here.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import time
import uuid
from collections.abc import MutableMapping
from inspect import iscoroutinefunction
from typing import Any

from ..background.enqueue import submit
from ..background.runner import Runner
from ..conversation import CookieBacking
from ..events import Params
from ..exceptions import HandlerError, RequestError, SignatureError
from ..handlers import Handlers
from ..kinds import Kind
from ..observability import observers_for
from ..observability.webhooks import outcome_of
from ..policies import Policies, handled_record, refused_record
from ..refusals import refuse
from ..replies import Reply, render_twiml
from ..request import VerifiedRequest, WebhookRequest, verify_request
from ..settings import Settings
from ..store.base import blocks
from ..store.conversations import StoreBacking
from ..store.errors import LockTimeout
from ..store.locks import StoreLock
from ..store.polling import PENDING, Pending
from ..store.renewal import renewals
from ..store.replays import ReplayStore
from .dead_letter import keep_dead_letter, settled_key
from .failures import answer, noted, outcome, unanswered
from .outage import end_claim, let_go, save_after_reply, settle_after_reply
from .received import Received, Refused, status_of
from .route import Begun, route
from .streams import begin_batch

__all__ = ["DispatcherBase"]

logger = logging.getLogger("twhooks.dispatch")

# Owners of claims: unique across hosts and processes (a random id, new in each forked
# child) and requests (a counter).
_PROCESS = uuid.uuid4().hex[:16]
_claims = itertools.count()


def _new_process_id() -> None:
    global _PROCESS
    _PROCESS = uuid.uuid4().hex[:16]


os.register_at_fork(after_in_child=_new_process_id)

#: How long a retry waits for the copy of its request in flight, in seconds: Twilio's timeout
#: for the whole request (it reads no answer after that).
CLAIM_WAIT = 15.0


class DispatcherBase:
    """The steps both drivers share; see the module's table.

    :param handlers: the registered handlers.
    :param settings: the app's checked settings.
    :param replays: where idempotency claims and replies live; ``None`` turns
        de-duplication off.
    :param native: response types of the web framework that a handler may return; they are
        passed through untouched (:attr:`Reply.native`).
    :param policies: what the shared store does on each request (conversations, deliveries,
        opt-outs, the block list, the history); none: conversations in the session only.
    :param lease: how long a claim holds, unless renewed, before another worker may take it
        over (``TWHOOKS_REPLAY_LEASE`` by default). The claim is renewed every quarter lease
        while its request runs, so a claim that outlives its lease belongs to a worker that
        died: a short lease lets Twilio's retry run within it.
    :param reply_ttl: how long a reply is kept for the retries of its request
        (``TWHOOKS_REPLAY_TTL`` by default).
    :param runner: where the jobs of background handlers go (:mod:`twhooks.background`);
        the extensions set the one ``TWHOOKS_RUNNER`` names.
    """

    def __init__(
        self,
        handlers: Handlers,
        settings: Settings,
        *,
        replays: ReplayStore | None = None,
        native: tuple[type[Any], ...] = (),
        policies: Policies | None = None,
        lease: float | None = None,
        reply_ttl: float | None = None,
        runner: Runner | None = None,
    ) -> None:
        self.handlers = handlers
        self.settings = settings
        self.replays = replays
        self.native = native
        self.policies = policies if policies is not None else Policies(None, "cookie")
        self.lease = settings.replay_lease if lease is None else lease
        self.reply_ttl = settings.replay_ttl if reply_ttl is None else reply_ttl
        #: Where the jobs of background handlers go.
        self.runner = runner
        facades = self.policies.facades
        # Whether each part of the store's work may wait on I/O (then, on an event loop, it
        # runs in a worker thread).
        self._replays_block = replays is not None and blocks(replays)
        self._store_blocks = facades is not None and blocks(facades.store)
        self._history_blocks = self.policies.keeps_history and self._store_blocks
        self._lock_wait = facades.conversations.lock_wait if facades is not None else 0.0
        #: Told of each webhook's start and end: log fields, traces, metrics.
        self.observers = observers_for(settings.observability)

    def needs_bytes(self, received: Received) -> bool:
        """Whether :meth:`conclude` wants the final bytes of *received*'s response (for its
        retries, or the webhook history)."""
        return received.claim is not None or self.policies.keeps_history

    # -- receive ----------------------------------------------------------------------------

    def receive(
        self,
        request: WebhookRequest,
        verified: VerifiedRequest | None = None,
        kind: str | None = None,
    ) -> Received | Refused:
        """Verify *request* (CPU work only, never waits): what to handle, or the refusal to
        answer with :meth:`refuse <twhooks.dispatch.Dispatcher.refuse>`.

        :param verified: the request was verified already (by the WSGI or ASGI middleware).
        :param kind: the kind of webhook, if the adapter knows it (for the history).
        """
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
                    return self.refusal(
                        error,
                        request.method,
                        request.path,
                        request,
                        kind=kind,
                        started=started,
                        at=at,
                    )
        received = Received(
            request,
            verified,
            Params(verified.params),
            request.idempotency_token,
            kind,
            at=at,
            started=started,
            verdict=verdict,
        )
        received.observed = self.observers.start(kind, received.params, received.token, at, started)
        return received

    def refusal(
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
    ) -> Refused:
        """The reply refusing a request for *error* (logged once), and its history record,
        to answer with :meth:`refuse <twhooks.dispatch.Dispatcher.refuse>`.

        :param request: the request, when it could be read.
        :param url: its URL, when it could not.
        """
        reason = error.code if isinstance(error, SignatureError) else f"status_{error.status_code}"
        observed = self.observers.refusing(kind, reason, started)
        reply = refuse(
            error,
            method=method,
            path=path,
            request=request,
            public_url=self.settings.public_url,
            logger=logger,
        )
        record = refused_record(
            error, reply, method, request, url=url, kind=kind, started=started, at=at
        )
        self.observers.refused(observed, reply.status)
        return Refused(reply, record)

    # -- claim ------------------------------------------------------------------------------

    def _claim_key(self, received: Received) -> str | None:
        if received.token is None or self.replays is None or not self.settings.deduplicate:
            return None
        if received.kind == "message_status" and self.policies.facades is not None:
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

    def _claim(self, received: Received, key: str) -> Reply | Pending | None:
        """One try at claiming *key* for *received*: ``None`` when claimed (handle it, then
        conclude), the first reply for a retry, :data:`PENDING` while another request holds
        the claim (it expires with the other's lease: then this one takes it)."""
        assert self.replays is not None
        owner = f"{_PROCESS}.{next(_claims)}"
        try:
            got = self.replays.claim(key, owner, self.lease)
        except BaseException:  # the store is down: this request ends here, failed
            self.observers.end(received.observed, 500, None, "failed")
            raise
        if got is True:
            received.claim = (key, owner, renewals.hold(self.replays, key, owner, self.lease))
            return None
        if got is False:
            return PENDING
        logger.info(
            "retry of %s (idempotency token %s) answered with the first reply",
            received.request.path,
            received.token,
        )
        reply = Reply(got.status, list(got.headers), got.body)
        self._record(received, reply.status, reply.body, replay=True)
        return reply

    @property
    def _claim_wait(self) -> float:
        """How long a retry waits for the request in flight: Twilio's whole timeout (the
        claim of a worker that died ends sooner, with its lease). Read when it waits."""
        return CLAIM_WAIT

    def _claimed(self, received: Received, got: Reply | Pending | None) -> Reply | None:
        """The outcome of the wait for a claim: ``503`` when the request in flight still
        runs (its claim renewed all along): never a second run beside it."""
        if not isinstance(got, Pending):
            return got
        logger.warning(
            "retry of %s (idempotency token %s): the first copy still runs after %.0f s; "
            "answering 503 rather than running its handler twice",
            received.request.path,
            received.token,
            CLAIM_WAIT,
        )
        received.why = "first copy still running"
        reply = Reply.text(503, "Service unavailable: this request is still being handled")
        self._record(received, reply.status, reply.body)
        return reply

    # -- begin ------------------------------------------------------------------------------

    def _begin(
        self,
        received: Received,
        kind: Kind,
        step: str | None,
        session: MutableMapping[str, Any] | None,
        lock_now: bool,
    ) -> Begun | Reply | Pending:
        """Everything before the handler.

        :param lock_now: try a stored conversation's lock now, once (:data:`PENDING` when
            another request holds it); else it is locked on first use, waiting for it there.
        :returns: what the handler gets; the reply when no handler is to run.
        """
        received.kind = kind.name
        if kind.routing == "batch":  # Event Streams: many events, each handled on its own
            return begin_batch(
                self.handlers.event_streams, self.policies, self.replays, received, kind, self.lease
            )
        params = received.params
        conversation = self.policies.conversation(kind, params, session)
        # What this webhook holds while it is handled: a stored conversation, locked now or on
        # first use; the callbacks of one message or call, one at a time, in the order they
        # are recorded (only when a handler may run: else there is nothing to order).
        lock: StoreBacking | StoreLock | None = None
        if conversation is not None:
            if lock_now and isinstance(conversation.backing, StoreBacking):
                lock = conversation.backing
        elif kind.routing == "value" and self.handlers.values[kind.name]:
            lock = self.policies.callback_lock(kind, params)
        if lock is not None:
            try:
                lock.acquire(wait=0.0 if lock_now else None)
            except LockTimeout:
                if lock_now:
                    return PENDING
                raise
        try:
            begun = route(self.handlers, self.policies, received, kind, step, conversation)
        except BaseException:
            let_go(conversation, lock)
            raise
        if isinstance(begun, Reply):
            let_go(conversation, lock)
            return begun
        if isinstance(lock, StoreLock):
            begun.lock = lock
        if self.handlers.background_handlers and self.handlers.is_background(begun.handler):
            return self._queue(begun)
        return begun

    def _queue(self, begun: Begun) -> Reply:
        """Submit a background handler's job instead of running it (CPU work and the runner's
        ``submit``, which does not wait for the job): an empty answer at once, the status
        callback recorded and the conversation given back; ``503`` when the runner cannot take
        it (:mod:`twhooks.background.enqueue`)."""
        queued = submit(self.runner, begun, tracing=self.settings.observability.tracing)
        reply = queued if isinstance(queued, Reply) else self._render(begun.kind, None)
        self._release(begun, reply)
        return reply

    def _busy(self, received: Received, waited: float) -> Reply:
        """The answer when another worker held the conversation (or the callbacks of the same
        message or call) for the whole wait."""
        key = self.policies.lock_key(received.kind, received.params)
        return self._busy_reply(received, LockTimeout(key, waited))

    def _busy_reply(self, received: Received, error: LockTimeout) -> Reply:
        logger.warning(
            "%s %s: %s; answering 503 so that Twilio retries or uses the fallback URL",
            received.request.method,
            received.request.path,
            error,
        )
        received.why = "busy: " + error.key
        received.settles = True  # not consumed: kept in the dead-letter list, in both drivers
        return Reply.text(503, f"Service unavailable: {error.key} is busy")

    def _begin_run(
        self,
        received: Received,
        kind: Kind,
        step: str | None,
        session: MutableMapping[str, Any] | None,
        run_plain: bool,
    ) -> Begun | Reply | Pending:
        """:meth:`_begin` with the conversation's lock tried now, and with *run_plain* a plain
        handler run right here (:meth:`_run`): one trip to a worker thread for all of it."""
        begun = self._begin(received, kind, step, session, lock_now=True)
        if run_plain and isinstance(begun, Begun) and not iscoroutinefunction(begun.handler):
            return self._run(begun)
        return begun

    # -- run, end, fail, release ------------------------------------------------------------

    def _run(self, begun: Begun) -> Reply:
        """Run a plain handler in this thread, end the request (with the synchronous
        ``@hooks.error`` handlers if it failed) and give the conversation back.

        :raises LockTimeout: its conversation, locked on first use, stayed busy.
        :raises Exception: what the handler raised, when no ``@hooks.error`` handler answered.
        """
        reply: Reply | None = None
        try:
            try:
                reply = self._end(begun, begun.handler(begun.event))
                return reply
            except LockTimeout:
                raise  # the conversation stayed busy: 503, not the handler's failure
            except Exception as error:
                noted(begun, error)
                for handler in self.handlers.error_handlers:
                    reply = answer(
                        begun, error, handler, outcome(handler, error, begun), self._render
                    )
                    if reply is not None:
                        return reply
                raise unanswered(begun, error) from None
        finally:
            self._release(begun, reply)

    def _end(self, begun: Begun, result: Any) -> Reply:
        """Save the conversation and turn the handler's *result* into the reply.

        :raises HandlerError: the conversation cannot be saved, or *result* cannot be a reply.
        :raises TwiMLError: the reply cannot be rendered.
        """
        conversation = begun.conversation
        if conversation is not None and not isinstance(conversation.backing, CookieBacking):
            save_after_reply(conversation)  # the handler acted: its reply is the answer
        elif conversation is not None:
            try:
                conversation.save_if_changed()
            except RuntimeError as error:
                # Flask's NullSession, for one, refuses writes when the app has no secret key.
                raise HandlerError(
                    f"conversation state cannot be saved in the session: {error} "
                    "(in Flask, set SECRET_KEY; or keep conversations in the store)"
                ) from error
        return self._render(begun.kind, result)

    def _end_and_release(self, begun: Begun, result: Any) -> Reply:
        """:meth:`_end`, then :meth:`_release` (kept on failure, for the error handlers)."""
        reply = self._end(begun, result)
        self._release(begun, reply)
        return reply

    def _render(self, kind: Kind, result: Any) -> Reply:
        """The reply for a handler's *result* on a webhook of *kind*."""
        if self.native and isinstance(result, self.native):
            return Reply(0, native=result)
        if isinstance(result, Reply):  # an Event Streams batch's answer
            return result
        if result is None and kind.is_callback:
            return Reply.empty()  # Twilio reads no TwiML here: any 2xx will do
        return Reply.twiml(render_twiml(result, kind.text_verb))

    @staticmethod
    def _release(begun: Begun, reply: Reply | None = None) -> None:
        """Give back what *begun* held; first, when its *reply* is no failure (a handler
        that returned, or an ``@hooks.error`` handler that answered below 500), record its
        status callback (:attr:`Begun.settle`), still under the callback's lock."""
        if begun.settle is not None and reply is not None and status_of(reply) < 500:
            settle_after_reply(begun.settle, begun)
        let_go(begun.conversation, begun.lock)

    # -- conclude ---------------------------------------------------------------------------

    def _conclude(self, received: Received, stored: Reply | None, status: int) -> None:
        """End *received*'s claim keeping *stored* (the final bytes of the reply; ``None``
        when they are not known or the request failed: its retry runs again) and record it
        in the history, with *stored*'s status and body, else *status* and no body; keep it
        in the dead-letter list if it failed, or take it off if it succeeded
        (:mod:`~twhooks.dispatch.dead_letter`)."""
        claim, received.claim = received.claim, None
        if claim is not None and self.replays is not None:
            renewals.drop(claim[2])
            kept = stored if stored is not None and stored.status < 500 else None
            end_claim(self.replays, claim, kept, self.reply_ttl, self.lease, received)
        if stored is not None:
            status, body = stored.status, stored.body
        else:
            body = b""
        history = self.policies.facades.history if self.policies.facades is not None else None
        if history is not None and history.keeps_failed and status >= 500 and received.settles:
            keep_dead_letter(history, received, status)
        self._record(received, status, body, failure_key=settled_key(history, received, status))

    def _record(
        self,
        received: Received,
        status: int,
        body: bytes,
        *,
        replay: bool = False,
        failure_key: str | None = None,
    ) -> None:
        """Tell the observers how a handled (or replayed) request ended; add it to the
        webhook history. *failure_key*: the dead letter its success takes off the list."""
        self.observers.end(
            received.observed, status, received.handler, outcome_of(status, received.why, replay)
        )
        if self.policies.keeps_history:
            record = handled_record(received, status, body, replay)
            record.failure_key = failure_key
            self.policies.record_history(record)
