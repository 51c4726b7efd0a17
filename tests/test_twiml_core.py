"""Building, rendering and reading TwiML with twhooks.twiml: the everyday cases."""

from __future__ import annotations

import pytest

from twhooks.exceptions import InvalidNesting, InvalidText, TwiMLLimitExceeded
from twhooks.twiml import MessagingResponse, VoiceResponse, parse
from twhooks.twiml.messaging import Message
from twhooks.twiml.voice import Dial, Say

DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def test_one_message_reply_renders_exactly_like_twilio() -> None:
    response = MessagingResponse()
    response.message("Hi")
    assert str(response) == DECL + "<Response><Message>Hi</Message></Response>"


def test_empty_messaging_response_means_no_reply() -> None:
    assert str(MessagingResponse()) == DECL + "<Response/>"


def test_to_xml_without_declaration() -> None:
    response = VoiceResponse()
    response.hangup()
    assert response.to_xml(xml_declaration=False) == "<Response><Hangup/></Response>"


def test_message_with_media_and_attributes() -> None:
    response = MessagingResponse()
    message = response.message("Look", to="+15550001", from_="+15550002", status_callback="/s")
    message.media("https://example.com/cat.jpg")
    response.redirect("/next", method="POST")
    doc = parse(str(response))
    message_node, redirect = doc.children
    assert message_node.attrs == {"to": "+15550001", "from": "+15550002", "statusCallback": "/s"}
    assert message_node.text == "Look"
    assert [c.tag for c in message_node.children] == ["Media"]
    assert redirect.text == "/next"
    assert redirect.get("method") == "POST"


def test_ivr_step_with_gather_nested_in_a_with_block() -> None:
    response = VoiceResponse()
    with response.gather(num_digits=1, action="/menu", method="POST") as gather:
        gather.say("Press 1 for sales.", voice="alice", loop=2)
        gather.pause(length=1)
    response.redirect("/voice")
    assert response.to_xml(xml_declaration=False) == (
        '<Response><Gather action="/menu" method="POST" numDigits="1">'
        '<Say voice="alice" loop="2">Press 1 for sales.</Say><Pause length="1"/>'
        "</Gather><Redirect>/voice</Redirect></Response>"
    )


def test_dial_with_numbers() -> None:
    response = VoiceResponse()
    dial = response.dial(caller_id="+15550003", timeout=20, answer_on_bridge=True)
    dial.number("+15550004", send_digits="wwww1928")
    dial.number("+15550005")
    xml = response.to_xml(xml_declaration=False)
    assert xml == (
        '<Response><Dial timeout="20" callerId="+15550003" answerOnBridge="true">'
        '<Number sendDigits="wwww1928">+15550004</Number><Number>+15550005</Number>'
        "</Dial></Response>"
    )


@pytest.mark.parametrize(
    ("parent", "child", "allowed"),
    [
        pytest.param(
            lambda: VoiceResponse().gather(), lambda: Dial("+1"), "<Say>", id="dial-in-gather"
        ),
        pytest.param(VoiceResponse, lambda: Message("hi"), "<Say>", id="message-in-voice"),
        pytest.param(MessagingResponse, lambda: Say("hi"), "<Message>", id="say-in-messaging"),
    ],
)
def test_nesting_a_child_the_parent_cannot_hold_raises(parent, child, allowed) -> None:  # type: ignore[no-untyped-def]
    p, c = parent(), child()
    with pytest.raises(InvalidNesting, match=f"<{p.tag}> cannot hold <{c.tag}>.*{allowed}"):
        p.append(c)
    assert p.children == []


def test_control_character_in_text_names_element_and_character() -> None:
    response = VoiceResponse()
    with pytest.raises(InvalidText, match=r"<Say> text: character U\+0007 at position 2"):
        response.say("hi\x07")
    assert response.children == []


def test_message_over_1600_characters_raises() -> None:
    with pytest.raises(TwiMLLimitExceeded, match="1,601 characters"):
        MessagingResponse().message("x" * 1601)
