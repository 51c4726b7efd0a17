"""Delivery tracking: every message status callback recorded, furthest status wins."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..exceptions import DeliveryFailed, DeliveryTimeout
from .base import Store, blocks
from .optouts import OptOuts
from .polling import PENDING, Pending, poll, poll_async
from .records import Delivery, message_status_order

__all__ = ["Deliveries", "StatusUpdate"]

#: Default of ``TWHOOKS_DELIVERY_TTL``: a message is kept 7 days after its last callback.
DEFAULT_DELIVERY_TTL = 7 * 86400.0
#: Twilio's error for a message to a recipient who opted out.
UNSUBSCRIBED_RECIPIENT = "21610"
#: The statuses a message ends in when it does not get through.
FAILED_STATUSES = frozenset({"failed", "undelivered", "canceled"})


class StatusUpdate(NamedTuple):
    """What recording one status callback did."""

    #: The furthest status before this callback (``None`` if none).
    previous: str | None
    #: Whether this callback moved the message forward.
    advanced: bool


class Deliveries:
    """The delivery record of every message: ``hooks.deliveries``.

    :param store: where they are kept.
    :param ttl: how long a message is kept after its last callback, in seconds
        (``TWHOOKS_DELIVERY_TTL``).
    :param opt_outs: where a recipient is recorded as opted out when a callback carries error
        21610 (none: not recorded).
    """

    def __init__(
        self, store: Store, *, ttl: float = DEFAULT_DELIVERY_TTL, opt_outs: OptOuts | None = None
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.opt_outs = opt_outs

    def record(
        self,
        sid: str,
        status: str,
        *,
        error_code: str | None = None,
        to: str | None = None,
        from_: str | None = None,
        at: float | None = None,
        sender: str | None = None,
    ) -> StatusUpdate:
        """Record one status callback of message *sid* (duplicates and late ones included).

        :param sender: what the recipient opted out of when the callback carries error 21610:
            the Messaging Service SID if the message went through one (default: *from_*).
        :returns: the furthest status before it, and whether it moved the message forward.
        """
        error_code = error_code or None
        previous, advanced = self.store.record_message_status(
            sid,
            status,
            error_code=error_code,
            to=to,
            from_=from_,
            at=time.time() if at is None else at,
            ttl=self.ttl,
        )
        if error_code == UNSUBSCRIBED_RECIPIENT and to and self.opt_outs is not None:
            self.opt_outs.opt_out(to, sender or from_, source="error_21610")
        return StatusUpdate(previous, advanced)

    def record_callback(self, params: Mapping[str, str]) -> StatusUpdate | None:
        """Record the status callback with these form parameters (``None``: not one)."""
        sid = params.get("MessageSid") or params.get("SmsSid")
        status = params.get("MessageStatus") or params.get("SmsStatus")
        if not sid or not status:
            return None
        return self.record(
            sid,
            status,
            error_code=params.get("ErrorCode"),
            to=params.get("To"),
            from_=params.get("From"),
            sender=params.get("MessagingServiceSid"),
        )

    def preview(self, params: Mapping[str, str]) -> StatusUpdate | None:
        """What :meth:`record_callback` would return for these form parameters, writing
        nothing (``None``: not a status callback). The dispatcher records a callback whose
        handler runs only once that handler succeeded, under the lock of its message: a
        handler that raised leaves the status not applied, and Twilio's retry (or a re-run)
        runs it again.

        An opt-out the callback carries (error 21610) is recorded at once all the same: it
        never waits for a handler.
        """
        sid = params.get("MessageSid") or params.get("SmsSid")
        status = params.get("MessageStatus") or params.get("SmsStatus")
        if not sid or not status:
            return None
        to, error_code = params.get("To"), params.get("ErrorCode")
        if error_code == UNSUBSCRIBED_RECIPIENT and to and self.opt_outs is not None:
            sender = params.get("MessagingServiceSid") or params.get("From")
            self.opt_outs.opt_out(to, sender, source="error_21610")
        # A store's own may not have ``furthest_status``: its delivery record then.
        reader = getattr(self.store, "furthest_status", None)
        if reader is not None:
            previous: str | None = reader(sid)
        else:
            found = self.store.get_message(sid)
            previous = found.status if found is not None else None
        furthest = -1 if previous is None else message_status_order(previous)
        return StatusUpdate(previous, message_status_order(status) > furthest)

    def track(
        self, sid: str, *, to: str | None = None, from_: str | None = None, **meta: Any
    ) -> None:
        """Register a message the app sent, so that it is listed before its first callback.

        :param meta: JSON values of the app's own, given back in :attr:`Delivery.meta`.
        """
        self.store.track_message(sid, to=to, from_=from_, meta=meta, at=time.time(), ttl=self.ttl)

    def get(self, sid: str) -> Delivery | None:
        """The delivery record of *sid*, with its history (each distinct status once)."""
        return self.store.get_message(sid)

    def recent(self, limit: int = 50, status: str | None = None) -> list[Delivery]:
        """The most recently updated messages, at *status* if given (without history)."""
        return self.store.recent_messages(limit, status)

    def summary(self, since: float | None = None) -> dict[str, int]:
        """How many messages are at each status (updated since *since*, Unix time, if given)."""
        return self.store.message_summary(since)

    # -- waiting ---------------------------------------------------------------------------

    def wait(self, sid: str, status: str = "delivered", *, timeout: float = 30.0) -> Delivery:
        """Wait until message *sid* reached *status*, through the store: the status callback
        may reach any worker or host that shares it.

        It returns as soon as the message is at *status* or further along its lifecycle
        (waiting for ``sent`` returns on ``delivered``; waiting for ``delivered`` returns on
        ``read``). A message that ended in a failure instead — ``failed``, ``undelivered`` or
        ``canceled``, when that is not what was waited for — raises
        :class:`~twhooks.DeliveryFailed` at once rather than wait for a status that will
        never come. The store is read every 10 ms at first, then up to every 250 ms
        (:mod:`twhooks.store.polling`); a blocking call: on an event loop, use
        :meth:`wait_async`.

        :param status: any message status (``queued``, ``sent``, ``delivered``, ``read``,
            ``undelivered`` …).
        :param timeout: how long to wait, in seconds.
        :returns: its delivery record, with its history.
        :raises ~twhooks.DeliveryTimeout: not there after *timeout* seconds (a
            :class:`TimeoutError`; its ``last`` is the furthest status then).
        :raises ~twhooks.DeliveryFailed: it ended in another failure.
        """
        found = poll(lambda: self._reached(sid, status), timeout)
        return self._outcome(found, sid, status, timeout)

    async def wait_async(
        self, sid: str, status: str = "delivered", *, timeout: float = 30.0
    ) -> Delivery:
        """:meth:`wait` on an event loop (Quart): the pauses are ``asyncio.sleep``, and a
        store whose calls block is read in a worker thread."""
        import asyncio

        async def attempt() -> Delivery | Pending:
            if blocks(self.store):
                return await asyncio.to_thread(self._reached, sid, status)
            return self._reached(sid, status)

        found = await poll_async(attempt, timeout)
        return self._outcome(found, sid, status, timeout)

    def _reached(self, sid: str, status: str) -> Delivery | Pending:
        """The delivery of *sid* once at or past *status* or failed; else :data:`PENDING`."""
        reader = getattr(self.store, "furthest_status", None)
        if reader is not None:
            current: str | None = reader(sid)  # one cheap read per try
            if current is None or not _settled(current, status):
                return PENDING
        found = self.store.get_message(sid)
        if found is None or found.status is None or not _settled(found.status, status):
            return PENDING
        return found

    def _outcome(
        self, found: Delivery | Pending, sid: str, status: str, timeout: float
    ) -> Delivery:
        if isinstance(found, Pending):
            last = self.store.get_message(sid)
            raise DeliveryTimeout(sid, status, last.status if last else None, timeout)
        if found.status in FAILED_STATUSES and found.status != status:
            raise DeliveryFailed(found, status)
        return found


def _settled(current: str, status: str) -> bool:
    """Whether a message at *current* is done being waited for at *status*: there or past it,
    or ended in a failure."""
    if current == status or current in FAILED_STATUSES:
        return True
    return message_status_order(current) >= message_status_order(status)
