"""Typed events: every webhook kind parses into a frozen dataclass, and bad values never crash."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twhooks.conversation import Conversation
from twhooks.events import (
    AmdResult,
    Call,
    CallStatus,
    ConferenceStatus,
    IncomingMessage,
    Location,
    MediaItem,
    MessageStatus,
    Params,
    RecordingStatus,
    Transcription,
    WhatsAppInfo,
    message_status_rank,
)

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

# A real inbound SMS as Twilio posts it (20 fields).
SMS = {
    "ToCountry": "US",
    "ToState": "CA",
    "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
    "NumMedia": "0",
    "ToCity": "SAN FRANCISCO",
    "FromZip": "94105",
    "SmsSid": "SM0123456789abcdef0123456789abcdef",
    "FromState": "CA",
    "SmsStatus": "received",
    "FromCity": "SAN FRANCISCO",
    "Body": "Hello there",
    "FromCountry": "US",
    "To": "+15005550006",
    "MessagingServiceSid": "MG0123456789abcdef0123456789abcdef",
    "ToZip": "94105",
    "NumSegments": "1",
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+14155550100",
    "ApiVersion": "2010-04-01",
}


class TestParams:
    def test_first_value_wins_and_getlist_keeps_every_value_in_order(self) -> None:
        params = Params([("Digits", "5678"), ("Digits", "1234"), ("To", "+1")])
        assert params["Digits"] == "5678"
        assert params.getlist("Digits") == ["5678", "1234"]
        assert params.getlist("Missing") == []
        assert list(params) == ["Digits", "To"]
        assert len(params) == 2

    def test_is_read_only(self) -> None:
        params = Params({"Body": "hi"})
        with pytest.raises(TypeError):
            params["Body"] = "changed"  # type: ignore[index]

    def test_keeps_blank_values_and_pairs(self) -> None:
        pairs = [("Body", ""), ("To", "+1")]
        params = Params(pairs)
        assert params["Body"] == ""
        assert params.pairs() == tuple(pairs)


class TestIncomingMessage:
    def test_sms_fields(self) -> None:
        msg = IncomingMessage.from_params(SMS, idempotency_token="tok-1")
        assert msg.sid == "SM0123456789abcdef0123456789abcdef"
        assert msg.account_sid == "AC0123456789abcdef0123456789abcdef"
        assert (msg.from_, msg.to, msg.body) == ("+14155550100", "+15005550006", "Hello there")
        assert (msg.num_media, msg.num_segments, msg.media) == (0, 1, ())
        assert msg.channel == "sms"
        assert msg.messaging_service_sid == "MG0123456789abcdef0123456789abcdef"
        assert msg.idempotency_token == "tok-1"
        assert msg.match is None and msg.conversation is None

    def test_unknown_parameters_are_kept(self) -> None:
        msg = IncomingMessage.from_params({**SMS, "BrandNewField": "42"})
        assert msg.params["BrandNewField"] == "42"
        assert msg.params["ApiVersion"] == "2010-04-01"

    def test_is_frozen(self) -> None:
        msg = IncomingMessage.from_params(SMS)
        with pytest.raises(dataclasses.FrozenInstanceError):
            msg.body = "changed"  # type: ignore[misc]

    def test_mms_media_in_order(self) -> None:
        params = {
            **SMS,
            "NumMedia": "2",
            "MediaUrl0": "https://api.twilio.com/m/ME1",
            "MediaContentType0": "image/jpeg",
            "MediaUrl1": "https://api.twilio.com/m/ME2",
            "MediaContentType1": "video/mp4",
        }
        msg = IncomingMessage.from_params(params)
        assert msg.media == (
            MediaItem("https://api.twilio.com/m/ME1", "image/jpeg"),
            MediaItem("https://api.twilio.com/m/ME2", "video/mp4"),
        )
        assert msg.num_media == 2
        assert msg.channel == "mms"

    @pytest.mark.parametrize(
        ("from_", "channel"),
        [
            pytest.param("+14155550100", "sms", id="e164"),
            pytest.param("whatsapp:+14155550100", "whatsapp", id="whatsapp"),
            pytest.param("rcs:brand_agent", "rcs", id="rcs"),
            pytest.param("messenger:123", "messenger", id="messenger"),
            pytest.param("", "sms", id="empty"),
        ],
    )
    def test_channel_from_address_prefix(self, from_: str, channel: str) -> None:
        assert IncomingMessage.from_params({**SMS, "From": from_}).channel == channel

    def test_whatsapp_fields(self) -> None:
        params = {
            **SMS,
            "From": "whatsapp:+14155550100",
            "ProfileName": "Ada",
            "WaId": "14155550100",
            "Forwarded": "true",
            "FrequentlyForwarded": "false",
            "ButtonText": "Yes",
            "ButtonPayload": "confirm",
            "Latitude": "37.7749",
            "Longitude": "-122.4194",
            "Address": "1 Market St",
            "Label": "Office",
            "OriginalRepliedMessageSid": "SMold",
            "OriginalRepliedMessageSender": "whatsapp:+15005550006",
        }
        msg = IncomingMessage.from_params(params)
        assert msg.whatsapp == WhatsAppInfo(
            profile_name="Ada",
            wa_id="14155550100",
            forwarded=True,
            frequently_forwarded=False,
            button_text="Yes",
            button_payload="confirm",
            original_replied_message_sid="SMold",
            original_replied_message_sender="whatsapp:+15005550006",
        )
        assert msg.location == Location(37.7749, -122.4194, "1 Market St", "Office")

    def test_plain_sms_has_no_whatsapp_or_location(self) -> None:
        msg = IncomingMessage.from_params(SMS)
        assert (msg.whatsapp, msg.location) == (None, None)
        assert msg.params["FromCity"] == "SAN FRANCISCO"  # geography stays in params

    def test_opt_out_type(self) -> None:
        assert IncomingMessage.from_params({**SMS, "OptOutType": "STOP"}).opt_out_type == "STOP"

    def test_media_survives_a_bad_num_media(self, caplog: pytest.LogCaptureFixture) -> None:
        params = {**SMS, "NumMedia": "one", "MediaUrl0": "https://x/ME1"}
        with caplog.at_level(logging.WARNING, logger="twhooks.events"):
            msg = IncomingMessage.from_params(params)
        assert msg.num_media is None
        assert msg.media == (MediaItem("https://x/ME1", None),)
        assert "NumMedia='one'" in caplog.text

    def test_old_sid_names_are_a_fallback(self) -> None:
        params = {k: v for k, v in SMS.items() if k != "MessageSid"}
        assert IncomingMessage.from_params(params).sid == SMS["SmsMessageSid"]

    def test_can_be_built_directly_for_unit_tests(self) -> None:
        conversation = Conversation({})
        msg = IncomingMessage(body="HELP", from_="+1", conversation=conversation)
        assert msg.body == "HELP" and msg.params == {} and msg.conversation is conversation


@pytest.mark.parametrize(
    ("event_type", "name", "value", "field"),
    [
        pytest.param(IncomingMessage, "NumSegments", "two", "num_segments", id="num-segments"),
        pytest.param(MessageStatus, "ErrorCode", "30003x", "error_code", id="error-code"),
        pytest.param(MessageStatus, "RawDlrDoneDate", "2302301530", "raw_dlr_done_date", id="dlr"),
        pytest.param(MessageStatus, "RawDlrDoneDate", "today", "raw_dlr_done_date", id="dlr-txt"),
        pytest.param(Call, "Confidence", "high", "confidence", id="confidence"),
        pytest.param(Call, "RecordingDuration", "1_000", "recording_duration", id="underscore"),
        pytest.param(CallStatus, "Timestamp", "not a date", "timestamp", id="timestamp"),
        pytest.param(CallStatus, "CallDuration", "٣", "call_duration", id="non-ascii-digit"),
        pytest.param(CallStatus, "SequenceNumber", "1.5", "sequence_number", id="sequence"),
        pytest.param(ConferenceStatus, "Muted", "yes", "muted", id="muted"),
        pytest.param(RecordingStatus, "RecordingChannels", "?", "recording_channels", id="chan"),
        pytest.param(AmdResult, "MachineDetectionDuration", "5s", "machine_detection_duration",
                     id="amd-duration"),
    ],
)  # fmt: skip
def test_malformed_value_is_none_and_logged(
    event_type: type[IncomingMessage],
    name: str,
    value: str,
    field: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="twhooks.events"):
        event = event_type.from_params({"AccountSid": "AC1", name: value})
    assert getattr(event, field) is None
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert name in record.getMessage() and repr(value) in record.getMessage()


def test_a_long_malformed_value_is_shortened_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="twhooks.events"):
        CallStatus.from_params({"CallDuration": "x" * 1000})
    assert "x" * 77 + "..." in caplog.text
    assert "x" * 100 not in caplog.text


def test_absent_or_blank_values_are_none_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="twhooks.events"):
        status = MessageStatus.from_params({"MessageStatus": "failed", "ErrorCode": ""})
    assert status.error_code is None
    assert caplog.records == []


class TestMessageStatus:
    def test_fields(self) -> None:
        status = MessageStatus.from_params(
            {
                "MessageSid": "SM1",
                "MessageStatus": "undelivered",
                "SmsStatus": "undelivered",
                "ErrorCode": "30003",
                "From": "+15005550006",
                "To": "+14155550100",
                "AccountSid": "AC1",
                "RawDlrDoneDate": "2302141530",
            }
        )
        assert (status.sid, status.status, status.error_code) == ("SM1", "undelivered", 30003)
        assert status.raw_dlr_done_date == datetime(2023, 2, 14, 15, 30)
        assert status.raw_dlr_done_date.tzinfo is None  # carriers give no time zone

    def test_whatsapp_read_event(self) -> None:
        status = MessageStatus.from_params(
            {"MessageStatus": "read", "ChannelPrefix": "whatsapp", "EventType": "READ"}
        )
        assert (status.channel_prefix, status.event_type, status.rank) == ("whatsapp", "READ", 5)

    def test_deprecated_sms_status_is_a_fallback(self) -> None:
        assert MessageStatus.from_params({"SmsStatus": "sent"}).status == "sent"


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("accepted", "queued"),
        ("scheduled", "queued"),
        ("queued", "sending"),
        ("sending", "sent"),
        ("sending", "failed"),
        ("sent", "delivered"),
        ("sent", "undelivered"),
        ("delivered", "read"),
    ],
)
def test_message_status_rank_follows_the_lifecycle(earlier: str, later: str) -> None:
    assert message_status_rank(earlier) < message_status_rank(later)


def test_unknown_message_status_ranks_lowest() -> None:
    assert message_status_rank("brand-new") == -1
    assert message_status_rank(None) == -1


class TestCall:
    def test_incoming_call(self) -> None:
        call = Call.from_params(
            {
                "CallSid": "CA1",
                "AccountSid": "AC1",
                "From": "+14155550100",
                "To": "+15005550006",
                "CallStatus": "ringing",
                "Direction": "inbound",
                "CallerName": "ADA L",
                "ForwardedFrom": "+15005550001",
            },
            step=None,
        )
        assert (call.sid, call.status, call.direction) == ("CA1", "ringing", "inbound")
        assert (call.caller_name, call.forwarded_from) == ("ADA L", "+15005550001")
        assert call.digits is None and call.step is None

    def test_gather_result(self) -> None:
        call = Call.from_params(
            {
                "CallSid": "CA1",
                "Digits": "2",
                "FinishedOnKey": "#",
                "SpeechResult": "sales please",
                "Confidence": "0.92",
            },
            step="menu",
        )
        assert (call.digits, call.finished_on_key, call.step) == ("2", "#", "menu")
        assert (call.speech_result, call.confidence) == ("sales please", 0.92)

    def test_record_and_dial_results(self) -> None:
        call = Call.from_params(
            {
                "CallSid": "CA1",
                "RecordingUrl": "https://api.twilio.com/r/RE1",
                "RecordingSid": "RE1",
                "RecordingDuration": "14",
                "DialCallStatus": "no-answer",
                "DialCallSid": "CA2",
                "DialCallDuration": "0",
            }
        )
        assert (call.recording_sid, call.recording_duration) == ("RE1", 14)
        assert (call.dial_call_status, call.dial_call_sid, call.dial_call_duration) == (
            "no-answer",
            "CA2",
            0,
        )


def test_call_status() -> None:
    status = CallStatus.from_params(
        {
            "CallSid": "CA1",
            "CallStatus": "completed",
            "CallDuration": "42",
            "Duration": "1",
            "SequenceNumber": "3",
            "Timestamp": "Tue, 14 Feb 2023 15:30:00 +0000",
            "SipResponseCode": "200",
            "CallbackSource": "call-progress-events",
            "AnsweredBy": "human",
        }
    )
    assert (status.status, status.call_duration, status.duration) == ("completed", 42, 1)
    assert status.sequence_number == 3
    assert status.timestamp == datetime(2023, 2, 14, 15, 30, tzinfo=timezone.utc)
    assert (status.sip_response_code, status.answered_by) == (200, "human")


def test_recording_status() -> None:
    status = RecordingStatus.from_params(
        {
            "RecordingSid": "RE1",
            "RecordingStatus": "completed",
            "RecordingUrl": "https://api.twilio.com/r/RE1",
            "RecordingDuration": "14",
            "RecordingChannels": "1",
            "RecordingStartTime": "Tue, 14 Feb 2023 15:30:00 -0800",
            "RecordingSource": "RecordVerb",
            "CallSid": "CA1",
        }
    )
    assert (status.sid, status.status, status.recording_duration) == ("RE1", "completed", 14)
    assert status.recording_start_time == datetime(
        2023, 2, 14, 15, 30, tzinfo=timezone(timedelta(hours=-8))
    )
    assert (status.recording_source, status.call_sid) == ("RecordVerb", "CA1")


def test_transcription() -> None:
    event = Transcription.from_params(
        {
            "TranscriptionSid": "TR1",
            "TranscriptionStatus": "completed",
            "TranscriptionText": "call me back",
            "RecordingSid": "RE1",
            "CallSid": "CA1",
        }
    )
    assert (event.sid, event.status, event.text) == ("TR1", "completed", "call me back")
    assert (event.recording_sid, event.call_sid) == ("RE1", "CA1")


def test_conference_status() -> None:
    event = ConferenceStatus.from_params(
        {
            "ConferenceSid": "CF1",
            "FriendlyName": "standup",
            "StatusCallbackEvent": "participant-join",
            "SequenceNumber": "2",
            "CallSid": "CA1",
            "Muted": "false",
            "Hold": "false",
            "Coaching": "true",
        }
    )
    assert (event.sid, event.friendly_name, event.event) == ("CF1", "standup", "participant-join")
    assert (event.muted, event.hold, event.coaching, event.sequence_number) == (
        False,
        False,
        True,
        2,
    )


def test_amd_result() -> None:
    event = AmdResult.from_params(
        {"CallSid": "CA1", "AnsweredBy": "machine_end_beep", "MachineDetectionDuration": "4123"}
    )
    assert (event.sid, event.answered_by, event.machine_detection_duration) == (
        "CA1",
        "machine_end_beep",
        4123,
    )


EVENT_TYPES = [
    IncomingMessage,
    MessageStatus,
    Call,
    CallStatus,
    RecordingStatus,
    Transcription,
    ConferenceStatus,
    AmdResult,
]
NAMES = st.sampled_from(
    sorted(
        {*SMS, "Latitude", "Forwarded", "Timestamp", "RawDlrDoneDate", "ErrorCode", "Confidence",
         "MediaUrl0", "CallDuration", "Muted"}
    )
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from(EVENT_TYPES),
    pairs=st.lists(st.tuples(NAMES | st.text(max_size=8), st.text(max_size=20)), max_size=12),
)
def test_any_parameters_parse_without_raising(
    event_type: type[IncomingMessage], pairs: list[tuple[str, str]]
) -> None:
    event = event_type.from_params(pairs)
    assert event.params.pairs() == tuple(pairs)


@pytest.mark.parametrize(
    ("name", "value", "attribute"),
    [
        pytest.param("Latitude", "north", "location.latitude", id="latitude-text"),
        pytest.param("Latitude", "nan", "location.latitude", id="latitude-nan"),
        pytest.param("Forwarded", "maybe", "whatsapp.forwarded", id="forwarded"),
    ],
)
def test_malformed_whatsapp_value_is_none_and_logged(
    name: str, value: str, attribute: str, caplog: pytest.LogCaptureFixture
) -> None:
    params = {"From": "whatsapp:+14155550100", "Longitude": "1.0", name: value}
    with caplog.at_level(logging.WARNING, logger="twhooks.events"):
        msg = IncomingMessage.from_params(params)
    group, field = attribute.split(".")
    assert getattr(getattr(msg, group), field) is None
    assert f"{name}={value!r}" in caplog.text


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(
        ["NumMedia", "Timestamp", "RawDlrDoneDate", "Latitude", "Forwarded", "ErrorCode"]
    ),
    value=st.text(max_size=40)
    | st.from_regex(r"[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} -?[0-9]{1,6} [0-9:]{5,8} [+-][0-9]{4}"),
)
def test_any_single_value_parses_without_raising(name: str, value: str) -> None:
    for event_type in (IncomingMessage, CallStatus, MessageStatus):
        event = event_type.from_params({"From": "whatsapp:+1", name: value})
        assert event.params[name] == value  # whatever became of the field, the raw value stays


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_from_params_builds_the_same_frozen_event_as_the_constructor(
    event_type: type[IncomingMessage],
) -> None:
    params = Params({**SMS, "From": "whatsapp:+14155550100", "Latitude": "1.5", "ErrorCode": "1"})
    event = event_type.from_params(params, idempotency_token="tok")
    # Every field set, defaults included, exactly as the dataclass __init__ sets them.
    built = event_type(**{f.name: getattr(event, f.name) for f in dataclasses.fields(event_type)})
    assert event == built
    assert repr(event) == repr(built)
    assert event.idempotency_token == "tok"
    assert dataclasses.replace(event, account_sid="AC1").account_sid == "AC1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.account_sid = "AC2"  # type: ignore[misc]


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"nonsense": 1}, id="unknown-name"),
        pytest.param({"params": Params()}, id="params-twice"),
        pytest.param({"sid": "SM1"}, id="a-parsed-field-twice"),
    ],
)
def test_from_params_refuses_what_the_constructor_refuses(extra: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        IncomingMessage.from_params(SMS, **extra)


def test_from_params_on_a_subclass_uses_its_constructor() -> None:
    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class TaggedMessage(IncomingMessage):
        tag: str = "none"

        def __post_init__(self) -> None:
            object.__setattr__(self, "tag", self.body.upper())

    msg = TaggedMessage.from_params(SMS)
    assert msg.tag == "HELLO THERE"
    assert msg.sid == SMS["MessageSid"]
