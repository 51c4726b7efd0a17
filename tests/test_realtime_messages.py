"""The typed ConversationRelay and Media Streams messages, the upgrade URL rules, the TwiML
helpers and the μ-law codec — the pure parts of twhooks.realtime."""

from __future__ import annotations

import base64
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from _signing import TOKEN
from lxml import etree
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Connect, VoiceResponse

from twhooks.exceptions import TwiMLError
from twhooks.realtime import audio
from twhooks.realtime.errors import ProtocolError, UpgradeRefused
from twhooks.realtime.messages import (
    Connected,
    Dtmf,
    Interrupt,
    Mark,
    Media,
    Prompt,
    RelayError,
    Setup,
    Start,
    Stop,
    UnknownMessage,
    clear_frame,
    end_frame,
    language_frame,
    mark_frame,
    media_frame,
    parse_relay,
    parse_stream,
    play_frame,
    send_digits_frame,
    text_frame,
)
from twhooks.realtime.twiml import connect_relay, connect_stream, websocket_url
from twhooks.realtime.verify import Upgrade, signed_urls, verify_upgrade
from twhooks.signature import SignatureVerifier

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

CALL_SID = "CA" + "0123456789abcdef" * 2


# -- ConversationRelay ---------------------------------------------------------------------


def test_setup_is_typed() -> None:
    message = parse_relay(
        json.dumps(
            {
                "type": "setup",
                "sessionId": "VX1",
                "accountSid": "AC1",
                "callSid": CALL_SID,
                "from": "+14155550100",
                "to": "+14155550199",
                "direction": "inbound",
                "customParameters": {"customer": "42", "vip": True},
                "newFieldTwilioAddedLater": 1,
            }
        )
    )
    assert isinstance(message, Setup)
    assert message.call_sid == CALL_SID
    assert message.from_ == "+14155550100"
    assert message.custom_parameters == {"customer": "42", "vip": "true"}
    assert message.raw["newFieldTwilioAddedLater"] == 1


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        pytest.param(
            {"type": "prompt", "voicePrompt": "hi", "lang": "en-US", "last": True},
            Prompt("hi", "en-US", True, {}),
            id="prompt",
        ),
        pytest.param(
            {"type": "prompt", "voicePrompt": "hi th", "lang": "en-US", "last": False},
            Prompt("hi th", "en-US", False, {}),
            id="partial-prompt",
        ),
        pytest.param({"type": "dtmf", "digit": "5"}, Dtmf("5", {}), id="dtmf"),
        pytest.param(
            {
                "type": "interrupt",
                "utteranceUntilInterrupt": "We open",
                "durationUntilInterruptMs": 460,
            },
            Interrupt("We open", 460, {}),
            id="interrupt",
        ),
        pytest.param(
            {"type": "error", "description": "Invalid message"},
            RelayError("Invalid message", {}),
            id="error",
        ),
        pytest.param({"type": "info", "x": 1}, UnknownMessage("info", {}), id="unknown"),
    ],
)
def test_relay_messages(frame: dict[str, Any], expected: Any) -> None:
    message = parse_relay(json.dumps(frame))
    assert message == expected  # raw is not compared
    assert message.raw == frame


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param("not json", id="not-json"),
        pytest.param("[1, 2]", id="array"),
        pytest.param('{"voicePrompt": "hi"}', id="no-type"),
        pytest.param('{"type": "dtmf"}', id="dtmf-without-digit"),
        pytest.param('{"type": "setup", "from": "+1"}', id="setup-without-callsid"),
        pytest.param('{"type": "setup", "callSid": "CA1", "customParameters": 3}', id="bad-params"),
        pytest.param('{"type": ["prompt"]}', id="type-not-a-string"),
    ],
)
def test_bad_relay_frames_are_protocol_errors(frame: str) -> None:
    with pytest.raises(ProtocolError):
        parse_relay(frame)


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        pytest.param(
            text_frame("Hel"), {"type": "text", "token": "Hel", "last": False}, id="token"
        ),
        pytest.param(
            text_frame('quote " and ü\n', last=True),
            {"type": "text", "token": 'quote " and ü\n', "last": True},
            id="escaped-last",
        ),
        pytest.param(
            text_frame("x", lang="fr-FR", interruptible=False, preemptible=True),
            {
                "type": "text",
                "token": "x",
                "last": False,
                "lang": "fr-FR",
                "interruptible": False,
                "preemptible": True,
            },
            id="flags",
        ),
        pytest.param(
            play_frame("https://a/b.mp3", loop=0, interruptible=True),
            {"type": "play", "source": "https://a/b.mp3", "loop": 0, "interruptible": True},
            id="play",
        ),
        pytest.param(
            send_digits_frame("1w2#"), {"type": "sendDigits", "digits": "1w2#"}, id="digits"
        ),
        pytest.param(
            language_frame(tts="es-ES"), {"type": "language", "ttsLanguage": "es-ES"}, id="language"
        ),
        pytest.param(end_frame(), {"type": "end"}, id="end"),
        pytest.param(
            end_frame("to-sales"), {"type": "end", "handoffData": "to-sales"}, id="end-str"
        ),
        pytest.param(
            end_frame({"reason": "human", "n": 2}),
            {"type": "end", "handoffData": '{"reason":"human","n":2}'},
            id="end-mapping",
        ),
    ],
)
def test_frames_to_twilio(frame: str, expected: dict[str, Any]) -> None:
    assert json.loads(frame) == expected


# -- Media Streams ---------------------------------------------------------------------------


def test_start_is_typed() -> None:
    message = parse_stream(
        json.dumps(
            {
                "event": "start",
                "sequenceNumber": "1",
                "start": {
                    "accountSid": "AC1",
                    "streamSid": "MZ1",
                    "callSid": CALL_SID,
                    "tracks": ["inbound", "outbound"],
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                    "customParameters": {"lang": "fr"},
                },
                "streamSid": "MZ1",
            }
        )
    )
    assert isinstance(message, Start)
    assert (message.stream_sid, message.call_sid, message.tracks) == (
        "MZ1",
        CALL_SID,
        ("inbound", "outbound"),
    )
    assert message.media_format == audio_format()
    assert message.custom_parameters == {"lang": "fr"}


def audio_format() -> Any:
    from twhooks.realtime.messages import MediaFormat

    return MediaFormat("audio/x-mulaw", 8000, 1)


@pytest.mark.parametrize(
    ("frame", "kind"),
    [
        pytest.param(
            {"event": "connected", "protocol": "Call", "version": "1.0.0"},
            Connected,
            id="connected",
        ),
        pytest.param(
            {"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "#"}}, Dtmf, id="dtmf"
        ),
        pytest.param({"event": "mark", "mark": {"name": "greeting"}}, Mark, id="mark"),
        pytest.param({"event": "stop", "stop": {"callSid": CALL_SID}}, Stop, id="stop"),
        pytest.param({"event": "somethingNew"}, UnknownMessage, id="unknown"),
    ],
)
def test_stream_messages(frame: dict[str, Any], kind: type) -> None:
    assert type(parse_stream(json.dumps(frame))) is kind


def test_media_payload_is_decoded() -> None:
    payload = bytes(range(160))
    frame = json.dumps(
        {
            "event": "media",
            "media": {
                "track": "inbound",
                "chunk": "2",
                "timestamp": "40",
                "payload": base64.b64encode(payload).decode(),
            },
        }
    )
    assert parse_stream(frame) == Media("inbound", 2, 40, payload)


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param('{"event": "media", "media": {"payload": "@@@"}}', id="bad-base64"),
        pytest.param('{"event": "media"}', id="no-media"),
        pytest.param('{"event": "start", "start": {}}', id="start-without-callsid"),
        pytest.param('{"event": "mark", "mark": {}}', id="mark-without-name"),
    ],
)
def test_bad_stream_frames_are_protocol_errors(frame: str) -> None:
    with pytest.raises(ProtocolError):
        parse_stream(frame)


def test_frames_to_a_stream() -> None:
    assert json.loads(media_frame("MZ1", b"\x00\xff")) == {
        "event": "media",
        "streamSid": "MZ1",
        "media": {"payload": "AP8="},
    }
    assert json.loads(mark_frame("MZ1", "m")) == {
        "event": "mark",
        "streamSid": "MZ1",
        "mark": {"name": "m"},
    }
    assert json.loads(clear_frame("MZ1")) == {"event": "clear", "streamSid": "MZ1"}


# -- The upgrade URL -----------------------------------------------------------------------------


def upgrade(
    host: str = "voice.example.com",
    *,
    secure: bool = False,
    path: str = "",
    query: str = "",
    signature: str | None = None,
) -> Upgrade:
    return Upgrade(secure, host, "", path or f"/twilio/relay/{CALL_SID}", query, signature, None)


def official(url: str) -> str:
    return str(RequestValidator(TOKEN).compute_signature(url, {}))


@pytest.mark.parametrize(
    ("signed", "public_url"),
    [
        pytest.param(f"wss://voice.example.com/twilio/relay/{CALL_SID}", None, id="host"),
        pytest.param(
            f"wss://voice.example.com:443/twilio/relay/{CALL_SID}", None, id="default-port"
        ),
        pytest.param(
            f"wss://public.example.org/twilio/relay/{CALL_SID}",
            "https://public.example.org",
            id="public-url",
        ),
        pytest.param(
            f"wss://public.example.org/base/twilio/relay/{CALL_SID}",
            "https://public.example.org/base/",
            id="public-url-with-path",
        ),
    ],
)
def test_signed_url_variants_accepted(signed: str, public_url: str | None) -> None:
    verifier = SignatureVerifier(TOKEN)
    path = f"/twilio/relay/{CALL_SID}"
    assert verify_upgrade(
        verifier, upgrade(path=path, signature=official(signed)), CALL_SID, public_url=public_url
    ) in signed_urls(upgrade(path=path), public_url)


def test_query_string_is_signed_as_received() -> None:
    url = f"wss://voice.example.com/twilio/relay/{CALL_SID}?agent=sales"
    verifier = SignatureVerifier(TOKEN)
    verify_upgrade(verifier, upgrade(query="agent=sales", signature=official(url)), CALL_SID)
    with pytest.raises(UpgradeRefused):
        verify_upgrade(verifier, upgrade(query="agent=support", signature=official(url)), CALL_SID)


def test_refusal_names_the_urls_tried() -> None:
    with pytest.raises(UpgradeRefused) as refused:
        verify_upgrade(SignatureVerifier(TOKEN), upgrade(signature="bad"), CALL_SID)
    assert refused.value.status == 403
    assert f"wss://voice.example.com/twilio/relay/{CALL_SID}" in refused.value.reason
    assert TOKEN not in refused.value.reason


def test_signature_for_another_call_is_refused() -> None:
    other = "CA" + "f" * 32
    signature = official(f"wss://voice.example.com/twilio/relay/{other}")
    with pytest.raises(UpgradeRefused):
        verify_upgrade(SignatureVerifier(TOKEN), upgrade(signature=signature), CALL_SID)


@pytest.mark.parametrize("call_sid", ["CA123", "ca" + "0" * 32, "CA" + "G" * 32, "../x", ""])
def test_not_a_call_sid_is_refused(call_sid: str) -> None:
    url = f"wss://voice.example.com/twilio/relay/{call_sid}"
    with pytest.raises(UpgradeRefused, match="not a CallSid"):
        verify_upgrade(
            SignatureVerifier(TOKEN),
            upgrade(path=f"/twilio/relay/{call_sid}", signature=official(url)),
            call_sid,
        )


def test_upgrade_from_an_asgi_scope() -> None:
    scope = {
        "type": "websocket",
        "scheme": "ws",
        "root_path": "/app",
        "path": "/app/twilio/relay/x",
        "raw_path": b"/app/twilio/relay/x",
        "query_string": b"a=1",
        "headers": [(b"host", b"h.example"), (b"x-twilio-signature", b"sig")],
    }
    assert Upgrade.from_scope(scope) == Upgrade(
        False, "h.example", "/app", "/twilio/relay/x", "a=1", "sig", None
    )


# -- TwiML --------------------------------------------------------------------------------------


def test_connect_relay_matches_the_official_sdk() -> None:
    ours = connect_relay(
        CALL_SID,
        "https://voice.example.com",
        action="/twilio/voice/after",
        welcome_greeting="Hi! How can I help?",
        parameters={"customer": "42"},
    )
    theirs = VoiceResponse()
    connect = Connect(action="/twilio/voice/after")
    relay = connect.conversation_relay(
        url=f"wss://voice.example.com/twilio/relay/{CALL_SID}",
        welcome_greeting="Hi! How can I help?",
    )
    relay.parameter(name="customer", value="42")
    theirs.append(connect)
    # Compared as XML: what matters is the document, not how a tag closes.
    assert etree.tostring(etree.fromstring(str(ours).encode())) == etree.tostring(
        etree.fromstring(str(theirs).encode())
    )


def test_connect_stream_with_a_prefix() -> None:
    xml = str(
        connect_stream(CALL_SID, "wss://a.example/", url_prefix="/hooks/", parameters={"x": "1"})
    )
    assert (
        f'<Stream url="wss://a.example/hooks/stream/{CALL_SID}"><Parameter name="x" value="1"'
        in xml
    )


def test_websocket_url_wants_a_call_sid() -> None:
    assert (
        websocket_url("relay", CALL_SID, "http://localhost:5000")
        == f"ws://localhost:5000/twilio/relay/{CALL_SID}"
    )
    with pytest.raises(TwiMLError):
        websocket_url("relay", "CA1", "https://a.example")


# -- μ-law ------------------------------------------------------------------------------------


def test_codec_matches_g711() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop  # the standard library's G.711, deprecated: the oracle

    every_byte = bytes(range(256))
    assert audio.ulaw_to_pcm16(every_byte) == audioop.ulaw2lin(every_byte, 2)
    samples = b"".join(s.to_bytes(2, "little", signed=True) for s in range(-32768, 32768, 7))
    assert audio.pcm16_to_ulaw(samples) == audioop.lin2ulaw(samples, 2)


def test_wav_round_trip(tmp_path: Path) -> None:
    ulaw = (bytes(range(256)) * 5)[:1250]
    path = tmp_path / "a.wav"
    audio.write_wav(path, ulaw)
    assert audio.ulaw_to_pcm16(audio.read_wav(path)) == audio.ulaw_to_pcm16(ulaw)
    frames = audio.frames(ulaw)
    assert [len(f) for f in frames] == [160] * 8
    assert frames[-1] == ulaw[1120:] + b"\xff" * 30


def test_wav_of_the_wrong_rate_is_refused(tmp_path: Path) -> None:
    import wave

    path = tmp_path / "cd.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(b"\x00" * 400)
    with pytest.raises(Exception, match="mono 8000 Hz"):
        audio.read_wav(path)
