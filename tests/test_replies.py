"""Replies: what a handler returns becomes TwiML (or passes through)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from _signing import TOKEN, signed_post
from flask import Flask, Response
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.twiml.messaging_response import MessagingResponse as OfficialMessagingResponse
from twilio.twiml.voice_response import VoiceResponse as OfficialVoiceResponse

from twhooks import HandlerError, MessagingResponse, TwilioHooks, VoiceResponse
from twhooks.exceptions import TwiMLError, TwiMLLimitExceeded
from twhooks.replies import EMPTY_TWIML, XML_CONTENT_TYPE, render_twiml

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

DECL = b'<?xml version="1.0" encoding="UTF-8"?>'


def twiml_reply() -> MessagingResponse:
    reply = MessagingResponse()
    reply.message("one")
    reply.message("two")
    return reply


def official_reply() -> OfficialMessagingResponse:
    reply = OfficialMessagingResponse()
    reply.message("from the SDK")
    return reply


def official_voice() -> OfficialVoiceResponse:
    reply = OfficialVoiceResponse()
    reply.say("from the SDK")
    return reply


def voice_reply() -> VoiceResponse:
    reply = VoiceResponse()
    reply.say("Goodbye")
    reply.hangup()
    return reply


@pytest.mark.parametrize(
    ("value", "verb", "expected"),
    [
        pytest.param(None, "message", DECL + b"<Response/>", id="none"),
        pytest.param(
            "Hi & bye", "message", DECL + b"<Response><Message>Hi &amp; bye</Message></Response>",
            id="str-message",
        ),
        pytest.param("Hi", "say", DECL + b"<Response><Say>Hi</Say></Response>", id="str-say"),
        pytest.param(
            twiml_reply(), "message",
            DECL + b"<Response><Message>one</Message><Message>two</Message></Response>",
            id="twhooks-twiml",
        ),
        pytest.param(
            official_reply(), "message",
            DECL + b"<Response><Message>from the SDK</Message></Response>",
            id="official-sdk-twiml",
        ),
        pytest.param(
            voice_reply(), "say", DECL + b"<Response><Say>Goodbye</Say><Hangup /></Response>",
            id="voice-twiml",
        ),
    ],
)  # fmt: skip
def test_render_twiml(value: Any, verb: Any, expected: bytes) -> None:
    assert render_twiml(value, verb) == expected


@pytest.mark.parametrize(
    "value", [42, b"<Response/>", {"text": "hi"}], ids=["int", "bytes", "dict"]
)
def test_other_types_are_a_handler_error(value: Any) -> None:
    with pytest.raises(HandlerError, match="return a str, a TwiML response"):
        render_twiml(value)


def test_a_to_xml_that_returns_nonsense_is_a_handler_error() -> None:
    class Odd:
        def to_xml(self) -> int:
            return 3

    with pytest.raises(HandlerError, match=r"Odd.to_xml\(\) returned int"):
        render_twiml(Odd())


def test_a_str_over_1600_characters_is_refused() -> None:
    with pytest.raises(TwiMLLimitExceeded):
        render_twiml("x" * 1601)


def app_returning(value: Any, *, route: str = "message") -> Flask:
    app = Flask(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    hooks = TwilioHooks(app)
    if route == "message":
        hooks.message()(lambda msg: value)
    elif route == "call":
        hooks.call()(lambda call: value)
    else:
        hooks.message_status()(lambda status: value)
    return app


PATHS = {
    "message": "/twilio/messages",
    "call": "/twilio/voice",
    "status": "/twilio/messages/status",
}


@pytest.mark.parametrize(
    ("route", "value", "body"),
    [
        pytest.param("message", "Thanks!", b"<Message>Thanks!</Message>", id="message-str"),
        pytest.param("message", None, b"<Response/>", id="message-none"),
        pytest.param("call", "Welcome", b"<Say>Welcome</Say>", id="call-str"),
        pytest.param("call", official_voice(), b"<Say>from the SDK</Say>", id="call-official"),
        pytest.param("call", None, b"<Response/>", id="call-none"),
    ],
)
def test_twiml_responses_over_http(route: str, value: Any, body: bytes) -> None:
    response = signed_post(app_returning(value, route=route).test_client(), PATHS[route], {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XML_CONTENT_TYPE
    assert response.data.startswith(DECL)  # no whitespace before <?xml
    assert body in response.data


def test_status_callback_returning_none_is_204_without_body() -> None:
    response = signed_post(app_returning(None, route="status").test_client(), PATHS["status"], {})
    assert (response.status_code, response.data) == (204, b"")


def test_a_flask_response_passes_through() -> None:
    custom = Response("plain", status=202, headers={"X-Custom": "1"}, mimetype="text/plain")
    response = signed_post(app_returning(custom).test_client(), PATHS["message"], {})
    assert (response.status_code, response.data) == (202, b"plain")
    assert response.headers["X-Custom"] == "1"


@pytest.mark.parametrize(
    ("value", "logged"),
    [
        pytest.param(42, "a handler returned a int", id="wrong-type"),
        pytest.param("bad \x01 text", "cannot be carried by XML", id="control-character"),
        pytest.param("x" * 1601, "1,600", id="too-long"),
    ],
)
def test_an_unrenderable_reply_is_a_logged_500(
    value: Any, logged: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="twhooks"):
        response = signed_post(app_returning(value).test_client(), PATHS["message"], {})
    assert response.status_code == 500
    assert logged in caplog.text


def test_empty_twiml_constant() -> None:
    assert EMPTY_TWIML == DECL + b"<Response/>"


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60)
    | st.text(max_size=20)
    | st.sampled_from(["x" * 1600, "x" * 1601, "&<>\"'", "tab\there", "é", ""]),
    verb=st.sampled_from(["message", "say"]),
)
def test_a_str_reply_renders_exactly_as_the_builder_would(text: str, verb: Any) -> None:
    def built() -> bytes:
        response: MessagingResponse | VoiceResponse
        if verb == "say":
            response = VoiceResponse()
            response.say(text)
        else:
            response = MessagingResponse()
            response.message(text)
        return response.to_xml().encode("utf-8")

    if text.lstrip().startswith(("<?xml", "<Response")):
        return  # a TwiML document, sent as it is (TestATwimlDocumentAsAString)
    try:
        expected = built()
    except TwiMLError as error:
        with pytest.raises(type(error)):
            render_twiml(text, verb)
    else:
        assert render_twiml(text, verb) == expected


class TestATwimlDocumentAsAString:
    """``return str(response)`` — how Twilio's sample apps answer — sends that document, not
    a ``<Message>`` or ``<Say>`` reading it aloud (issue 23 §5)."""

    @pytest.mark.parametrize(
        ("value", "verb"),
        [
            pytest.param(str(official_reply()), "message", id="official-messaging"),
            pytest.param(str(official_voice()), "say", id="official-voice"),
            pytest.param(str(twiml_reply()), "message", id="twhooks-builder"),
            pytest.param("<Response><Say>Hi é</Say></Response>", "say", id="no-declaration"),
            pytest.param("\n  <Response/>\n", "message", id="surrounding-whitespace"),
            pytest.param(
                '\n<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Message>Hi</Message>'
                "\n</Response>\n",
                "message",
                id="written-by-hand",
            ),
        ],
    )
    def test_it_is_sent_as_the_document(self, value: str, verb: Any) -> None:
        body = render_twiml(value, verb)
        assert body == value.strip().encode("utf-8")  # no whitespace before <?xml
        assert b"&lt;" not in body

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            pytest.param("<Response><Message>Hi</Response>", "not well-formed", id="unclosed"),
            pytest.param("<?xml version='1.0'?><Say>Hi</Say>", "<Say>, not <Response>", id="root"),
            pytest.param("<Response>&nbsp;</Response>", "not well-formed", id="entity"),
        ],
    )
    def test_a_malformed_one_is_a_handler_error(self, value: str, message: str) -> None:
        with pytest.raises(HandlerError, match=re.escape(message)):
            render_twiml(value)

    def test_text_that_only_mentions_tags_is_still_text(self) -> None:
        assert render_twiml("Type <Response> to answer") == (
            DECL + b"<Response><Message>Type &lt;Response&gt; to answer</Message></Response>"
        )

    def test_over_http_like_twilios_sample_apps(self) -> None:
        app = Flask(__name__)
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        hooks = TwilioHooks(app)

        @hooks.message()
        def sample(msg: Any) -> str:
            response = OfficialMessagingResponse()
            response.message("The Robots are coming! Head for the hills!")
            return str(response)

        answer = signed_post(app.test_client(), PATHS["message"], {})
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == XML_CONTENT_TYPE
        assert answer.data == (
            DECL + b"<Response><Message>The Robots are coming! Head for the hills!</Message>"
            b"</Response>"
        )
