"""The dashboard's records, read from twhooks' shared store: every worker sees the same.

twhooks records every message status callback (``hooks.deliveries``: the furthest status of
each message, late and repeated callbacks never moving it back), every call callback
(``hooks.calls``), the opt-outs (``hooks.opt_outs``) and a history of the webhooks
(``hooks.history``). The store is an SQLite file in the app's instance folder by default,
shared by every worker of one host (``TWHOOKS_STORE`` picks PostgreSQL or Redis for
several hosts). This module is the one place that knows how the dashboard reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from twhooks.store import Delivery, OptOut

from .hooks import hooks


@dataclass
class Voicemail:
    """A voicemail left through the phone menu."""

    call_sid: str
    caller: str | None = None
    recording_url: str | None = None
    duration: str | None = None
    transcript: str | None = None


def messages(limit: int = 50) -> list[Delivery]:
    """The most recently updated messages, with their furthest status and its history."""
    return [hooks.deliveries.get(m.sid) or m for m in hooks.deliveries.recent(limit)]


def summary() -> dict[str, int]:
    """How many messages are at each status."""
    return hooks.deliveries.summary()


def opt_outs(limit: int = 50) -> list[OptOut]:
    """Who texted STOP (or was reported unsubscribed by a status callback)."""
    return hooks.opt_outs.recent(limit)


def voicemails(limit: int = 20) -> list[Voicemail]:
    """The calls that reached the voicemail step, newest first: from the webhook history
    (the ``<Record>`` action and recording callbacks) and the calls' records (recordings,
    transcriptions, the caller)."""
    found: dict[str, Voicemail] = {}
    for request in hooks.history.recent(500):
        params = request.params
        call_sid = params.get("CallSid")
        left_one = request.kind == "recording_status" or (
            request.kind == "call" and request.url.partition("?")[0].endswith("/voicemail")
        )
        if not call_sid or not left_one:
            continue
        entry = found.setdefault(call_sid, Voicemail(call_sid))
        entry.caller = entry.caller or params.get("From")
        entry.recording_url = entry.recording_url or params.get("RecordingUrl")
        entry.duration = entry.duration or params.get("RecordingDuration")
        if len(found) == limit:
            break
    for entry in found.values():
        call = hooks.calls.get(entry.call_sid)
        if call is None:
            continue
        for event in (*call.callbacks, *call.recordings):
            entry.caller = entry.caller or event.params.get("From")
        for event in call.recordings:
            entry.recording_url = event.params.get("RecordingUrl") or entry.recording_url
            entry.duration = event.params.get("RecordingDuration") or entry.duration
        for event in call.transcriptions:
            entry.transcript = event.params.get("TranscriptionText") or entry.transcript
    return list(found.values())
