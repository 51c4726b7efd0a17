"""twhooks.payloads: realistic webhook parameters, every field overridable."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from twhooks import payloads
from twhooks.exceptions import SimulationError
from twhooks.kinds import KINDS

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

SID = re.compile(r"^[A-Z]{2}[0-9a-f]{32}$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@pytest.mark.parametrize("prefix", ["SM", "MM", "CA", "AC", "MG", "RE", "tr"])
def test_new_sid_has_the_prefix_and_34_characters(prefix: str) -> None:
    sid = payloads.new_sid(prefix)
    assert SID.match(sid)
    assert sid.startswith(prefix.upper())
    assert payloads.new_sid(prefix) != sid


@pytest.mark.parametrize("prefix", ["S", "SMS", "1A", ""])
def test_new_sid_refuses_a_bad_prefix(prefix: str) -> None:
    with pytest.raises(SimulationError, match="two letters"):
        payloads.new_sid(prefix)


@pytest.mark.parametrize(
    ("keyword", "name"),
    [
        ("profile_name", "ProfileName"),
        ("from_", "From"),
        ("wa_id", "WaId"),
        ("media_url0", "MediaUrl0"),
        ("Body", "Body"),
    ],
)
def test_twilio_name(keyword: str, name: str) -> None:
    assert payloads.twilio_name(keyword) == name


def test_incoming_sms_has_every_field_twilio_sends() -> None:
    fields = payloads.incoming_message("Hello")
    assert SID.match(fields["MessageSid"]) and fields["MessageSid"].startswith("SM")
    assert fields["SmsSid"] == fields["SmsMessageSid"] == fields["MessageSid"]
    assert fields["MessagingServiceSid"].startswith("MG")
    assert fields["AccountSid"] == payloads.TEST_ACCOUNT_SID
    assert fields["ApiVersion"] == "2010-04-01"
    assert E164.match(fields["From"]) and E164.match(fields["To"])
    assert fields["Body"] == "Hello"
    assert fields["NumMedia"] == "0"
    assert fields["NumSegments"] == "1"
    assert fields["SmsStatus"] == "received"
    assert (fields["FromCity"], fields["FromState"], fields["FromCountry"]) == (
        "SAN FRANCISCO",
        "CA",
        "US",
    )
    assert {"FromZip", "ToCity", "ToState", "ToZip", "ToCountry"} <= fields.keys()
    assert all(isinstance(value, str) for value in fields.values())


def test_incoming_mms_numbers_its_media_from_zero() -> None:
    fields = payloads.incoming_message(
        "Look",
        media=["https://example.com/cat.png", ("https://example.com/clip", "video/mp4")],
    )
    assert fields["MessageSid"].startswith("MM")
    assert fields["NumMedia"] == "2"
    assert fields["MediaUrl0"] == "https://example.com/cat.png"
    assert fields["MediaContentType0"] == "image/png"
    assert fields["MediaUrl1"] == "https://example.com/clip"
    assert fields["MediaContentType1"] == "video/mp4"
    assert "MediaUrl2" not in fields


def test_whatsapp_message_prefixes_both_addresses_and_names_the_profile() -> None:
    fields = payloads.incoming_message("hola", from_="whatsapp:+34600111222", to="+14155550199")
    assert fields["From"] == "whatsapp:+34600111222"
    assert fields["To"] == "whatsapp:+14155550199"
    assert fields["WaId"] == "34600111222"
    assert fields["ProfileName"]
    assert "FromCity" not in fields


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("", "1"),
        ("a" * 160, "1"),
        ("a" * 161, "2"),
        ("é" * 161, "2"),
        ("€" * 80, "1"),
        ("€" * 81, "2"),
        ("a" * 306, "2"),
        ("a" * 307, "3"),
        ("ж" * 70, "1"),
        ("ж" * 71, "2"),
        ("😀" * 35, "1"),
        ("😀" * 36, "2"),
    ],
    ids=[
        "empty",
        "160-gsm",
        "161-gsm",
        "gsm-accents",
        "80-gsm-extension",
        "81-gsm-extension",
        "306-gsm",
        "307-gsm",
        "70-ucs2",
        "71-ucs2",
        "35-emoji",
        "36-emoji",
    ],
)
def test_num_segments_follows_the_encoding(body: str, segments: str) -> None:
    assert payloads.incoming_message(body)["NumSegments"] == segments


@pytest.mark.parametrize(
    ("number", "country", "city"),
    [
        ("+14155550100", "US", "SAN FRANCISCO"),
        ("+12125550100", "US", "NEW YORK"),
        ("+447700900123", "GB", ""),
        ("+33612345678", "FR", ""),
        ("+999123456", "", ""),
    ],
)
def test_geographic_fields_come_from_the_number(number: str, country: str, city: str) -> None:
    fields = payloads.incoming_message(from_=number)
    assert (fields["FromCountry"], fields["FromCity"]) == (country, city)


def test_keywords_params_and_removal_override_any_field() -> None:
    fields = payloads.incoming_message(
        "STOP",
        from_="+12125550123",
        profile_name="Ana",
        opt_out_type="STOP",
        params={"FromCity": None, "SmsStatus": "receiving", "X-Custom": "1"},
    )
    assert fields["From"] == "+12125550123"
    assert fields["ProfileName"] == "Ana"
    assert fields["OptOutType"] == "STOP"
    assert "FromCity" not in fields
    assert fields["SmsStatus"] == "receiving"
    assert fields["X-Custom"] == "1"


@pytest.mark.parametrize(
    ("status", "error_code", "raw_date"),
    [
        ("queued", None, False),
        ("sent", None, False),
        ("delivered", None, True),
        ("undelivered", "30003", True),
        ("failed", "30008", False),
    ],
)
def test_message_status(status: str, error_code: str | None, raw_date: bool) -> None:
    fields = payloads.message_status(status)
    assert fields["MessageStatus"] == fields["SmsStatus"] == status
    assert fields["From"] == payloads.TEST_APP_NUMBER  # the app sent it
    assert fields.get("ErrorCode") == error_code
    assert ("RawDlrDoneDate" in fields) is raw_date
    if raw_date:
        assert re.fullmatch(r"[0-9]{10}", fields["RawDlrDoneDate"])


def test_incoming_call_duplicates_the_numbers_as_caller_and_called() -> None:
    fields = payloads.incoming_call(from_="+12125550123")
    assert SID.match(fields["CallSid"]) and fields["CallSid"].startswith("CA")
    assert fields["Caller"] == fields["From"] == "+12125550123"
    assert fields["Called"] == fields["To"] == payloads.TEST_APP_NUMBER
    assert (fields["CallStatus"], fields["Direction"]) == ("ringing", "inbound")
    assert fields["CallerCity"] == fields["FromCity"] == "NEW YORK"
    assert fields["CalledCountry"] == "US"


VOICE_CALLBACKS: list[tuple[str, Callable[..., dict[str, str]], set[str]]] = [
    ("gather", payloads.gather_result, {"Digits", "FinishedOnKey"}),
    ("record", payloads.record_result, {"RecordingUrl", "RecordingSid", "RecordingDuration"}),
    ("dial", payloads.dial_result, {"DialCallStatus", "DialCallSid", "DialCallDuration"}),
    ("call-status", payloads.call_status, {"CallbackSource", "SequenceNumber", "Timestamp"}),
    ("transcription", payloads.transcription, {"TranscriptionText", "TranscriptionSid"}),
]


@pytest.mark.parametrize(
    ("factory", "expected"),
    [(factory, expected) for _, factory, expected in VOICE_CALLBACKS],
    ids=[name for name, _, _ in VOICE_CALLBACKS],
)
def test_voice_callbacks_carry_the_call_they_belong_to(
    factory: Callable[..., dict[str, str]], expected: set[str]
) -> None:
    call = payloads.incoming_call(from_="+12125550123")
    fields = factory(call)
    assert fields["CallSid"] == call["CallSid"]
    assert fields["From"] == "+12125550123"
    assert expected <= fields.keys()


def test_gather_result_with_speech_has_a_confidence_and_no_digits() -> None:
    fields = payloads.gather_result(speech="sales please", confidence=0.5)
    assert fields["SpeechResult"] == "sales please"
    assert fields["Confidence"] == "0.5"
    assert "Digits" not in fields


def test_completed_call_status_has_the_duration_in_seconds_and_billed_minutes() -> None:
    fields = payloads.call_status(status="completed", duration=61)
    assert (fields["CallDuration"], fields["Duration"]) == ("61", "2")
    assert "CallDuration" not in payloads.call_status(status="ringing")


def test_record_result_links_the_recording_to_the_account() -> None:
    fields = payloads.record_result(duration=12)
    assert fields["RecordingSid"].startswith("RE")
    assert fields["RecordingUrl"].endswith(
        f"/Accounts/{fields['AccountSid']}/Recordings/" + fields["RecordingSid"]
    )
    assert fields["RecordingDuration"] == "12"


@pytest.mark.parametrize(
    ("event", "present", "absent"),
    [
        ("participant-join", {"CallSid", "Muted", "Hold"}, {"ReasonConferenceEnded"}),
        ("participant-leave", {"ReasonParticipantLeft"}, {"ReasonConferenceEnded"}),
        ("conference-end", {"ReasonConferenceEnded"}, {"CallSid"}),
    ],
)
def test_conference_events(event: str, present: set[str], absent: set[str]) -> None:
    fields = payloads.conference(event)
    assert fields["StatusCallbackEvent"] == event
    assert fields["ConferenceSid"].startswith("CF")
    assert present <= fields.keys()
    assert not absent & fields.keys()


def test_amd_result() -> None:
    fields = payloads.amd(answered_by="machine_end_beep")
    assert fields["AnsweredBy"] == "machine_end_beep"
    assert fields["MachineDetectionDuration"].isdigit()


def test_every_kind_of_the_registry_has_a_factory() -> None:
    assert list(payloads.FACTORIES) == list(KINDS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_builds_with_defaults(kind: str) -> None:
    fields = payloads.webhook(kind)
    assert fields.keys() == payloads.FACTORIES[kind]().keys()
    assert fields["AccountSid"] == payloads.TEST_ACCOUNT_SID
    assert all(isinstance(value, str) for value in fields.values())
    # Read back as the kind's event, the field that picks the handler has a known value.
    entry = KINDS[kind]
    if entry.field is not None:
        assert getattr(entry.event.from_params(fields), entry.field) in entry.known


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("message_status", "message_status"),
        ("message-status", "message_status"),
        ("call-status", "call_status"),
        ("recording", "recording_status"),
        ("recording-status", "recording_status"),
        ("conference", "conference_status"),
    ],
)
def test_a_kind_by_any_of_its_names(name: str, kind: str) -> None:
    assert payloads.kind_for(name) == kind
    assert payloads.webhook(name).keys() == payloads.FACTORIES[kind]().keys()


def test_an_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(SimulationError, match="unknown kind of webhook 'fax'; one of: message"):
        payloads.webhook("fax")


def test_a_voice_callback_belongs_to_a_call_of_the_account() -> None:
    account = "AC" + "1" * 32
    fields = payloads.webhook("call_status", account_sid=account)
    assert fields["AccountSid"] == account
    call = payloads.incoming_call()
    assert payloads.webhook("amd", call=call)["CallSid"] == call["CallSid"]


@pytest.mark.parametrize(
    ("factory", "override", "copy"),
    [
        (payloads.incoming_message, {"MessageSid": "SM" + "1" * 32}, "SmsSid"),
        (payloads.incoming_message, {"MessageSid": "SM" + "1" * 32}, "SmsMessageSid"),
        (payloads.message_status, {"MessageStatus": "read"}, "SmsStatus"),
        (payloads.incoming_call, {"From": "+12125550100"}, "Caller"),
        (payloads.incoming_call, {"To": "+12125550199"}, "Called"),
    ],
    ids=["SmsSid", "SmsMessageSid", "SmsStatus", "Caller", "Called"],
)
def test_copies_follow_an_override_of_their_original(
    factory: Callable[..., dict[str, str]], override: dict[str, str], copy: str
) -> None:
    [value] = override.values()
    assert factory(params=override)[copy] == value
    assert factory(params={**override, copy: "kept"})[copy] == "kept"


# -- the payloads read back as twhooks' typed events ------------------------------------------


def test_incoming_message_reads_back_as_an_event() -> None:
    from twhooks.events import IncomingMessage

    fields = payloads.incoming_message("Look", media=["https://example.com/a.png"])
    event = IncomingMessage.from_params(fields)
    assert (event.sid, event.body, event.from_) == (fields["MessageSid"], "Look", fields["From"])
    assert [(item.url, item.content_type) for item in event.media] == [
        ("https://example.com/a.png", "image/png")
    ]
    assert event.params["FromCity"] == "SAN FRANCISCO"


def test_message_status_reads_back_as_an_event() -> None:
    from twhooks.events import MessageStatus

    event = MessageStatus.from_params(payloads.message_status("undelivered"))
    assert (event.status, event.error_code) == ("undelivered", 30003)
    assert event.raw_dlr_done_date is not None


def test_voice_callbacks_read_back_as_events() -> None:
    from twhooks.events import (
        AmdResult,
        Call,
        CallStatus,
        ConferenceStatus,
        RecordingStatus,
        Transcription,
    )

    call = payloads.incoming_call()
    sid = call["CallSid"]
    gathered = Call.from_params(payloads.gather_result(call, speech="yes", confidence=0.5))
    assert (gathered.sid, gathered.speech_result, gathered.confidence) == (sid, "yes", 0.5)
    recorded = Call.from_params(payloads.record_result(call, duration=9))
    assert recorded.recording_duration == 9
    dialed = Call.from_params(payloads.dial_result(call, status="busy"))
    assert (dialed.dial_call_status, dialed.dial_call_duration) == ("busy", 0)
    status = CallStatus.from_params(payloads.call_status(call, duration=61))
    assert (status.sid, status.call_duration, status.duration) == (sid, 61, 2)
    assert status.timestamp is not None
    recording = RecordingStatus.from_params(payloads.recording_status(call))
    assert (recording.call_sid, recording.status) == (sid, "completed")
    assert recording.recording_start_time is not None
    text = Transcription.from_params(payloads.transcription(call, text="hi"))
    assert (text.call_sid, text.text, text.status) == (sid, "hi", "completed")
    room = ConferenceStatus.from_params(payloads.conference("participant-join", call=call))
    assert (room.call_sid, room.event, room.muted) == (sid, "participant-join", False)
    machine = AmdResult.from_params(payloads.amd(call, answered_by="machine_start"))
    assert (machine.sid, machine.answered_by) == (sid, "machine_start")
