"""``hooks.send``: one message sent through Twilio's API, at most once per idempotency key.

A job retried after a crash, or a webhook's handler run twice, sends its reply again with the
same *key*. The key is claimed in the app's store with the dispatcher's own machinery
(:class:`~twhooks.store.replays.ReplayStore`: ``claim`` → send → ``finish`` with the message's
JSON, the claim's lease renewed while the API is tried):

- the first caller claims ``send:<key>`` and sends; Twilio's answer is stored under the key
  for ``TWHOOKS_DELIVERY_TTL``, and every later call with that key returns it without
  sending;
- a caller that finds the key claimed by a live sender (another worker, another host) waits
  for it, then returns its message, or claims the key itself if that sender failed;
- a send that fails (an error answer, no answer) stores nothing: the next call sends again.

The window no key can close: a worker that dies after Twilio accepted the message and before
the store recorded it (a ``kill -9`` between the two) leaves the key unclaimed once its lease
ends, and the next try sends a second message. It is a window of one round trip to the store.

Error 21610 (the recipient replied STOP) records the number as opted out of the sender
(:class:`~twhooks.store.OptOuts`, ``source="error_21610"``) before the error is raised. A
message sent is registered in the delivery record (:class:`~twhooks.store.Deliveries`) with
the status Twilio answered, so that :meth:`~twhooks.store.Deliveries.wait` finds it.

This module knows nothing of any web framework: the extensions call :meth:`Sender.send`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..exceptions import TwilioApiError
from ..replies import Reply
from ..settings import RestSettings
from ..store.base import blocks
from ..store.deliveries import UNSUBSCRIBED_RECIPIENT, Deliveries
from ..store.optouts import OptOuts
from ..store.polling import PENDING, Pending, poll_async
from ..store.renewal import renewals
from ..store.replays import ReplayStore
from .messages import SentMessage
from .retry import RetryPolicy

if TYPE_CHECKING:
    from .client import MessageSender

__all__ = ["KEY_PREFIX", "Sender", "client_for"]

logger = logging.getLogger("twhooks.rest")

#: Put before an idempotency key in the store (the dispatcher's keys never start so).
KEY_PREFIX = "send:"


def client_for(settings: RestSettings) -> MessageSender:
    """The sender *settings* describe: the app's ``twilio.rest.Client``
    (``TWHOOKS_REST_CLIENT``), else a :class:`RestClient`.

    :raises ConfigurationError: no client given and no credentials to send with.
    """
    # Here: an app that never sends never loads requests.
    from .client import RestClient
    from .sdk import SdkClient

    retry = RetryPolicy(
        retries=settings.retries, max_wait=settings.max_wait, timeout=settings.timeout
    )
    if settings.client is not None:
        return SdkClient(settings.client, retry=retry)
    account_sid, secret, api_key = settings.credentials()
    return RestClient(account_sid, secret, api_key=api_key, base_url=settings.base_url, retry=retry)


class Sender:
    """Sends messages for one app, each idempotency key at most once.

    :param settings: the app's REST settings; the client is built on the first send, so that
        an app that never sends needs no credentials.
    :param store: where keys are claimed (the app's store).
    :param deliveries: where a sent message is registered.
    :param opt_outs: where error 21610 records an opt-out.
    :param lease: how long a claim outlives a dead sender (renewed while it lives):
        ``TWHOOKS_REPLAY_LEASE``.
    :param ttl: how long a key is remembered after its message was sent:
        ``TWHOOKS_DELIVERY_TTL``.
    :param client: a sender to use instead of the one *settings* describe (tests).
    """

    def __init__(
        self,
        settings: RestSettings,
        store: ReplayStore,
        *,
        deliveries: Deliveries | None = None,
        opt_outs: OptOuts | None = None,
        lease: float = 5.0,
        ttl: float = 7 * 86400.0,
        client: MessageSender | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.deliveries = deliveries
        self.opt_outs = opt_outs
        self.lease = lease
        self.ttl = ttl
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> MessageSender:
        """The client messages are sent with (built on first use).

        :raises ConfigurationError: no credentials to send with.
        """
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = client_for(self.settings)
        return self._client

    def send(
        self,
        *,
        to: str,
        body: str | None = None,
        from_: str | None = None,
        media_url: str | Sequence[str] | None = None,
        status_callback: str | None = None,
        messaging_service_sid: str | None = None,
        key: str | None = None,
    ) -> SentMessage:
        """Send one message (a blocking call: the API's answer, retries included).

        :param to: the recipient (``+15551234567``, ``whatsapp:+1…``).
        :param body: the text; at least one of *body* and *media_url* is needed.
        :param from_: your number; or *messaging_service_sid* instead.
        :param media_url: one URL or several (MMS, WhatsApp media).
        :param status_callback: where Twilio posts the message's status callbacks.
        :param key: an idempotency key: the same key sends at most once, across processes
            and hosts (``None``: no key, every call sends).
        :returns: the message Twilio accepted (for a key already sent: the first message).
        :raises ValueError: *to* is empty, or neither *body* nor *media_url*, or neither
            *from_* nor *messaging_service_sid* is given.
        :raises ~twhooks.TwilioApiError: Twilio refused the message (error 21610 recorded the
            opt-out first) or could not be reached, after the retries.
        :raises ~twhooks.ConfigurationError: no credentials to send with.
        """
        create, longest = self._prepared(
            to, body, from_, media_url, status_callback, messaging_service_sid
        )
        if key is None:
            return create()
        return self._once(KEY_PREFIX + key, create, longest)

    async def send_async(
        self,
        *,
        to: str,
        body: str | None = None,
        from_: str | None = None,
        media_url: str | Sequence[str] | None = None,
        status_callback: str | None = None,
        messaging_service_sid: str | None = None,
        key: str | None = None,
    ) -> SentMessage:
        """:meth:`send` on an event loop (Quart): the API is called in a worker thread, and
        a key that another sender holds is waited for on the loop (``asyncio.sleep``
        between tries), never in a thread."""
        import asyncio

        create, longest = self._prepared(
            to, body, from_, media_url, status_callback, messaging_service_sid
        )
        if key is None:
            return await asyncio.to_thread(create)
        key, owner = KEY_PREFIX + key, uuid.uuid4().hex
        blocking = blocks(self.store)

        async def attempt() -> SentMessage | bool | Pending:
            if blocking:
                claimed = await asyncio.to_thread(self.store.claim, key, owner, self.lease)
            else:
                claimed = self.store.claim(key, owner, self.lease)
            return self._claimed(claimed)

        got: SentMessage | bool | Pending = PENDING
        while isinstance(got, Pending):
            got = await poll_async(attempt, longest + self.lease)
        if isinstance(got, SentMessage):
            return got
        return await asyncio.to_thread(self._send_claimed, key, owner, create)

    def _prepared(
        self,
        to: str,
        body: str | None,
        from_: str | None,
        media_url: str | Sequence[str] | None,
        status_callback: str | None,
        messaging_service_sid: str | None,
    ) -> tuple[Callable[[], SentMessage], float]:
        """The arguments checked: the call that sends the message once, and the longest
        it may take (its retries included)."""
        urls = [media_url] if isinstance(media_url, str) else list(media_url or ())
        if not to or not isinstance(to, str):
            raise ValueError(f"send() needs the recipient: to={to!r}")
        if body is None and not urls:
            raise ValueError("send() needs a body or a media_url")
        if not from_ and not messaging_service_sid:
            raise ValueError("send() needs from_ (your number) or messaging_service_sid")
        client = self.client

        def create() -> SentMessage:
            return self._create(
                client,
                to=to,
                body=body,
                from_=from_,
                media_url=urls,
                status_callback=status_callback,
                messaging_service_sid=messaging_service_sid,
            )

        return create, client.longest()

    @staticmethod
    def _claimed(claimed: Reply | bool) -> SentMessage | bool | Pending:
        """A try at a key: the message sent under it already, ``True`` when this caller
        claimed it, :data:`PENDING` while another sender holds it."""
        if isinstance(claimed, Reply):
            return SentMessage.from_json(claimed.body)
        return True if claimed else PENDING

    def _once(self, key: str, create: Callable[[], SentMessage], longest: float) -> SentMessage:
        """Run *create* at most once for *key* (see the module's docstring)."""
        owner = uuid.uuid4().hex
        while True:
            got = self._claimed(self.store.claim(key, owner, self.lease))
            if isinstance(got, SentMessage):
                return got
            if got is True:
                break
            # Another sender holds it: its message, or the key once it failed.
            found = self.store.wait(key, longest + self.lease)
            if found is not None:
                return SentMessage.from_json(found.body)
        return self._send_claimed(key, owner, create)

    def _send_claimed(self, key: str, owner: str, create: Callable[[], SentMessage]) -> SentMessage:
        """Send under *key*, claimed by *owner*: the claim renewed meanwhile, then ended
        keeping the message (or nothing, when the send failed: the next call sends)."""
        handle = renewals.hold(self.store, key, owner, self.lease)
        sent: SentMessage | None = None
        try:
            sent = create()
        finally:
            renewals.drop(handle)
            reply = None
            if sent is not None:
                headers = [("Content-Type", "application/json")]
                reply = Reply(201, headers, sent.to_json().encode())
            try:
                self.store.finish(key, owner, reply, self.ttl)
            except Exception:
                if sent is None:
                    raise
                # Sent, but not recorded: said loudly, since a retry with this key sends again.
                logger.exception(
                    "message %s sent, but its idempotency key %s could not be stored",
                    sent.sid,
                    key[len(KEY_PREFIX) :],
                )
        return sent

    def _create(
        self,
        client: MessageSender,
        *,
        to: str,
        body: str | None,
        from_: str | None,
        media_url: Sequence[str],
        status_callback: str | None,
        messaging_service_sid: str | None,
    ) -> SentMessage:
        try:
            sent = client.create_message(
                to=to,
                body=body,
                from_=from_,
                media_url=media_url,
                status_callback=status_callback,
                messaging_service_sid=messaging_service_sid,
            )
        except TwilioApiError as error:
            if str(error.code) == UNSUBSCRIBED_RECIPIENT and self.opt_outs is not None:
                self.opt_outs.opt_out(to, messaging_service_sid or from_, source="error_21610")
                logger.info("%s opted out of %s (error 21610)", to, messaging_service_sid or from_)
            raise
        if self.deliveries is not None:
            try:
                self.deliveries.record(
                    sent.sid,
                    sent.status,
                    to=sent.to or to,
                    from_=sent.from_ or from_,
                    sender=messaging_service_sid,
                )
            except Exception:
                # The message is sent: a delivery record is not worth a second message.
                logger.exception("message %s sent, but not recorded in deliveries", sent.sid)
        return sent
