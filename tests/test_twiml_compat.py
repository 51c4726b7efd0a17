"""twhooks.twiml as a drop-in for ``twilio.twiml``: names, byte-identical output, ``.value``,
and XML names that any parser accepts.

The official package is the oracle (test-only); see docs/migrating.rst for what differs.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from twilio.twiml import TwiML as OfficialTwiML
from twilio.twiml import format_language as official_format_language
from twilio.twiml import lower_camel as official_lower_camel
from twilio.twiml import voice_response as official_voice

from twhooks.exceptions import InvalidNesting, InvalidText, TwiMLError, TwiMLLimitExceeded
from twhooks.twiml import (
    GenericNode,
    MessagingResponse,
    TwiML,
    TwiMLException,
    VoiceResponse,
    format_language,
    lower_camel,
    parse,
)
from twhooks.twiml.messaging import Body, Message
from twhooks.twiml.voice import Say

# -- the official module-level names ---------------------------------------------------


def test_twiml_exception_is_the_twhooks_twiml_error() -> None:
    assert TwiMLException is TwiMLError
    with pytest.raises(TwiMLException):
        VoiceResponse().gather().append(VoiceResponse())  # an InvalidNesting
    with pytest.raises(TwiMLException):
        TwiML().append(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [None, "", "foo", "foo_bar", "foo_bar_baz", "foO_Bar_baz", "fooBar", "a_", "_a", "x__y"],
)
def test_lower_camel_is_the_official_one(value: str | None) -> None:
    assert lower_camel(value) == official_lower_camel(value)


@pytest.mark.parametrize("value", [None, "", "en-US", "EN_us", "fr_fr", "de-de"])
def test_format_language_is_the_official_one(value: str | None) -> None:
    assert format_language(value) == official_format_language(value)


@pytest.mark.parametrize("value", ["this is invalid", "english", "en-USA", "e1-US", "en-US\n"])
def test_format_language_refuses_what_is_not_ll_cc(value: str) -> None:
    with pytest.raises(TwiMLException, match="language"):
        format_language(value)


# -- byte-identical output -------------------------------------------------------------


def both(build: Any) -> tuple[str, str]:
    """``build(module)`` rendered with the official voice module and with ours."""
    from twhooks.twiml import voice as our_voice

    return str(build(our_voice)), str(build(official_voice))


def _hangup(m: Any) -> Any:
    r = m.VoiceResponse()
    r.hangup()
    return r


def _say(m: Any, text: Any, **kwargs: Any) -> Any:
    r = m.VoiceResponse()
    r.say(text, **kwargs)
    return r


def _dial(m: Any, **kwargs: Any) -> Any:
    r = m.VoiceResponse()
    r.dial("+15550001", **kwargs)
    return r


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda m: m.VoiceResponse(), id="empty-response"),
        pytest.param(_hangup, id="empty-verb"),
        pytest.param(lambda m: _say(m, ""), id="empty-text"),
        pytest.param(lambda m: _say(m, None), id="no-text"),
        pytest.param(
            lambda m: _say(m, "hi", voice="alice", loop=2, language="en-US"),
            id="attributes-sorted",
        ),
        pytest.param(
            lambda m: _say(m, "hi", voice="alice", zeta="z", alpha="a", mid_word="m"),
            id="extra-keywords-sorted-with-declared",
        ),
        pytest.param(
            lambda m: _dial(m, status_callback="/a", statusCallback="/b"),
            id="later-keyword-for-the-same-attribute-wins",
        ),
        pytest.param(
            lambda m: _say(m, "x", voice='a>b<c&d"e', custom="tab\there\nline\rreturn"),
            id="attribute-escaping",
        ),
        pytest.param(lambda m: _say(m, "Tom & Jerry <3 > 2"), id="text-escaping"),
    ],
)
def test_output_is_byte_identical_to_the_official(build: Any) -> None:
    ours, official = both(build)
    assert ours == official


def test_empty_text_renders_a_self_closing_element() -> None:
    response = MessagingResponse()
    response.message("")
    response.message()
    assert str(response).endswith("<Response><Message /><Message /></Response>")
    assert Say("").to_xml(False) == "<Say />"
    assert GenericNode("Foo", "").to_xml(False) == "<Foo />"


def test_constructors_sort_attributes_like_the_builders() -> None:
    ours = Say("hi", voice="alice", loop=2, extra_thing=True).to_xml(False)
    official = official_voice.Say("hi", voice="alice", loop=2, extra_thing=True).to_xml(False)
    assert ours == official == '<Say extraThing="true" loop="2" voice="alice">hi</Say>'


# -- .value and the base element -------------------------------------------------------


def test_value_is_assignable_like_the_official() -> None:
    say = Say()
    say.value = "hi"
    assert say.to_xml(False) == "<Say>hi</Say>"
    assert say.value == "hi"
    official = official_voice.Say()
    official.value = "hi"
    assert say.to_xml() == official.to_xml()


def test_value_replaces_the_text_before_the_first_child_only() -> None:
    say = Say("old")
    say.break_(time="1s")
    say.append("after")
    say.value = "new & <better>"
    assert say.to_xml(False) == '<Say>new &amp; &lt;better&gt;<break time="1s" />after</Say>'
    say.value = None
    assert say.to_xml(False) == '<Say><break time="1s" />after</Say>'
    say.value = ""
    assert say.value is None


def test_value_is_checked_like_any_text() -> None:
    say = Say("kept")
    with pytest.raises(InvalidText, match="U\\+0007"):
        say.value = "bell\x07"
    assert say.value == "kept"


def test_value_over_the_message_limit_is_refused_and_the_old_text_kept() -> None:
    message = Message("short")
    message.append(Body("b" * 1000))
    with pytest.raises(TwiMLLimitExceeded):
        message.value = "x" * 700
    assert message.value == "short"


def test_the_base_element_renders_valid_xml_named_after_it() -> None:
    t = TwiML()
    t.value = "An utf-8 character: ñ"
    assert (
        t.to_xml() == '<?xml version="1.0" encoding="UTF-8"?><TwiML>An utf-8 character: ñ</TwiML>'
    )
    assert TwiML("x").to_xml(False) == "<TwiML>x</TwiML>"
    assert etree.fromstring(TwiML("x").to_xml(False)).tag == "TwiML"
    official = OfficialTwiML()
    official.value = "x"
    assert TwiML("x").to_xml() == official.to_xml()


# -- XML names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("aª", id="feminine-ordinal-is-\\w-but-not-a-name-char"),
        pytest.param("ª", id="cannot-start-a-name"),
        pytest.param("1abc", id="digit-first"),
        pytest.param("-abc", id="hyphen-first"),
        pytest.param("a b", id="space"),
        pytest.param("a:b:c", id="two-colons"),
        pytest.param(":a", id="empty-prefix"),
        pytest.param("a:", id="empty-local-name"),
        pytest.param("xmlns", id="xmlns"),
        pytest.param("xmlns:foo", id="xmlns-prefix"),
        pytest.param("a\u00d7", id="multiplication-sign"),
        pytest.param("", id="empty"),
    ],
)
def test_names_that_are_not_xml_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidText):
        VoiceResponse().add_child(name)
    with pytest.raises(InvalidText):
        VoiceResponse().add_child("Foo", **{name: "x"})
    with pytest.raises(InvalidText):
        Say("x", **{name: "x"})


@pytest.mark.parametrize(
    "name",
    ["Foo", "say-as", "amazon:effect", "xml:lang", "é", "日本語", "a.b-c_d", "a\u00b7b", "_x"],
)
def test_xml_names_are_accepted_and_read_back(name: str) -> None:
    response = VoiceResponse()
    response.add_child(name, "text", **{name: "value"})
    attribute = lower_camel(name)  # keywords are camelCased, as officially
    again = parse(str(response))
    assert again.children[0].tag == name
    assert again.children[0].get(attribute) == "value"


def test_no_duplicate_attribute_from_two_keywords_with_one_xml_name() -> None:
    node = VoiceResponse().add_child("Foo", status_callback="/a", statusCallback="/b")
    assert node.to_xml(False) == '<Foo statusCallback="/b" />'


# -- every document the builder renders is well-formed ----------------------------------

_ANY_TEXT = st.text(max_size=8)
_KEYWORDS = st.one_of(
    st.text(max_size=6), st.sampled_from(["from_", "xml_lang", "a_b", "aB", "x:y", "aª", "xmlns"])
)
_VALUES = st.one_of(_ANY_TEXT, st.booleans(), st.integers(-5, 5), st.lists(_ANY_TEXT, max_size=3))
_PREFIX = re.compile(r"\A([^:]+):")


def _prefixes(names: list[str]) -> set[str]:
    return {m.group(1) for n in names if (m := _PREFIX.match(n)) and m.group(1) != "xml"}


def _well_formed(xml: str, prefixes: set[str]) -> etree._Element:
    """Parse with lxml, the prefixes used declared on the root (TwiML never declares them)."""
    # The URIs numbered: a prefix may be any XML name ("À"), a URI must be ASCII for libxml2.
    declarations = "".join(f' xmlns:{p}="urn:test:{i}"' for i, p in enumerate(sorted(prefixes)))
    xml = xml.replace("<Response", "<Response" + declarations, 1)
    return etree.fromstring(xml.encode("utf-8"))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_every_document_the_builder_renders_is_well_formed(data: Any) -> None:
    response = VoiceResponse()
    names: list[str] = []
    parents: list[Any] = [response]
    for _ in range(data.draw(st.integers(1, 6))):
        parent = data.draw(st.sampled_from(parents))
        name = data.draw(
            st.one_of(
                st.text(min_size=1, max_size=6), st.sampled_from(["Say", "a:b", "aª", "xmlns"])
            )
        )
        attrs = data.draw(st.dictionaries(_KEYWORDS, _VALUES, max_size=3))
        text = data.draw(st.one_of(st.none(), _ANY_TEXT, st.integers()))
        try:
            child = parent.add_child(name, text, **attrs)
        except InvalidText:
            continue
        names.append(name)
        names.extend(child.attrs)
        parents.append(child)
        tail = data.draw(_ANY_TEXT)
        if not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", tail):
            parent.append(tail)
    root = _well_formed(response.to_xml(check_size=False), _prefixes(names))
    assert root.tag == "Response"


def test_nesting_errors_are_still_twiml_exceptions() -> None:
    with pytest.raises(InvalidNesting):
        MessagingResponse().append(Say("x"))
