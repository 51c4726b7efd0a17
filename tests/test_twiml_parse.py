"""Reading TwiML back with twhooks.twiml.parse: typed elements, round trips, hostile input."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twhooks.exceptions import TwiMLError, TwiMLParseError
from twhooks.twiml import (
    FaxResponse,
    GenericNode,
    MessagingResponse,
    TwiML,
    VoiceResponse,
    parse,
    voice,
)
from twhooks.twiml.messaging import Message

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core


def test_reading_a_reply() -> None:
    doc = parse(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Response><Message to="+15550001" statusCallback="/s">Hi &amp; bye'
        "<Media>https://example.com/a.png</Media></Message></Response>"
    )
    assert isinstance(doc, MessagingResponse)
    (message,) = doc.children
    assert isinstance(message, Message)
    assert message.tag == "Message"
    assert message.attrs == {"to": "+15550001", "statusCallback": "/s"}
    assert message.get("to") == "+15550001"
    assert message.get("from") is None
    assert message.text == "Hi & bye"
    assert [m.text for m in doc.find_all("Media")] == ["https://example.com/a.png"]


def test_elements_are_typed_by_where_they_are() -> None:
    doc = parse(
        "<Response><Dial><Sip>sip:a@b.test</Sip></Dial>"
        "<Refer><Sip>sip:c@d.test</Sip></Refer></Response>"
    )
    assert isinstance(doc, VoiceResponse)
    assert [type(n).__name__ for n in doc.iter()] == [
        "VoiceResponse",
        "Dial",
        "Sip",
        "Refer",
        "ReferSip",
    ]


def test_typed_elements_can_keep_building() -> None:
    doc = parse("<Response><Gather numDigits='1'/></Response>", kind="voice")
    gather = doc.find("Gather")
    assert isinstance(gather, voice.Gather)
    gather.say("Press 1")
    assert str(doc).endswith('<Gather numDigits="1"><Say>Press 1</Say></Gather></Response>')


def test_unknown_elements_are_kept_as_generic_nodes() -> None:
    doc = parse('<Response><Say>hi</Say><Teleport to="mars"><Beam /></Teleport></Response>')
    teleport = doc.children[1]
    assert isinstance(teleport, GenericNode)
    assert teleport.tag == "Teleport"
    assert teleport.attrs == {"to": "mars"}
    assert [c.tag for c in teleport.children] == ["Beam"]
    assert str(doc).endswith('<Teleport to="mars"><Beam /></Teleport></Response>')


def test_ssml_names_round_trip() -> None:
    xml = (
        '<Response><Say><lang xml:lang="fr-FR">Bonjour</lang>'
        '<say-as interpret-as="digits">42</say-as></Say></Response>'
    )
    doc = parse(xml)
    lang = doc.find("lang")
    assert lang is not None
    assert lang.attrs == {"xml:lang": "fr-FR"}
    assert doc.to_xml(xml_declaration=False) == xml


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        pytest.param("<Response />", VoiceResponse, id="empty-reads-as-voice"),
        pytest.param("<Response><Redirect>/x</Redirect></Response>", VoiceResponse, id="redirect"),
        pytest.param("<Response><Message>hi</Message></Response>", MessagingResponse, id="message"),
        pytest.param("<Response><Receive /></Response>", FaxResponse, id="receive"),
        pytest.param("<Response><Hangup /></Response>", VoiceResponse, id="hangup"),
    ],
)
def test_the_kind_is_read_from_the_verbs(xml: str, expected: type) -> None:
    assert type(parse(xml)) is expected


def test_the_kind_can_be_given() -> None:
    doc = parse("<Response><Redirect>/x</Redirect></Response>", kind="messaging")
    assert isinstance(doc, MessagingResponse)
    doc.message("added")
    # A verb the kind cannot hold is kept, as a generic element.
    voice_as_messaging = parse("<Response><Say>hi</Say></Response>", kind="messaging")
    assert isinstance(voice_as_messaging.children[0], GenericNode)


def test_mixed_kinds_are_refused_without_a_hint() -> None:
    with pytest.raises(TwiMLParseError, match="mixes voice and messaging verbs"):
        parse("<Response><Say>hi</Say><Message>hi</Message></Response>")


def test_an_empty_response_equals_both_kinds() -> None:
    assert parse("<Response />") == MessagingResponse()
    assert parse("<Response></Response>") == VoiceResponse()


def test_equality_ignores_attribute_order_but_not_values() -> None:
    assert parse('<Response><Say a="1" b="2" /></Response>') == parse(
        '<Response><Say b="2" a="1" /></Response>'
    )
    assert parse('<Response><Say a="1"/></Response>') != parse('<Response><Say a="2"/></Response>')
    assert parse("<Response><Say>a</Say></Response>") != parse("<Response><Say>b</Say></Response>")


def test_bytes_honour_the_declared_encoding() -> None:
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>Café</Say></Response>'
    doc = parse(xml.encode("latin-1"))
    assert doc.children[0].text == "Café"


def test_text_with_an_encoding_declaration_is_accepted() -> None:
    doc = parse('<?xml version="1.0" encoding="UTF-8"?><Response><Say>é</Say></Response>')
    assert doc.children[0].text == "é"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Response><Say>&lol4;</Say></Response>"""


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        pytest.param(BILLION_LAUGHS, "DOCTYPE", id="billion-laughs"),
        pytest.param(
            '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response><Say>&x;</Say></Response>',
            "DOCTYPE",
            id="external-entity-file",
        ),
        pytest.param(
            '<!DOCTYPE Response SYSTEM "http://127.0.0.1:9/evil.dtd"><Response />',
            "DOCTYPE",
            id="external-dtd",
        ),
        pytest.param("<!DOCTYPE Response><Response />", "DOCTYPE", id="plain-doctype"),
        pytest.param(
            "<Response><Say>&nbsp;</Say></Response>", "not well-formed", id="undefined-entity"
        ),
        pytest.param("", "not well-formed", id="empty"),
        pytest.param("<!-- nothing -->", "not well-formed", id="only-a-comment"),
        pytest.param(
            "<Response><a:b>x</a:b><Say>&ent;</Say></Response>",
            "not well-formed",
            id="undeclared-prefix-and-entity",
        ),
        pytest.param("hello", "not well-formed", id="plain-text"),
        pytest.param("<Response><Say>hi</Response>", "not well-formed", id="unclosed"),
        pytest.param("<Respons />", "root element is <Respons>", id="wrong-root"),
        pytest.param(b"\xff\xfe\x00garbage", "not well-formed|cannot read", id="binary-garbage"),
        pytest.param(
            "<Response>" + "<X>" * 300 + "</X>" * 300 + "</Response>",
            "not well-formed",
            id="too-deep",
        ),
    ],
)
def test_hostile_or_broken_input_is_refused(xml: str | bytes, message: str) -> None:
    with pytest.raises(TwiMLParseError, match=message):
        parse(xml)


def test_non_text_input_and_unknown_kinds_are_refused() -> None:
    with pytest.raises(TwiMLParseError, match="str or bytes"):
        parse(123)  # type: ignore[call-overload]
    with pytest.raises(TwiMLParseError, match="unknown kind"):
        parse("<Response />", kind="sms")  # type: ignore[call-overload]


def test_rendering_refuses_absurd_depth_clearly() -> None:
    node: TwiML = VoiceResponse()
    root = node
    for _ in range(5000):
        node = node.add_child("X")
    with pytest.raises(TwiMLError, match="nested too deeply"):
        str(root)


# -- round trip: random valid documents -------------------------------------------------

_XML_CHARS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(0x20) if c not in (9, 10, 13)]
    + ["\ufffe", "\uffff"],
)
_TEXT = st.text(_XML_CHARS, max_size=12)
_ATTR_NAMES = st.sampled_from(
    ["action", "method", "voice", "status_callback", "num_digits", "from_"]
)
_ATTR_VALUES = st.one_of(_TEXT, st.booleans(), st.integers(-5, 100))


def _takes_text(cls: type[TwiML]) -> bool:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return bool(params) and params[0].kind is params[0].POSITIONAL_OR_KEYWORD


@st.composite
def _fill(draw: Any, node: TwiML, depth: int) -> TwiML:
    """Add random allowed children and text to ``node``."""
    choices = sorted(node.allowed_children().items())
    for _ in range(draw(st.integers(0, 3 if depth < 3 else 0))):
        what = draw(st.sampled_from(["text", "child", "child", "generic"]))
        if what == "text" or not choices:
            node.append(draw(_TEXT))
            continue
        if what == "generic":
            name = draw(st.sampled_from(["FutureVerb", "amazon:effect", "x-y.z"]))
            attrs = draw(st.dictionaries(_ATTR_NAMES, _ATTR_VALUES, max_size=2))
            node.add_child(name, draw(_TEXT), **attrs)
            continue
        _, cls = draw(st.sampled_from(choices))
        attrs = draw(st.dictionaries(_ATTR_NAMES, _ATTR_VALUES, max_size=3))
        child = cls(draw(_TEXT), **attrs) if _takes_text(cls) else cls(**attrs)
        node.append(draw(_fill(child, depth + 1)))
    return node


@st.composite
def documents(draw: Any) -> tuple[str, TwiML]:
    kind, cls = draw(
        st.sampled_from(
            [("voice", VoiceResponse), ("messaging", MessagingResponse), ("fax", FaxResponse)]
        )
    )
    return kind, draw(_fill(cls(), 0))


@settings(max_examples=300, deadline=None)
@given(documents())
def test_parse_reads_back_what_was_built(case: tuple[str, TwiML]) -> None:
    kind, doc = case
    xml = str(doc)
    again = parse(xml, kind=kind)  # type: ignore[call-overload]
    assert again == doc
    assert str(again) == xml
    assert type(again) is type(doc)
    assert [type(n) for n in again.iter()] == [type(n) for n in doc.iter()]


def test_ssml_prefixes_twilio_never_declares_are_read() -> None:
    xml = (
        '<Response><Say voice="Polly.Joanna">Hi<amazon:effect name="whispered">psst'
        "</amazon:effect></Say></Response>"
    )
    doc = parse(xml)
    effect = doc.find("amazon:effect")
    assert effect is not None
    assert effect.attrs == {"name": "whispered"}
    assert doc.to_xml(xml_declaration=False) == xml
    built = VoiceResponse()
    built.say("Hi", voice="Polly.Joanna").add_child("amazon:effect", "psst", name="whispered")
    assert doc == built


@pytest.mark.parametrize(
    "xml",
    [
        pytest.param("\ufeff<Response><Say>a &lt; b</Say></Response>", id="byte-order-mark"),
        pytest.param("<Response><Say><![CDATA[a < b]]></Say></Response>", id="cdata"),
        pytest.param(
            '<?xml version="1.0"?>\n<Response>\n  <Say>a &lt; b</Say>\n</Response>\n',
            id="pretty-printed",
        ),
        pytest.param(
            "<Response><!-- note --><Say>a &#60; b</Say><?pi x?></Response>", id="comment-pi"
        ),
    ],
)
def test_ordinary_variations_of_the_same_document_read_alike(xml: str) -> None:
    doc = parse(xml)
    assert [(c.tag, c.text) for c in doc.children] == [("Say", "a < b")]
