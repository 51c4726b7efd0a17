"""The synchronous driver: the request steps in the caller's thread, for WSGI apps.

A stored conversation is locked when it is first used — by state routing, an opt-out or the
handler — waiting there for another worker's handler of the same conversation (a webhook whose
handler never reads its conversation takes no lock). A retry of a request in flight sleeps in
this thread between tries at its claim.
"""

from __future__ import annotations

from ..kinds import Kind
from ..replies import Reply
from ..request import WebhookRequest
from ..store.errors import LockTimeout
from ..store.polling import Pending, poll
from .received import Received, Refused, Session, status_of, stored
from .steps import DispatcherBase

__all__ = ["Dispatcher"]


class Dispatcher(DispatcherBase):
    """Runs webhook requests through the app's handlers, synchronously.

    An adapter calls :meth:`receive`, :meth:`claim`, :meth:`handle` and :meth:`conclude`
    (or :meth:`dispatch`, all four); see :class:`~twhooks.dispatch.steps.DispatcherBase` for
    the parameters.
    """

    def refuse(self, refused: Refused) -> Reply:
        """Keep *refused* (:meth:`receive`, :meth:`refusal`) in the webhook history; its
        reply."""
        self.policies.record_history(refused.record)
        return refused.reply

    def claim(self, received: Received) -> Reply | None:
        """Claim *received*'s idempotency token: ``None`` to go on (then :meth:`conclude`),
        or the first request's reply for a retry, waited for while it runs."""
        key = self._claim_key(received)
        if key is None:
            return None
        got = self._claim(received, key)
        if isinstance(got, Pending):  # the first copy is in flight: wait for its reply
            got = poll(lambda: self._claim(received, key), self._claim_wait)
        return self._claimed(received, got)

    def handle(
        self, received: Received, kind: Kind, step: str | None = None, session: Session = None
    ) -> Reply:
        """Route *received*, run its handler and render the reply (no claim).

        :param step: the call step (``/voice/<step>``), for the ``call`` kind.
        :param session: where conversations live with ``TWHOOKS_CONVERSATIONS = "cookie"``.
        :raises Exception: what the handler raised, when no ``@hooks.error`` handler answered.
        """
        try:
            begun = self._begin(received, kind, step, session, lock_now=False)
            assert not isinstance(begun, Pending)  # locked on first use, never tried now
            return begun if isinstance(begun, Reply) else self._run(begun)
        except LockTimeout as error:
            return self._busy_reply(received, error)

    def conclude(self, received: Received, stored: Reply | None, status: int) -> None:
        """End *received*'s claim keeping *stored* (the final bytes of the reply, ``None`` when
        they are not known or the request failed) and record it in the history, with
        *stored*'s status and body, else *status* and no body."""
        self._conclude(received, stored, status)

    def dispatch(
        self, request: WebhookRequest, kind: Kind, step: str | None = None, session: Session = None
    ) -> Reply:
        """Run *request* through every step: receive, claim, handle, conclude.

        :raises Exception: what the handler raised, when no ``@hooks.error`` handler answered.
        """
        received = self.receive(request, None, kind.name)
        if isinstance(received, Refused):
            return self.refuse(received)
        replayed = self.claim(received)
        if replayed is not None:
            return replayed
        reply: Reply | None = None
        try:
            reply = self.handle(received, kind, step, session)
        finally:
            self.conclude(received, stored(reply), status_of(reply))
        return reply
