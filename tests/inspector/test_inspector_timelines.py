"""Timelines built by real webhooks through the app: a call's callbacks, shuffled."""

from __future__ import annotations

import random
from typing import Any

import pytest
from _signing import signed_post
from browser import webhook_app

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

P = "/twilio/_inspector"
CALL = "CA" + "d4" * 16
BASE = {
    "AccountSid": "AC" + "0" * 32,
    "CallSid": CALL,
    "From": "+15551230000",
    "To": "+15559990000",
}


def test_call_timeline_from_shuffled_callbacks() -> None:
    app, hooks = webhook_app()

    @hooks.call()
    def welcome(call: Any) -> str:
        return '<Response><Gather numDigits="1"><Say>Press 1</Say></Gather></Response>'

    client = app.test_client()
    assert (
        signed_post(client, "/twilio/voice", {**BASE, "CallStatus": "ringing"}).status_code == 200
    )
    statuses = list(enumerate(["initiated", "ringing", "in-progress", "completed"]))
    random.Random(5).shuffle(statuses)
    for seq, status in statuses:
        params = {**BASE, "CallStatus": status, "SequenceNumber": str(seq)}
        assert signed_post(client, "/twilio/voice/status", params).status_code < 300
    signed_post(client, "/twilio/voice/amd", {**BASE, "AnsweredBy": "human"})
    signed_post(
        client,
        "/twilio/voice/recording",
        {
            **BASE,
            "RecordingSid": "RE" + "1" * 32,
            "RecordingStatus": "completed",
            "RecordingDuration": "12",
            "RecordingUrl": "https://api.twilio.com/rec",
        },
    )
    page = client.get(P + f"/calls/{CALL}").get_data(as_text=True)
    positions = [page.index(f"#{seq}</span>") for seq in range(4)]
    assert positions == sorted(positions)  # by SequenceNumber, not arrival
    assert 'id="call-status">completed<' in page
    assert "human" in page and "RE" + "1" * 32 in page
    assert "Press 1" in page and "welcome" in page  # the call's step and what it said
