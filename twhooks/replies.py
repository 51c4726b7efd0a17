"""Turn what a handler returns into the bytes of a TwiML response.

A handler may return:

- a TwiML object — twhooks' :class:`~twhooks.twiml.MessagingResponse` or
  :class:`~twhooks.twiml.VoiceResponse`, or anything else with a ``to_xml()`` method (the
  official ``twilio`` SDK's builders work too);
- a ``str``: the text of one ``<Message>`` on messaging routes, of one ``<Say>`` on voice
  routes;
- ``None``: an empty ``<Response/>`` (no reply, or — for a call — hang up);
- a Flask/werkzeug response, which the extension passes through untouched.

This module knows nothing of Flask; the extension passes response objects through itself.
"""

from __future__ import annotations

from typing import Literal

from .exceptions import HandlerError
from .twiml import MAX_MESSAGE_CHARS, MessagingResponse, VoiceResponse

__all__ = ["EMPTY_TWIML", "XML_CONTENT_TYPE", "render_twiml"]

#: The ``Content-Type`` of every TwiML response.
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

#: A TwiML document with nothing to do: no reply to a message, hang up a call.
EMPTY_TWIML = (_DECLARATION + "<Response/>").encode("ascii")

#: Which TwiML verb a plain ``str`` reply becomes.
TextVerb = Literal["message", "say"]

_TEXT_WRAPPERS: dict[str, tuple[str, str]] = {
    "message": (_DECLARATION + "<Response><Message>", "</Message></Response>"),
    "say": (_DECLARATION + "<Response><Say>", "</Say></Response>"),
}
# Longer text goes through the builder, which enforces the 1,600-character message limit.
_SHORT_TEXT = MAX_MESSAGE_CHARS


def render_twiml(value: object, text_verb: TextVerb = "message") -> bytes:
    """The UTF-8 TwiML document for a handler's return ``value``.

    :param text_verb: what a ``str`` becomes: ``"message"`` (``<Message>``) or ``"say"``
        (``<Say>``).
    :raises HandlerError: ``value`` is of a type that cannot be a reply.
    :raises TwiMLError: the text cannot go in TwiML (control characters, over 1,600
        characters for a message).
    """
    if value is None:
        return EMPTY_TWIML
    if isinstance(value, str):
        if value and value.isascii() and value.isprintable() and len(value) <= _SHORT_TEXT:
            # The common reply, plain short text, skips the builder: it needs no check the
            # builder would make beyond these, and its escaping is the three replaces below.
            if "&" in value or "<" in value or ">" in value:
                value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            head, tail = _TEXT_WRAPPERS[text_verb]
            return (head + value + tail).encode("ascii")
        if text_verb == "say":
            voice = VoiceResponse()
            voice.say(value)
            return _encode(voice.to_xml())
        messaging = MessagingResponse()
        messaging.message(value)
        return _encode(messaging.to_xml())
    to_xml = getattr(value, "to_xml", None)
    if callable(to_xml):
        xml = to_xml()
        if isinstance(xml, (str, bytes)):
            return _encode(xml)
        raise HandlerError(
            f"{type(value).__name__}.to_xml() returned {type(xml).__name__}, not str or bytes"
        )
    raise HandlerError(
        f"a handler returned a {type(value).__name__}; return a str, a TwiML response "
        "(MessagingResponse, VoiceResponse, anything with to_xml()), a Flask response or None"
    )


def _encode(xml: str | bytes) -> bytes:
    return xml.encode("utf-8") if isinstance(xml, str) else xml
