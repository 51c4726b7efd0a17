"""Calls: status callbacks ordered by ``SequenceNumber``, recordings, transcriptions, AMD."""

from __future__ import annotations

import time
from collections.abc import Mapping

from .base import Store
from .records import CallEvent, CallRecord

__all__ = ["Calls"]

#: Default of ``TWHOOKS_CALL_TTL``: a call is kept 7 days after its last callback.
DEFAULT_CALL_TTL = 7 * 86400.0

# Where a call status stands when its callback has no SequenceNumber.
_CALL_STATUS_ORDER = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3}
_FINAL_ORDER = 4


class Calls:
    """What is known of every call: ``hooks.calls``.

    :param store: where they are kept.
    :param ttl: how long a call is kept after its last callback, in seconds
        (``TWHOOKS_CALL_TTL``).
    """

    def __init__(self, store: Store, *, ttl: float = DEFAULT_CALL_TTL) -> None:
        self.store = store
        self.ttl = ttl

    def record(self, kind: str, params: Mapping[str, str], *, at: float | None = None) -> bool:
        """Record one callback about a call; a duplicate is kept once.

        :param kind: the webhook kind: ``"call_status"``, ``"recording_status"``,
            ``"transcription"`` or ``"amd"`` (others are ignored).
        :returns: whether it was new.
        """
        call_sid = params.get("CallSid")
        if not call_sid:
            return False
        at = time.time() if at is None else at
        event: CallEvent | None = None
        if kind == "call_status":
            status = params.get("CallStatus", "")
            seq = params.get("SequenceNumber", "")
            if seq.isdigit():
                event = CallEvent("status", seq, int(seq), at, dict(params))
            else:
                order = _CALL_STATUS_ORDER.get(status, _FINAL_ORDER)
                event = CallEvent("status", f"~{status}", order, at, dict(params))
        elif kind == "recording_status":
            ident = f"{params.get('RecordingSid', '')}:{params.get('RecordingStatus', '')}"
            event = CallEvent("recording", ident, 0, at, dict(params))
        elif kind == "transcription":
            ident = f"{params.get('TranscriptionSid', '')}:{params.get('TranscriptionStatus', '')}"
            event = CallEvent("transcription", ident, 0, at, dict(params))
        elif kind == "amd":
            event = CallEvent("amd", "amd", 0, at, dict(params))
        if event is None:
            return False
        return self.store.record_call_event(call_sid, event, self.ttl)

    def get(self, call_sid: str) -> CallRecord | None:
        """Everything recorded of the call, or ``None``."""
        events = self.store.call_events(call_sid)
        if not events:
            return None
        by_kind: dict[str, list[CallEvent]] = {}
        for event in sorted(events, key=lambda e: (e.order, e.at)):
            by_kind.setdefault(event.kind, []).append(event)
        callbacks = tuple(by_kind.get("status", ()))
        amd = by_kind.get("amd")
        return CallRecord(
            call_sid,
            callbacks[-1].params.get("CallStatus") if callbacks else None,
            callbacks,
            tuple(sorted(by_kind.get("recording", ()), key=lambda e: e.at)),
            tuple(sorted(by_kind.get("transcription", ()), key=lambda e: e.at)),
            amd[0] if amd else None,
        )
