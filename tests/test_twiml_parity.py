"""twhooks.twiml renders the same TwiML as the official ``twilio.twiml`` builder.

The official package is the oracle here (test-only). Documents are compared byte for
byte (attribute order, ``<X />``, escaping), which also means the same elements,
attributes, text and tails. Every builder method of every element is reached by
walking the official classes, and called with every keyword it declares.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.twiml import TwiML as OfficialTwiML
from twilio.twiml import fax_response as official_fax
from twilio.twiml import messaging_response as official_messaging
from twilio.twiml import voice_response as official_voice

from twhooks.twiml import FaxResponse, MessagingResponse, VoiceResponse, parse
from twhooks.twiml import fax as our_fax
from twhooks.twiml import messaging as our_messaging
from twhooks.twiml import voice as our_voice

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

RESPONSES = {
    "voice": (official_voice.VoiceResponse, VoiceResponse),
    "messaging": (official_messaging.MessagingResponse, MessagingResponse),
    "fax": (official_fax.FaxResponse, FaxResponse),
}

# Values that exercise escaping and unicode in text and attributes alike.
TEXT = "Tom & Jerry <3 \"quoted\" 'single' > ünïcödé 你好 🎉"
ATTR_VALUES: list[Any] = ["a & b < c > \"d\" 'e' ü", True, False, 5, 0, 2.5, "plain"]


def builder_methods(cls: type) -> list[str]:
    base = set(dir(OfficialTwiML))
    return sorted(
        name
        for name, fn in vars(cls).items()
        if callable(fn) and not name.startswith("__") and name not in base
    )


def call_args(method: Callable[..., Any], seed: int) -> tuple[list[Any], dict[str, Any]]:
    """Positional text (if any) and a value for every declared keyword."""
    params = list(inspect.signature(method).parameters.values())
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for i, p in enumerate(params):
        if p.kind is p.VAR_KEYWORD:
            kwargs["custom_extra_attr"] = "extra"
        elif i == 0 and p.default is p.empty:
            args.append(TEXT)
        elif i == 0 and p.name in {
            "message",
            "body",
            "url",
            "words",
            "number",
            "name",
            "identity",
            "sip_url",
            "application_sid",
        }:
            kwargs[p.name] = TEXT
        else:
            kwargs[p.name] = ATTR_VALUES[(seed + i) % len(ATTR_VALUES)]
    return args, kwargs


def walk_paths() -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every (response kind, chain of builder calls) reachable, each method once per class."""
    seen: set[tuple[type, str]] = set()

    def visit(kind: str, obj: Any, path: tuple[str, ...]) -> Iterator[tuple[str, tuple[str, ...]]]:
        for name in builder_methods(type(obj)):
            if (type(obj), name) in seen:
                continue
            seen.add((type(obj), name))
            method = getattr(obj, name)
            args, kwargs = call_args(method, len(path))
            child = method(*args, **kwargs)
            yield kind, (*path, name)
            yield from visit(kind, child, (*path, name))

    for kind, (official, _) in RESPONSES.items():
        yield from visit(kind, official(), ())


PATHS = list(walk_paths())


def build(response: Any, path: tuple[str, ...]) -> Any:
    node = response
    for depth, name in enumerate(path):
        method = getattr(node, name)
        args, kwargs = call_args(method, depth)
        node = method(*args, **kwargs)
    return response


@pytest.mark.parametrize(("kind", "path"), PATHS, ids=[f"{k}:{'.'.join(p)}" for k, p in PATHS])
def test_every_builder_method_renders_like_the_official(kind: str, path: tuple[str, ...]) -> None:
    official_cls, our_cls = RESPONSES[kind]
    official = str(build(official_cls(), path))
    ours = str(build(our_cls(), path))
    assert ours == official
    assert ours.startswith('<?xml version="1.0" encoding="UTF-8"?><Response>')


def test_the_walk_reaches_every_verb_and_noun() -> None:
    reached = {path[-1] for _, path in PATHS}
    for expected in [
        "say", "play", "pause", "gather", "dial", "record", "redirect", "reject", "hangup",
        "enqueue", "leave", "echo", "sms", "pay", "prompt", "connect", "start", "stop",
        "refer", "queue", "number", "client", "conference", "sim", "sip", "application",
        "whats_app", "identity", "parameter", "uri", "headers", "header", "application_sid",
        "room", "stream", "virtual_agent", "conversation", "conversation_relay", "language",
        "ai_session", "conversation_relay_session", "autopilot", "siprec", "transcription",
        "config", "recording", "task", "break_", "emphasis", "lang", "p", "phoneme",
        "prosody", "s", "say_as", "sub", "w", "message", "body", "media", "receive",
    ]:  # fmt: skip
        assert expected in reached


def whole_documents() -> list[Any]:
    def sms(R: Any, mod: Any) -> Any:
        r = R()
        r.message("Hello & welcome", to="+15550001", from_="+15550002", action="/s", method="POST")
        return r

    def mms(R: Any, mod: Any) -> Any:
        r = R()
        with r.message() as m:
            m.body("Here is your cat")
            m.media("https://example.com/cat.jpg?size=large&fmt=jpg")
            m.media("https://example.com/dog.jpg")
        r.redirect("https://example.com/next", method="GET")
        return r

    def standalone(R: Any, mod: Any) -> Any:
        r = R()
        message = mod.Message("Built apart", status_callback="/cb")
        message.append(mod.Media("https://example.com/a.png"))
        return r.append(message)

    def ivr(R: Any, mod: Any) -> Any:
        r = R()
        with r.gather(input="dtmf speech", num_digits=1, action="/menu", timeout=3) as g:
            g.say("Für Deutsch drücken Sie 1", voice="Polly.Marlene", language="de-DE")
            g.play("https://example.com/beep.mp3", loop=1)
            g.pause(length=2)
        r.say("We didn't receive any input. Goodbye!")
        r.hangup()
        return r

    def ssml(R: Any, mod: Any) -> Any:
        r = R()
        say = r.say("Hi", voice="Polly.Joanna")
        say.break_(strength="x-weak", time="100ms")
        say.emphasis("Words to emphasize", level="moderate")
        say.lang("Bonjour", xml_lang="fr-FR")
        say.p("A paragraph")
        say.phoneme("Words", alphabet="x-sampa", ph="p\u026a\u02c8k\u0251\u02d0n")
        with say.prosody("Slow", rate="x-slow", pitch="+10%", volume="loud") as prosody:
            prosody.say_as("12345", interpret_as="spell-out", format="ymd")
        say.s("A sentence")
        say.sub("W3C", alias="World Wide Web Consortium")
        say.w("read", role="amazon:VBD")
        return r

    def dial(R: Any, mod: Any) -> Any:
        r = R()
        with r.dial(caller_id="+15550003", record="record-from-answer", answer_on_bridge=True) as d:
            d.number("+15550004", send_digits="wwww1928", status_callback_event="initiated")
            with d.client() as c:
                c.identity("alice")
                c.parameter(name="FirstName", value="Alice")
            d.sip("sip:bob@example.com", username="u", password="p").headers().header(
                name="X-Custom", value="1"
            )
            d.conference("Room 1", start_conference_on_enter=True, end_conference_on_exit=False)
        return r

    def extras(R: Any, mod: Any) -> Any:
        r = R(custom_root_attr="x")
        r.add_child("Futureverb", "text", some_option="1", from_="me")
        r.record(max_length=30, play_beep=False, transcribe=True, trim="trim-silence")
        r.pause()
        return r

    def connect(R: Any, mod: Any) -> Any:
        r = R()
        with r.connect(action="/after") as c, c.stream(url="wss://x.test/m", track="both") as s:
            s.parameter(name="a", value="1")
        with r.start() as start:
            start.transcription(status_callback_url="/t", track="inbound_track")
        r.enqueue("support", wait_url="/wait").task('{"selected_product": "manager"}')
        return r

    return [
        pytest.param("messaging", sms, id="sms"),
        pytest.param("messaging", mms, id="mms-body-media-redirect"),
        pytest.param("messaging", standalone, id="standalone-elements-appended"),
        pytest.param("voice", ivr, id="ivr-gather"),
        pytest.param("voice", ssml, id="ssml"),
        pytest.param("voice", dial, id="dial-nouns"),
        pytest.param("voice", extras, id="add-child-and-booleans"),
        pytest.param("voice", connect, id="connect-start-enqueue"),
    ]


MODULES = {"voice": (official_voice, our_voice), "messaging": (official_messaging, our_messaging)}


@pytest.mark.parametrize(("kind", "document"), whole_documents())
def test_whole_documents_render_like_the_official(kind: str, document: Any) -> None:
    (official_cls, our_cls), (official_mod, our_mod) = RESPONSES[kind], MODULES[kind]
    official = str(document(official_cls, official_mod))
    ours = str(document(our_cls, our_mod))
    assert ours == official
    assert parse(ours) == parse(official)


def test_none_attributes_are_dropped_like_the_official() -> None:
    official = official_voice.VoiceResponse()
    official.say("hi", voice=None, loop=None, language=None, extra=None)
    ours = VoiceResponse()
    ours.say("hi", voice=None, loop=None, language=None, extra=None)
    assert str(ours) == str(official)


def test_fax_receive() -> None:
    official = official_fax.FaxResponse()
    official.receive(action="/fax", media_type="application/pdf", store_media=False)
    ours = FaxResponse()
    ours.receive(action="/fax", media_type="application/pdf", store_media=False)
    assert str(ours) == str(official)
    assert isinstance(ours.children[0], our_fax.Receive)


def official_classes() -> list[Any]:
    params = []
    for kind, official_mod in [
        ("voice", official_voice),
        ("messaging", official_messaging),
        ("fax", official_fax),
    ]:
        for name, cls in sorted(vars(official_mod).items()):
            if (
                isinstance(cls, type)
                and issubclass(cls, OfficialTwiML)
                and cls.__module__ == official_mod.__name__
            ):
                params.append(pytest.param(kind, name, id=f"{kind}:{name}"))
    return params


OUR_MODULES = {"voice": our_voice, "messaging": our_messaging, "fax": our_fax}
OFFICIAL_MODULES = {"voice": official_voice, "messaging": official_messaging, "fax": official_fax}


@pytest.mark.parametrize(("kind", "name"), official_classes())
def test_every_class_constructed_on_its_own_renders_like_the_official(kind: str, name: str) -> None:
    official_cls = getattr(OFFICIAL_MODULES[kind], name)
    our_cls = getattr(OUR_MODULES[kind], name)
    params = list(inspect.signature(official_cls.__init__).parameters.values())[1:]
    args = [TEXT] if params[0].kind is params[0].POSITIONAL_OR_KEYWORD else []
    kwargs = {"status_callback": "/cb", "from_": "+1555", "flag": True, "count": 0, "x": "a&b"}
    official = official_cls(*args, **kwargs).to_xml(xml_declaration=False)
    ours = our_cls(*args, **kwargs).to_xml(xml_declaration=False)
    assert ours == official
    our_params = list(inspect.signature(our_cls.__init__).parameters.values())[1:]
    assert [(p.name, p.kind, p.default) for p in our_params] == [
        (p.name, p.kind, p.default) for p in params
    ]


@pytest.mark.parametrize("kind", ["voice", "messaging", "fax"])
def test_the_official_module_names_import_the_same_classes(kind: str) -> None:
    import importlib

    compat = importlib.import_module(f"twhooks.twiml.{kind}_response")
    official_names = {
        name
        for name, cls in vars(OFFICIAL_MODULES[kind]).items()
        if isinstance(cls, type) and issubclass(cls, OfficialTwiML) and name != "TwiML"
    }
    assert official_names <= set(compat.__all__)
    for name in official_names:
        assert getattr(compat, name) is getattr(OUR_MODULES[kind], name)


# -- random documents, built the same way with both ------------------------------------

_SAFE_TEXT = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=[chr(c) for c in range(0x20)] + ["\ufffe", "\uffff"],
    ),
    min_size=1,  # the official builder drops empty text
    max_size=10,
)
_VALUES = st.one_of(_SAFE_TEXT, st.booleans(), st.integers(-3, 3))


def _run(official: Any, ours: Any, data: Any, depth: int) -> None:
    methods = builder_methods(type(official))
    if not methods or depth > 3:
        return
    for _ in range(data.draw(st.integers(0, 3))):
        name = data.draw(st.sampled_from(methods))
        params = list(inspect.signature(getattr(official, name)).parameters.values())
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for i, p in enumerate(params):
            if p.kind is p.VAR_KEYWORD:
                continue
            if i == 0 and p.default is p.empty:
                args.append(data.draw(_SAFE_TEXT))
            elif data.draw(st.booleans()):
                kwargs[p.name] = data.draw(_SAFE_TEXT if i == 0 else _VALUES)
        _run(
            getattr(official, name)(*args, **kwargs),
            getattr(ours, name)(*args, **kwargs),
            data,
            depth + 1,
        )


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(RESPONSES)), st.data())
def test_random_documents_render_like_the_official(kind: str, data: Any) -> None:
    official_cls, our_cls = RESPONSES[kind]
    official, ours = official_cls(), our_cls()
    _run(official, ours, data, 0)
    assert str(ours) == str(official)


def all_builder_methods() -> list[Any]:
    params = []
    for kind, official_mod in OFFICIAL_MODULES.items():
        for name, cls in sorted(vars(official_mod).items()):
            if not (isinstance(cls, type) and issubclass(cls, OfficialTwiML)):
                continue
            if cls.__module__ != official_mod.__name__:
                continue
            for method in builder_methods(cls):
                params.append(pytest.param(kind, name, method, id=f"{name}.{method}"))
    return params


@pytest.mark.parametrize(("kind", "cls", "method"), all_builder_methods())
def test_builder_signatures_match_the_official(kind: str, cls: str, method: str) -> None:
    """Same parameter names in the same order, same required ones: positional calls and
    keyword calls mean the same thing, and editors complete every documented attribute."""
    official = inspect.signature(getattr(getattr(OFFICIAL_MODULES[kind], cls), method))
    ours = inspect.signature(getattr(getattr(OUR_MODULES[kind], cls), method))

    def shape(sig: inspect.Signature) -> list[tuple[str, bool]]:
        return [(p.name, p.default is p.empty) for p in sig.parameters.values()]

    assert shape(ours) == shape(official)


def test_xml_returns_an_elementtree_element_like_the_official() -> None:
    from xml.etree import ElementTree

    official = official_voice.VoiceResponse()
    official.say("hi", voice="alice")
    ours = VoiceResponse()
    ours.say("hi", voice="alice")
    assert ElementTree.tostring(ours.xml()) == ElementTree.tostring(official.xml())
