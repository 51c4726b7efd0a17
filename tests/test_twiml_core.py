"""Building, rendering and reading TwiML with twhooks.twiml: the everyday cases."""

from __future__ import annotations

import pytest

from twhooks.exceptions import InvalidNesting, InvalidText, TwiMLError, TwiMLLimitExceeded
from twhooks.twiml import MessagingResponse, VoiceResponse, parse
from twhooks.twiml.messaging import Message
from twhooks.twiml.voice import Dial, Pause, Say

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def test_one_message_reply_renders_exactly_like_twilio() -> None:
    response = MessagingResponse()
    response.message("Hi")
    assert str(response) == DECL + "<Response><Message>Hi</Message></Response>"


def test_empty_messaging_response_means_no_reply() -> None:
    assert str(MessagingResponse()) == DECL + "<Response />"


def test_to_xml_without_declaration() -> None:
    response = VoiceResponse()
    response.hangup()
    assert response.to_xml(xml_declaration=False) == "<Response><Hangup /></Response>"


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
        '<Say loop="2" voice="alice">Press 1 for sales.</Say><Pause length="1" />'
        "</Gather><Redirect>/voice</Redirect></Response>"
    )


def test_dial_with_numbers() -> None:
    response = VoiceResponse()
    dial = response.dial(caller_id="+15550003", timeout=20, answer_on_bridge=True)
    dial.number("+15550004", send_digits="wwww1928")
    dial.number("+15550005")
    xml = response.to_xml(xml_declaration=False)
    assert xml == (
        '<Response><Dial answerOnBridge="true" callerId="+15550003" timeout="20">'
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


def test_append_returns_the_parent_and_nest_returns_the_child() -> None:
    response = VoiceResponse()
    say = Say("hi")
    assert response.append(say) is response
    assert response.nest(Say("again")).text == "again"
    assert [c.text for c in response.children] == ["hi", "again"]


def test_add_child_makes_any_element_anywhere() -> None:
    response = VoiceResponse()
    say = response.say("Hello")
    effect = say.add_child("amazon:effect", "whispered words", name="whispered")
    future = response.add_child("FutureVerb", some_option=True, from_="+1")
    future.append(Message("anything goes inside"))
    assert effect.tag == "amazon:effect"
    assert response.to_xml(xml_declaration=False) == (
        '<Response><Say>Hello<amazon:effect name="whispered">whispered words</amazon:effect>'
        '</Say><FutureVerb from="+1" someOption="true"><Message>anything goes inside</Message>'
        "</FutureVerb></Response>"
    )


@pytest.mark.parametrize("name", ["", "1abc", "a b", "<x>", "a:b:c"])
def test_add_child_refuses_names_xml_cannot_carry(name: str) -> None:
    with pytest.raises(InvalidText, match="not a valid XML element name"):
        VoiceResponse().add_child(name)


def test_nesting_something_that_is_not_twiml_raises() -> None:
    with pytest.raises(TwiMLError, match="can only nest TwiML elements and text, not int"):
        VoiceResponse().nest(5)  # type: ignore[type-var]


def test_the_same_element_appended_twice_appears_twice() -> None:
    pause = Pause(length=1)
    response = VoiceResponse().append(pause).append(pause)
    assert response.to_xml(xml_declaration=False) == (
        '<Response><Pause length="1" /><Pause length="1" /></Response>'
    )


def test_reading_a_built_document() -> None:
    response = VoiceResponse()
    say = response.say("Press ", voice="alice", loop=0)
    say.say_as("1", interpret_as="digits")
    say.append(" now & then")
    assert say.tag == say.name == "Say"
    assert say.attrs == {"voice": "alice", "loop": "0"}
    assert say.text == say.value == "Press "
    assert [c if isinstance(c, str) else c.tag for c in say.content] == [
        "Press ",
        "say-as",
        " now & then",
    ]
    assert [n.tag for n in response.iter()] == ["Response", "Say", "say-as"]
    assert response.find("say-as") is say.children[0]
    assert response.find("Play") is None
    assert parse(str(response)) == response


def test_repr_shows_the_class_and_the_xml() -> None:
    response = MessagingResponse()
    response.message("Hi")
    assert repr(response) == "<MessagingResponse <Response><Message>Hi</Message></Response>>"
    long = MessagingResponse()
    long.message("x" * 500)
    assert repr(long).endswith("...>")
    assert len(repr(long)) < 240


def test_equality() -> None:
    def build(text: str) -> VoiceResponse:
        response = VoiceResponse()
        response.say(text, voice="alice")
        return response

    assert build("a") == build("a")
    assert build("a") != build("b")
    assert build("a") != "not twiml"
    with pytest.raises(TypeError):
        hash(build("a"))


def test_attributes_render_booleans_numbers_and_drop_none() -> None:
    response = VoiceResponse()
    response.record(play_beep=False, transcribe=True, max_length=30, timeout=0, trim=None)
    assert response.children[0].attrs == {
        "maxLength": "30",
        "timeout": "0",
        "playBeep": "false",
        "transcribe": "true",
    }


def test_escaping_of_text_and_attributes() -> None:
    response = MessagingResponse()
    response.message('1 < 2 & "3" > 0', action='/x?a=1&b="2"')
    assert response.to_xml(xml_declaration=False) == (
        '<Response><Message action="/x?a=1&amp;b=&quot;2&quot;">'
        '1 &lt; 2 &amp; "3" &gt; 0</Message></Response>'
    )
    message = parse(str(response)).children[0]
    assert message.text == '1 < 2 & "3" > 0'
    assert message.get("action") == '/x?a=1&b="2"'


def test_whitespace_in_attributes_survives_a_round_trip() -> None:
    response = VoiceResponse()
    response.say("hi", custom="line one\nline two\ttabbed\r")
    assert parse(str(response)).children[0].get("custom") == "line one\nline two\ttabbed\r"


def test_the_ssml_example_of_the_docs() -> None:
    response = VoiceResponse()
    say = response.say("Your code is", voice="Polly.Joanna")
    say.break_(time="500ms")
    say.say_as("4821", interpret_as="digits")
    say.lang("Merci", xml_lang="fr-FR")
    with say.prosody(rate="slow") as slow:
        slow.append("Goodbye.")
    assert say.to_xml(xml_declaration=False) == (
        '<Say voice="Polly.Joanna">Your code is<break time="500ms" /><say-as '
        'interpret-as="digits">4821</say-as><lang xml:lang="fr-FR">Merci</lang><prosody '
        'rate="slow">Goodbye.</prosody></Say>'
    )


def test_the_voice_example_of_the_docs() -> None:
    response = VoiceResponse()
    with response.gather(num_digits=1, action="/menu", method="POST") as gather:
        gather.say("For sales press 1. For support press 2.", voice="Polly.Joanna")
    response.say("We didn't get your choice.")
    response.redirect("/voice")
    assert str(response) == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/menu" method="POST" '
        'numDigits="1"><Say voice="Polly.Joanna">For sales press 1. For support press 2.</Say>'
        "</Gather><Say>We didn't get your choice.</Say><Redirect>/voice</Redirect></Response>"
    )


def test_allowed_children_lists_what_an_element_can_hold() -> None:
    from twhooks.twiml import voice

    assert dict(voice.Gather.allowed_children()) == {
        "Say": voice.Say,
        "Pause": voice.Pause,
        "Play": voice.Play,
    }
    assert dict(voice.Number.allowed_children()) == {}
