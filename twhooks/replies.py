"""Turn what a handler returns into the bytes of a TwiML response.

A handler may return:

- a TwiML object — twhooks' :class:`~twhooks.twiml.MessagingResponse` or
  :class:`~twhooks.twiml.VoiceResponse`, or anything else with a ``to_xml()`` method (the
  official ``twilio`` SDK's builders work too);
- a ``str``: the text of one ``<Message>`` on messaging routes, of one ``<Say>`` on voice
  routes — unless it is a TwiML document itself (it starts with ``<?xml`` or ``<Response``,
  after whitespace: ``return str(response)``, as Twilio's sample apps answer), which is
  sent as it is, once checked well-formed;
- ``None``: an empty ``<Response/>`` (no reply, or — for a call — hang up);
- a response object of the web framework, which the adapter passes through untouched.

A :class:`Reply` is what the dispatcher answers: status, headers and body bytes. This module
knows nothing of any web framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .exceptions import HandlerError

__all__ = ["EMPTY_TWIML", "TEXT_CONTENT_TYPE", "XML_CONTENT_TYPE", "Reply", "render_twiml"]

#: The ``Content-Type`` of every TwiML response.
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

#: The ``Content-Type`` of twhooks' own plain-text answers (refusals, errors).
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

#: How a ``str`` that is a TwiML document starts, after whitespace.
_DOCUMENT_STARTS = ("<?xml", "<Response")

#: A TwiML document with nothing to do: no reply to a message, hang up a call.
EMPTY_TWIML = (_DECLARATION + "<Response/>").encode("ascii")

#: Which TwiML verb a plain ``str`` reply becomes.
TextVerb = Literal["message", "say"]

_TEXT_WRAPPERS: dict[str, tuple[str, str]] = {
    "message": (_DECLARATION + "<Response><Message>", "</Message></Response>"),
    "say": (_DECLARATION + "<Response><Say>", "</Say></Response>"),
}
# Longer text goes through the builder, which enforces the 1,600-character message limit
# (``twhooks.twiml.MAX_MESSAGE_CHARS``; not imported here, so that a plain reply loads no
# TwiML builder: tests/test_replies.py checks that the two agree).
_SHORT_TEXT = 1600


@dataclass(slots=True)
class Reply:
    """An HTTP answer, independent of any web framework.

    :param status: the HTTP status code.
    :param headers: ``(name, value)`` pairs; ``Content-Type`` among them when there is a body.
    :param body: the body bytes.
    :param native: a response object of the web framework that a handler returned; the
        adapter sends it as it is (status, headers and body above are then unused).
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    native: Any = None

    @classmethod
    def twiml(cls, body: bytes) -> Reply:
        """A ``200`` with a TwiML document."""
        return cls(200, [("Content-Type", XML_CONTENT_TYPE)], body)

    @classmethod
    def text(cls, status: int, text: str) -> Reply:
        """A plain-text answer: one line, newline added."""
        return cls(status, [("Content-Type", TEXT_CONTENT_TYPE)], (text + "\n").encode("utf-8"))

    @classmethod
    def empty(cls, status: int = 204) -> Reply:
        """An answer without a body (``204 No Content`` for a status callback)."""
        return cls(status)


def render_twiml(value: object, text_verb: TextVerb = "message") -> bytes:
    """The UTF-8 TwiML document for a handler's return ``value``.

    :param text_verb: what a ``str`` becomes: ``"message"`` (``<Message>``) or ``"say"``
        (``<Say>``).
    :raises HandlerError: ``value`` is of a type that cannot be a reply, or a TwiML document
        (a ``str`` starting with ``<?xml`` or ``<Response``) that is not well-formed or
        whose root is not ``<Response>``.
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
                if value.lstrip().startswith(_DOCUMENT_STARTS):
                    return _document(value)
                value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            head, tail = _TEXT_WRAPPERS[text_verb]
            return (head + value + tail).encode("ascii")
        if "<" in value and value.lstrip().startswith(_DOCUMENT_STARTS):
            return _document(value)
        # Text that is not short printable ASCII: the builder checks and escapes it.
        if text_verb == "say":
            from .twiml.voice import VoiceResponse

            voice = VoiceResponse()
            voice.say(value)
            return _encode(voice.to_xml())
        from .twiml.messaging import MessagingResponse

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


def _document(value: str) -> bytes:
    """A handler's ``str`` that is a TwiML document, as sent: without the whitespace around
    it (Twilio refuses a document with whitespace before ``<?xml``), checked well-formed with
    a ``<Response>`` root."""
    from lxml import etree  # only for this rare reply: plain text never needs it

    body = value.strip().encode("utf-8")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise HandlerError(
            f"a handler returned a TwiML document (a str starting with <?xml or <Response) "
            f"that is not well-formed XML: {error}; return the builder itself, or plain text "
            "that does not start like a document"
        ) from error
    if root.tag != "Response":
        raise HandlerError(
            f"a handler returned a TwiML document whose root element is <{root.tag}>, not "
            "<Response>"
        )
    return body


def _encode(xml: str | bytes) -> bytes:
    return xml.encode("utf-8") if isinstance(xml, str) else xml
