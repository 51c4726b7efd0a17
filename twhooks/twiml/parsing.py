"""Read TwiML text back into TwiML objects, safely.

The parser never resolves entities, never loads a DTD, never touches the network
and refuses documents with a ``<!DOCTYPE>`` at all, so billion-laughs and external
entity documents are rejected rather than expanded.
"""

from __future__ import annotations

import re
from typing import Literal, overload

from lxml import etree

from ..exceptions import TwiMLParseError
from ._base import GenericNode, TwiML, _new, quote_attr, quote_text
from .fax import FaxResponse
from .messaging import MessagingResponse
from .voice import VoiceResponse

__all__ = ["Kind", "parse"]

#: Which kind of ``<Response>`` a document is.
Kind = Literal["voice", "messaging", "fax"]

_CLASSES: dict[str, type[VoiceResponse | MessagingResponse | FaxResponse]] = {
    "voice": VoiceResponse,
    "messaging": MessagingResponse,
    "fax": FaxResponse,
}

# Verbs only one kind of response can hold (<Redirect> is in both Voice and Messaging).
_MESSAGING_ONLY = frozenset(MessagingResponse._child_classes) - {"Redirect"}
_FAX_ONLY = frozenset(FaxResponse._child_classes)
_VOICE_ONLY = frozenset(VoiceResponse._child_classes) - {"Redirect"}

_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@overload
def parse(xml: str | bytes, kind: Literal["voice"]) -> VoiceResponse: ...
@overload
def parse(xml: str | bytes, kind: Literal["messaging"]) -> MessagingResponse: ...
@overload
def parse(xml: str | bytes, kind: Literal["fax"]) -> FaxResponse: ...
@overload
def parse(
    xml: str | bytes, kind: None = None
) -> VoiceResponse | MessagingResponse | FaxResponse: ...
def parse(
    xml: str | bytes, kind: Kind | None = None
) -> VoiceResponse | MessagingResponse | FaxResponse:
    """Parse a TwiML document into a response object.

    Elements are typed by where they are (``<Sip>`` in ``<Dial>`` is a
    :class:`~twhooks.twiml.voice.Sip`); elements this library does not know are
    kept as :class:`~twhooks.twiml.GenericNode`, never dropped.

    :param xml: the document, as text or as bytes (bytes honour the XML
        declaration's encoding).
    :param kind: ``"voice"``, ``"messaging"`` or ``"fax"``. Without it the kind is
        read from the verbs: ``<Message>`` means messaging, ``<Receive>`` fax, any
        Voice verb voice; a document with neither (``<Response/>``, only
        ``<Redirect>``) is read as voice.
    :raises TwiMLParseError: not well-formed XML, a DTD or entity, a root other than
        ``<Response>``, an unknown ``kind``, or verbs of two kinds mixed.
    """
    if kind is not None and kind not in _CLASSES:
        raise TwiMLParseError(f"unknown kind {kind!r}; use one of {', '.join(_CLASSES)}")
    if isinstance(xml, str):
        # lxml refuses str input that declares an encoding; the text is decoded already.
        xml = _DECLARATION.sub("", xml, count=1)
    elif not isinstance(xml, (bytes, bytearray)):
        raise TwiMLParseError(f"TwiML must be str or bytes, not {type(xml).__name__}")
    root = _read(xml)
    docinfo = root.getroottree().docinfo
    internal_dtd: etree.DTD | None = docinfo.internalDTD  # the stubs omit the None
    if getattr(docinfo, "doctype", "") or internal_dtd is not None:
        raise TwiMLParseError("TwiML must not contain a <!DOCTYPE> (DTDs and entities refused)")
    if root.tag != "Response":
        raise TwiMLParseError(
            f"the root element is <{root.tag}>; TwiML documents are a <Response> (error 12102)"
        )
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise TwiMLParseError("TwiML must not contain entity references")
    cls = _CLASSES[kind or _guess_kind(root)]
    node = _convert(root, cls)
    assert isinstance(node, cls)
    return node


_XML_NS = "{http://www.w3.org/XML/1998/namespace}"


def _name(el: etree._Element, name: str) -> str:
    """The name as written in the document (``xml:lang``, ``amazon:effect``)."""
    if not name.startswith("{"):
        return name
    if name.startswith(_XML_NS):
        return "xml:" + name[len(_XML_NS) :]
    uri, local = name[1:].split("}", 1)
    prefix = next((p for p, u in el.nsmap.items() if u == uri and p), None)
    return f"{prefix}:{local}" if prefix else local


def _convert(el: etree._Element, cls: type[TwiML]) -> TwiML:
    tag = _name(el, str(el.tag))
    head = (
        "<"
        + tag
        + "".join(f' {_name(el, str(k))}="{quote_attr(str(v))}"' for k, v in el.attrib.items())
    )
    content: list[str | TwiML] = [quote_text(el.text)] if el.text else []
    classes = cls._child_classes
    for child in el:
        content.append(_convert(child, classes.get(_name(child, str(child.tag)), GenericNode)))
        if child.tail:
            content.append(quote_text(child.tail))
    node = _new(cls)
    if isinstance(node, GenericNode):
        node._name = tag
    node._head = head
    node._content = content
    return node


def _read(xml: str | bytes) -> etree._Element:
    try:
        try:
            return etree.fromstring(xml, _parser())
        except etree.XMLSyntaxError as exc:
            # Twilio's SSML uses prefixes it never declares (<amazon:effect>): declare
            # them on the root and read again, rather than refuse what Twilio accepts.
            prefixes = set(_UNDECLARED.findall(f"{exc}\n{exc.error_log}"))
            declared = _declare(xml, prefixes) if prefixes else None
            if declared is None:
                raise
            return etree.fromstring(declared, _parser())
    except etree.XMLSyntaxError as exc:
        raise TwiMLParseError(f"not well-formed XML: {exc}") from None
    except ValueError as exc:
        raise TwiMLParseError(f"cannot read the document: {exc}") from None


_UNDECLARED = re.compile(r"Namespace prefix ([A-Za-z_][\w.\-]*) (?:on|for) ")
_ROOT_TAG = re.compile(rb"<Response(?=[\s/>])")


def _declare(xml: str | bytes, prefixes: set[str]) -> bytes | None:
    """``xml`` with ``prefixes`` declared on its ``<Response>`` (None if it has none)."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    declarations = "".join(
        f' xmlns:{p}="urn:x-twhooks:undeclared:{p}"' for p in sorted(prefixes) if p != "xml"
    )
    declared, count = _ROOT_TAG.subn(b"<Response" + declarations.encode(), data, count=1)
    return declared if count and declarations else None


def _guess_kind(root: etree._Element) -> Kind:
    tags = {str(child.tag) for child in root}
    found: list[Kind] = []
    if tags & _VOICE_ONLY:
        found.append("voice")
    if tags & _MESSAGING_ONLY:
        found.append("messaging")
    if tags & _FAX_ONLY:
        found.append("fax")
    if len(found) > 1:
        raise TwiMLParseError(
            f"the document mixes {' and '.join(found)} verbs ({', '.join(sorted(tags))}); "
            "pass kind= to read it as one of them"
        )
    return found[0] if found else "voice"
