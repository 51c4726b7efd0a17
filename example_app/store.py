"""The dashboard's records: message statuses and voicemails, in this process's memory.

The handlers write here (through :func:`current`) and ``/dashboard`` reads from here; nothing
else knows where the records live. A real app would use its database; the point here is the
rule for statuses: callbacks arrive out of order and more than once, so keep the *furthest*
status of each message.

The records are per process: under gunicorn with several workers, each worker keeps its own,
and the dashboard shows what the worker that answers it has seen. Keeping them in a store
shared by every worker is this module's job alone (twhooks' shared store, ``TWHOOKS_STORE``,
is coming).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app

from twhooks import MessageStatus
from twhooks.events import message_status_rank


@dataclass
class MessageRecord:
    """What the dashboard shows for one outgoing message."""

    sid: str
    status: str
    to: str | None = None
    error_code: int | None = None
    updated: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    #: How many callbacks arrived for it (duplicates and late ones included).
    callbacks: int = 1


@dataclass
class Voicemail:
    """A voicemail left through the phone menu."""

    call_sid: str
    caller: str | None
    recording_url: str | None = None
    duration: int | None = None
    transcript: str | None = None


class Dashboard:
    """Recent message statuses and voicemails, safe to update from several threads."""

    def __init__(self, keep: int = 100) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._messages: OrderedDict[str, MessageRecord] = OrderedDict()
        self._voicemails: OrderedDict[str, Voicemail] = OrderedDict()

    def record_status(self, event: MessageStatus) -> MessageRecord | None:
        """Keep ``event``'s status unless the message already got further; the record."""
        if not event.sid or not event.status:
            return None
        with self._lock:
            record = self._messages.get(event.sid)
            if record is None:
                record = MessageRecord(event.sid, event.status, event.to, event.error_code)
                self._messages[event.sid] = record
            else:
                record.callbacks += 1
                if message_status_rank(event.status) > message_status_rank(record.status):
                    record.status = event.status
                    record.error_code = event.error_code or record.error_code
                    record.updated = datetime.now(timezone.utc)
            self._messages.move_to_end(event.sid)
            while len(self._messages) > self._keep:
                self._messages.popitem(last=False)
            return record

    def recent_messages(self) -> list[MessageRecord]:
        """Most recently updated first."""
        with self._lock:
            return list(reversed(self._messages.values()))

    def voicemail(self, call_sid: str, caller: str | None = None) -> Voicemail:
        """The voicemail of ``call_sid``, created on first use."""
        with self._lock:
            found = self._voicemails.get(call_sid)
            if found is None:
                found = self._voicemails[call_sid] = Voicemail(call_sid, caller)
                while len(self._voicemails) > self._keep:
                    self._voicemails.popitem(last=False)
            return found

    def voicemails(self) -> list[Voicemail]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._voicemails.values()))


def current() -> Dashboard:
    """The :class:`Dashboard` of the app handling the current request."""
    board: Dashboard = current_app.extensions["dashboard"]
    return board
