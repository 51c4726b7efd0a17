"""Where the official ``twilio.twiml`` builder goes wrong and twhooks.twiml does not.

Each test first shows the official builder's behaviour (so it documents the bug and
would fail if run against it), then twhooks' behaviour on the same input.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import etree
from twilio.twiml.messaging_response import MessagingResponse as OfficialMessaging
from twilio.twiml.voice_response import Gather as OfficialGather
from twilio.twiml.voice_response import Say as OfficialSay
from twilio.twiml.voice_response import VoiceResponse as OfficialVoice

from twhooks.exceptions import InvalidNesting, InvalidText, TwiMLLimitExceeded
from twhooks.twiml import MAX_RESPONSE_BYTES, MessagingResponse, VoiceResponse
from twhooks.twiml.voice import Dial, Gather, Say

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core


def attribute(xml: str, tag: str, name: str) -> str | None:
    el = etree.fromstring(xml.encode()).find(f".//{tag}")
    assert el is not None
    return el.get(name)


@pytest.mark.parametrize(
    ("keyword", "value", "expected"),
    [
        pytest.param("input", ["dtmf", "speech"], "dtmf speech", id="input-space-separated"),
        pytest.param(
            "hints", ["cheddar cheese", "brie"], "cheddar cheese, brie", id="hints-comma-separated"
        ),
        pytest.param("partial_result_callback_method", ("POST",), "POST", id="one-item-tuple"),
    ],
)
def test_list_attributes_render_joined_not_as_a_python_repr(
    keyword: str, value: list[str], expected: str
) -> None:
    official = OfficialVoice()
    official.gather(**{keyword: value})
    name = {"partial_result_callback_method": "partialResultCallbackMethod"}.get(keyword, keyword)
    assert attribute(str(official), "Gather", name) == repr(value)

    ours = VoiceResponse()
    ours.gather(**{keyword: value})
    assert attribute(str(ours), "Gather", name) == expected


def test_status_callback_event_list_is_space_separated() -> None:
    events = ["initiated", "ringing", "answered", "completed"]
    official = OfficialVoice()
    official.dial().number("+15550001", status_callback_event=events)
    assert "[" in attribute(str(official), "Number", "statusCallbackEvent")  # type: ignore[operator]

    ours = VoiceResponse()
    ours.dial().number("+15550001", status_callback_event=events)
    assert (
        attribute(str(ours), "Number", "statusCallbackEvent")
        == "initiated ringing answered completed"
    )


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda r: r.message(0), id="message"),
        pytest.param(lambda r: r.message().body(0), id="body"),
    ],
)
def test_falsy_text_is_kept(build: Any) -> None:
    official = OfficialMessaging()
    build(official)
    assert ">0<" not in str(official)  # the 0 is silently dropped

    ours = MessagingResponse()
    build(ours)
    assert ">0<" in str(ours)


def test_a_zero_pause_length_is_kept_by_both() -> None:
    official = OfficialVoice()
    official.pause(length=0)
    ours = VoiceResponse()
    ours.pause(length=0)
    assert (
        attribute(str(official), "Pause", "length")
        == attribute(str(ours), "Pause", "length")
        == "0"
    )


def test_consecutive_text_nodes_join_instead_of_overwriting() -> None:
    official = OfficialSay("Hello, ")
    official.append("dear ")
    official.append("caller.")
    assert official.to_xml(xml_declaration=False) == "<Say>caller.</Say>"

    ours = Say("Hello, ")
    ours.append("dear ")
    ours.append("caller.")
    assert ours.to_xml(xml_declaration=False) == "<Say>Hello, dear caller.</Say>"
    assert ours.text == "Hello, dear caller."


def test_text_after_a_child_becomes_its_tail_and_joins() -> None:
    ours = Say("Wait")
    ours.break_(time="1s")
    ours.append("and ")
    ours.append("listen.")
    assert ours.to_xml(xml_declaration=False) == '<Say>Wait<break time="1s" />and listen.</Say>'
    assert [c if isinstance(c, str) else c.tag for c in ours.content] == [
        "Wait",
        "break",
        "and listen.",
    ]


@pytest.mark.parametrize(
    ("bad", "code_point"),
    [
        pytest.param("bell\x07", "U+0007", id="bell"),
        pytest.param("nul\x00", "U+0000", id="nul"),
        pytest.param("esc\x1b[31m", "U+001B", id="escape-sequence"),
        pytest.param("\ufffe", "U+FFFE", id="non-character"),
        pytest.param("\ud800", "U+D800", id="lone-surrogate"),
    ],
)
def test_characters_xml_cannot_carry_raise_at_build_time(bad: str, code_point: str) -> None:
    official = OfficialVoice()
    official.say(bad)
    with pytest.raises(etree.XMLSyntaxError):  # the official output is not XML
        etree.fromstring(str(official).encode("utf-8", "surrogatepass"))

    ours = VoiceResponse()
    with pytest.raises(InvalidText, match=rf"<Say> text: character {re.escape(code_point)}"):
        ours.say(bad)
    assert str(ours).endswith("<Response />")


def test_an_illegal_attribute_value_names_the_attribute() -> None:
    with pytest.raises(InvalidText, match=r"<Dial> attribute 'callerId': character U\+0008"):
        VoiceResponse().dial(caller_id="+1555\b")
    with pytest.raises(InvalidText, match=r"<Say> attribute 'customThing'"):
        VoiceResponse().say("hi", custom_thing="\x01")
    with pytest.raises(InvalidText, match="keyword 'bad key'"):
        VoiceResponse().say("hi", **{"bad key": "x"})


def test_impossible_nesting_raises() -> None:
    official = OfficialGather()
    official.append(OfficialVoice().dial("+15550001"))  # accepted without a word
    assert "<Dial>" in str(official)

    with pytest.raises(InvalidNesting) as excinfo:
        Gather().append(Dial("+15550001"))
    assert str(excinfo.value) == "<Gather> cannot hold <Dial>; it can hold <Say>, <Pause>, <Play>"


def test_a_message_in_a_voice_response_raises() -> None:
    from twhooks.twiml.messaging import Message

    with pytest.raises(InvalidNesting, match="<Response> cannot hold <Message>"):
        VoiceResponse().nest(Message("hi"))


def test_text_only_elements_hold_no_children() -> None:
    with pytest.raises(InvalidNesting, match="<Say> cannot hold <Say>; it can hold <break>"):
        Say("outer").append(Say("inner"))
    from twhooks.twiml.voice import Number

    with pytest.raises(InvalidNesting, match=r"it can hold no elements \(text only\)"):
        Number("+1").append(Say("x"))


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda r: r.message("x" * 1601), id="message-text"),
        pytest.param(lambda r: r.message("x" * 1000).body("y" * 601), id="text-plus-body"),
        pytest.param(lambda r: r.message().append("x" * 1601), id="appended-text"),
    ],
)
def test_a_message_over_1600_characters_raises(build: Any) -> None:
    official = OfficialMessaging()
    build(official)
    assert len(str(official)) > 1600  # sent to Twilio, refused there (error 21617)

    ours = MessagingResponse()
    with pytest.raises(TwiMLLimitExceeded, match="Twilio accepts at most 1,600"):
        build(ours)


def test_exactly_1600_characters_is_fine() -> None:
    response = MessagingResponse()
    response.message("x" * 1600)
    assert len(response.children[0].text or "") == 1600


def test_a_response_over_64_kb_raises_when_rendered() -> None:
    official = OfficialVoice()
    ours = VoiceResponse()
    for _ in range(700):
        official.say("x" * 100)
        ours.say("x" * 100)
    assert len(str(official)) > MAX_RESPONSE_BYTES  # Twilio refuses it (error 11750)

    with pytest.raises(TwiMLLimitExceeded, match="Twilio accepts at most 65,536"):
        str(ours)
    with pytest.raises(TwiMLLimitExceeded):
        ours.to_xml()
    assert len(ours.to_xml(check_size=False)) > MAX_RESPONSE_BYTES


def test_multibyte_text_counts_in_bytes_for_the_64_kb_limit() -> None:
    response = VoiceResponse()
    for _ in range(60):
        response.say("🎉" * 300)  # 1,200 bytes, 300 characters each
    with pytest.raises(TwiMLLimitExceeded):
        str(response)
