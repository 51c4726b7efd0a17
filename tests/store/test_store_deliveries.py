"""Delivery tracking and calls on every backend."""

from __future__ import annotations

import time

import pytest

from twhooks.store import Calls, Deliveries, OptOuts, StatusUpdate, Store


def statuses(deliveries: Deliveries, sid: str) -> list[str]:
    found = deliveries.get(sid)
    assert found is not None
    return [change.status for change in found.history]


def test_out_of_order_callbacks_keep_the_furthest_status(store: Store) -> None:
    deliveries = Deliveries(store)
    assert deliveries.record("SM1", "queued", to="+1555", from_="+1999") == (None, True)
    assert deliveries.record("SM1", "delivered") == StatusUpdate("queued", True)
    assert deliveries.record("SM1", "sent") == StatusUpdate("delivered", False)
    assert deliveries.record("SM1", "delivered") == StatusUpdate("delivered", False)
    found = deliveries.get("SM1")
    assert found is not None
    assert (found.status, found.to, found.from_) == ("delivered", "+1555", "+1999")
    assert statuses(deliveries, "SM1") == ["queued", "sent", "delivered"]


@pytest.mark.parametrize(
    ("arrivals", "final"),
    [
        (["failed", "sent"], "failed"),
        (["sent", "failed"], "failed"),
        (["undelivered", "sent", "queued"], "undelivered"),
        (["delivered", "undelivered"], "delivered"),
        (["delivered", "read", "sent"], "read"),
        (["scheduled", "canceled", "queued"], "canceled"),
        (["sending", "accepted"], "sending"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) else v,
)
def test_a_final_status_never_regresses(store: Store, arrivals: list[str], final: str) -> None:
    deliveries = Deliveries(store)
    for status in arrivals:
        deliveries.record("SM1", status)
    found = deliveries.get("SM1")
    assert found is not None and found.status == final
    assert sorted(statuses(deliveries, "SM1")) == sorted(set(arrivals))


def test_the_error_code_and_time_of_each_status(store: Store) -> None:
    deliveries = Deliveries(store)
    t = float(int(time.time()))
    deliveries.record("SM1", "sent", at=t)
    deliveries.record("SM1", "undelivered", error_code="30003", at=t + 10)
    deliveries.record("SM1", "undelivered", error_code="30003", at=t + 20)
    found = deliveries.get("SM1")
    assert found is not None
    assert (found.status, found.error_code, found.updated_at) == ("undelivered", "30003", t + 10)
    assert [(c.status, c.at, c.error_code) for c in found.history] == [
        ("sent", t, None),
        ("undelivered", t + 10, "30003"),
    ]


def test_an_unknown_status_is_kept_only_until_a_known_one(store: Store) -> None:
    deliveries = Deliveries(store)
    assert deliveries.record("SM1", "brand_new") == (None, True)
    assert deliveries.record("SM1", "sent") == ("brand_new", True)
    assert deliveries.record("SM1", "brand_new") == ("sent", False)


def test_track_lists_a_message_before_its_first_callback(store: Store) -> None:
    deliveries = Deliveries(store)
    deliveries.track("SM1", to="+1555", from_="+1999", campaign="spring", batch=3)
    found = deliveries.get("SM1")
    assert found is not None
    assert (found.status, found.to, found.from_, found.history) == (None, "+1555", "+1999", ())
    assert dict(found.meta) == {"campaign": "spring", "batch": 3}
    assert [d.sid for d in deliveries.recent()] == ["SM1"]
    assert deliveries.record("SM1", "sent") == (None, True)
    deliveries.track("SM1", note="again")
    found = deliveries.get("SM1")
    assert found is not None and found.status == "sent"
    assert dict(found.meta) == {"campaign": "spring", "batch": 3, "note": "again"}
    assert deliveries.summary() == {"sent": 1}


def test_recent_and_summary(store: Store) -> None:
    deliveries = Deliveries(store)
    now = time.time()
    deliveries.record("SM1", "delivered", at=now - 100)
    deliveries.record("SM2", "sent", at=now - 50)
    deliveries.record("SM3", "delivered", at=now - 10)
    deliveries.record("SM4", "failed", error_code="30008", at=now - 5)
    assert [d.sid for d in deliveries.recent()] == ["SM4", "SM3", "SM2", "SM1"]
    assert [d.sid for d in deliveries.recent(2)] == ["SM4", "SM3"]
    assert [d.sid for d in deliveries.recent(status="delivered")] == ["SM3", "SM1"]
    assert [d.sid for d in deliveries.recent(1, status="delivered")] == ["SM3"]
    assert deliveries.summary() == {"delivered": 2, "sent": 1, "failed": 1}
    assert deliveries.summary(since=now - 60) == {"delivered": 1, "sent": 1, "failed": 1}


def test_messages_expire(store: Store) -> None:
    deliveries = Deliveries(store, ttl=0.3)
    deliveries.record("SM1", "sent")
    deliveries.track("SM2")
    time.sleep(0.4)
    assert deliveries.get("SM1") is None
    assert deliveries.recent() == []
    assert deliveries.summary() == {}
    assert deliveries.record("SM1", "delivered") == (None, True)
    assert statuses(deliveries, "SM1") == ["delivered"]


def test_error_21610_records_the_recipient_as_opted_out(store: Store) -> None:
    opt_outs = OptOuts(store)
    deliveries = Deliveries(store, opt_outs=opt_outs)
    deliveries.record_callback(
        {
            "MessageSid": "SM1",
            "MessageStatus": "failed",
            "ErrorCode": "21610",
            "To": "whatsapp:+15551230000",
            "From": "+15559990000",
        }
    )
    assert opt_outs.is_opted_out("+15551230000")
    assert opt_outs.is_opted_out("+15551230000", "+15559990000")
    assert not opt_outs.is_opted_out("+15551230000", "+15550000000")
    assert opt_outs.get("+15551230000")[0].source == "error_21610"


def test_record_callback_reads_the_form(store: Store) -> None:
    deliveries = Deliveries(store)
    assert deliveries.record_callback({"SmsSid": "SM1", "SmsStatus": "sent"}) == (None, True)
    assert deliveries.record_callback({"MessageSid": "SM1"}) is None
    found = deliveries.get("SM1")
    assert found is not None and found.status == "sent"


def call_status(seq: int, status: str) -> dict[str, str]:
    return {"CallSid": "CA1", "CallStatus": status, "SequenceNumber": str(seq)}


def test_call_callbacks_are_ordered_by_sequence_number(store: Store) -> None:
    calls = Calls(store)
    assert calls.get("CA1") is None
    arrivals = [(2, "in-progress"), (3, "completed"), (0, "initiated"), (1, "ringing")]
    for seq, status in arrivals:
        assert calls.record("call_status", call_status(seq, status)) is True
    assert calls.record("call_status", call_status(3, "completed")) is False
    found = calls.get("CA1")
    assert found is not None
    assert found.status == "completed"
    assert [c.params["CallStatus"] for c in found.callbacks] == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert [c.order for c in found.callbacks] == [0, 1, 2, 3]


def test_recordings_transcriptions_and_amd(store: Store) -> None:
    calls = Calls(store)
    base = {"CallSid": "CA1"}
    calls.record(
        "recording_status", {**base, "RecordingSid": "RE1", "RecordingStatus": "in-progress"}
    )
    calls.record(
        "recording_status", {**base, "RecordingSid": "RE1", "RecordingStatus": "completed"}
    )
    calls.record(
        "recording_status", {**base, "RecordingSid": "RE1", "RecordingStatus": "completed"}
    )
    calls.record(
        "transcription",
        {
            **base,
            "TranscriptionSid": "TR1",
            "TranscriptionStatus": "completed",
            "TranscriptionText": "hello",
        },
    )
    assert calls.record("amd", {**base, "AnsweredBy": "machine_start"}) is True
    assert calls.record("amd", {**base, "AnsweredBy": "human"}) is False
    assert calls.record("conference_status", base) is False
    assert calls.record("call_status", {"CallStatus": "ringing"}) is False
    found = calls.get("CA1")
    assert found is not None
    assert found.status is None
    assert [r.params["RecordingStatus"] for r in found.recordings] == ["in-progress", "completed"]
    assert found.transcriptions[0].params["TranscriptionText"] == "hello"
    assert found.answered_by == "machine_start"


def test_a_call_status_without_sequence_number(store: Store) -> None:
    calls = Calls(store)
    calls.record("call_status", {"CallSid": "CA1", "CallStatus": "completed"})
    calls.record("call_status", {"CallSid": "CA1", "CallStatus": "ringing"})
    found = calls.get("CA1")
    assert found is not None and found.status == "completed"


def test_calls_expire(store: Store) -> None:
    calls = Calls(store, ttl=0.3)
    calls.record("call_status", call_status(0, "initiated"))
    time.sleep(0.4)
    assert calls.get("CA1") is None


def test_error_21610_through_a_messaging_service(store: Store) -> None:
    opt_outs = OptOuts(store)
    Deliveries(store, opt_outs=opt_outs).record_callback(
        {
            "MessageSid": "SM1",
            "MessageStatus": "undelivered",
            "ErrorCode": "21610",
            "To": "+15551230000",
            "From": "+15559990000",
            "MessagingServiceSid": "MG1",
        }
    )
    assert opt_outs.is_opted_out("+15551230000", "MG1")
    assert not opt_outs.is_opted_out("+15551230000", "+15559990000")
