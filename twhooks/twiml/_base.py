"""The element machinery every TwiML class shares.

Why not an lxml tree: creating an lxml element and setting one attribute costs
about a microsecond, so an lxml-backed builder cannot be much more than 4x faster
than the official one on large documents, whatever it does around lxml. Here an
element is a small object (two slots) that renders its opening tag, attributes
escaped and validated, *once*, when it is built; rendering a document is then a
join of ready strings. lxml is still used to read documents
(:func:`~twhooks.twiml.parse`), where its safety matters.

Validation is cheap by design: one ``isascii() and isprintable()`` test accepts
ordinary ASCII in a single C pass; anything else goes through the exact XML 1.0
character check, which raises :class:`InvalidText` naming the element, the
attribute and the character. Nesting is checked against a per-class table of
the child tags each element may hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from html import unescape
from types import MappingProxyType
from typing import Any, ClassVar, TypeAlias, TypeVar
from xml.etree import ElementTree

from ..exceptions import InvalidNesting, InvalidText, TwiMLError, TwiMLLimitExceeded

__all__ = [
    "MAX_MESSAGE_CHARS",
    "MAX_RESPONSE_BYTES",
    "AttrValue",
    "GenericNode",
    "TextValue",
    "TwiML",
    "TwiMLException",
    "format_language",
    "lower_camel",
]

#: The official builder's name for :class:`~twhooks.exceptions.TwiMLError`, so that
#: ``except TwiMLException`` in code written for ``twilio.twiml`` keeps working.
TwiMLException = TwiMLError

#: Twilio refuses TwiML responses over 64 kB (error 11750).
MAX_RESPONSE_BYTES = 64 * 1024

#: Twilio refuses a ``<Message>`` body over 1,600 characters (errors 14103 / 21617).
MAX_MESSAGE_CHARS = 1600

#: What an attribute keyword accepts: booleans render ``true``/``false``, numbers
#: their ``str()``, sequences their items joined by a space (``hints``: a comma).
AttrValue: TypeAlias = "str | bool | int | float | Sequence[str | int] | None"

#: What element text accepts; a mapping (``<Task>`` bodies) renders as JSON.
TextValue: TypeAlias = "str | int | float | Mapping[str, Any] | None"

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

#: Python keyword → XML attribute name, as the official helper library spells
#: them; grows as free keywords are seen (the builders' own are precomputed).
_NAMES: dict[str, str] = {
    "from_": "from",
    "for_": "for",
    "break_": "break",
    "xml_lang": "xml:lang",
    "interpret_as": "interpret-as",
}

# Characters XML 1.0 cannot carry at all.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Element and attribute names: XML 1.0 names (fifth edition, section 2.3), without
# a colon except for one prefix as TwiML writes them (xml:lang, SSML's amazon:effect).
# Python's \w is not the XML rule: "ª" is a word character but cannot start a name.
_NAME_START = (
    "A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHAR = _NAME_START + "\\-.0-9\xb7\u0300-\u036f\u203f\u2040"
_NCNAME = f"[{_NAME_START}][{_NAME_CHAR}]*"
_NAME = re.compile(f"(?!xmlns(?::|\\Z)){_NCNAME}(?::{_NCNAME})?\\Z")
# The attributes of an opening tag this module rendered.
_ATTRIBUTE = re.compile(r' ([^=]+)="([^"]*)"')

_T = TypeVar("_T", bound="TwiML")
_V = TypeVar("_V", bound="TwiML | str")

_new = object.__new__


class _Unrepresentable(ValueError):
    """Raised by the quoting helpers; the builder turns it into InvalidText."""


# -- values -> XML text ---------------------------------------------------------


def lower_camel(string: str | None) -> str | None:
    """``foo_bar_baz`` → ``fooBarBaz``, as the official builder names attributes.

    A string without ``_`` (``fooBar``), ``""`` and ``None`` come back unchanged.
    """
    if not string or "_" not in string:
        return string
    name = "".join(part.title() for part in string.split("_"))
    return name[:1].lower() + name[1:]


def format_language(language: str | None) -> str | None:
    """A language code as ``ll-CC`` (``"EN_us"`` → ``"en-US"``), as the official
    builder's helper does; ``None`` and ``""`` come back unchanged.

    :raises TwiMLError: the value is not two letters, ``-`` or ``_``, two letters.
    """
    if not language:
        return language
    if not _LANGUAGE.match(language):
        raise TwiMLError(f"invalid value for language parameter: {language!r} (want ll-CC)")
    return language[:2].lower() + "-" + language[3:5].upper()


_LANGUAGE = re.compile(r"[a-zA-Z]{2}[_-][a-zA-Z]{2}\Z")


def xml_name(keyword: str) -> str:
    """Translate a Python keyword to its XML attribute name (``status_callback`` →
    ``statusCallback``) exactly as the official helper library does, cached.

    :raises _Unrepresentable: the result is not an XML name.
    """
    name = _NAMES.get(keyword)
    if name is None:
        name = lower_camel(keyword) or ""
        if not _NAME.match(name):
            raise _Unrepresentable(keyword)
        if len(_NAMES) < 4096:  # keywords come from code; bound it all the same
            _NAMES[keyword] = name
    return name


def render_attr(value: Any, sep: str = " ") -> str:
    """The string form of a non-``str`` attribute value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return sep.join(v if isinstance(v, str) else render_attr(v) for v in value)
    return str(value)


def render_text(value: Any) -> str:
    """The string form of non-``str`` element text: mappings as JSON."""
    if isinstance(value, Mapping):
        return json.dumps(value)
    return str(value)


def quote_attr(value: Any, sep: str = " ") -> str:
    """An attribute value, validated and escaped for a double-quoted attribute."""
    kind = type(value)
    if kind is str:
        s: str = value
    elif kind is int:  # digits and a sign: nothing to check or escape
        return str(value)
    elif kind is bool:
        return "true" if value else "false"
    else:
        s = render_attr(value, sep)
    if s.isascii() and s.isprintable():
        if "&" in s or "<" in s or ">" in s or '"' in s:
            s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            s = s.replace('"', "&quot;")
        return s
    if _ILLEGAL.search(s):
        raise _Unrepresentable(s)
    # Escaped as ElementTree does (the official builder's output, byte for byte);
    # whitespace characters so that a parser gives them back as they were.
    return (
        s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
        .replace("\n", "&#10;")
        .replace("\t", "&#09;")
    )


def quote_text(value: Any) -> str:
    """Element text, validated and escaped."""
    s: str = value if type(value) is str else render_text(value)
    if s.isascii() and s.isprintable():
        if "&" in s or "<" in s or ">" in s:
            s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return s
    if _ILLEGAL.search(s):
        raise _Unrepresentable(s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def text_content(value: Any) -> list[str | TwiML]:
    """The content of a new element with text *value*: none for ``None`` or ``""``
    (rendered ``<Say />``, as the official builder does)."""
    return [] if value is None or value == "" else [quote_text(value)]


def with_attributes(head: str, values: Mapping[str, Any]) -> str:
    """*head* (``<Tag`` and its rendered attributes) with the attributes given as Python
    keywords merged in, as the official builder writes them: ``None`` skipped, sorted by
    XML name, and a keyword naming an attribute already there (``statusCallback`` after
    ``status_callback``) replaces it.

    :raises _Unrepresentable: a keyword or value XML cannot carry.
    """
    tag, _, _ = head.partition(" ")
    rendered = dict(_ATTRIBUTE.findall(head))  # XML name -> escaped value
    for key, value in values.items():
        if value is not None:
            name = _NAMES.get(key) or xml_name(key)
            rendered[name] = quote_attr(value, ", " if name == "hints" else " ")
    return tag + "".join(f' {name}="{rendered[name]}"' for name in sorted(rendered))


def invalid(
    tag: str,
    text_value: Any = None,
    attrs: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> TwiMLError:
    """Explain which value of an element being built XML cannot carry.

    Only called once a quoting helper has refused something, so the scan here
    costs nothing on the normal path.

    :param tag: the element's tag.
    :param text_value: the element text that was given.
    :param attrs: the attribute values given as declared keywords, by XML name.
    :param extra: the free keyword arguments, by Python name.
    """
    where = f"<{tag}>"
    found = _explain(where, "text", text_value)
    for name, value in (attrs or {}).items():
        found = found or _explain(where, f"attribute {name!r}", value)
    for key, value in (extra or {}).items():
        if found is not None or value is None:
            continue
        try:
            name = xml_name(key)
        except _Unrepresentable:
            return InvalidText(f"{where}: keyword {key!r} does not make a valid XML attribute name")
        found = _explain(where, f"attribute {name!r}", value)
    return found or InvalidText(f"{where}: a value XML cannot carry")


def _explain(where: str, what: str, value: Any) -> InvalidText | None:
    if value is None:
        return None
    rendered = value if isinstance(value, str) else render_attr(value)
    match = _ILLEGAL.search(rendered)
    if match is None:
        return None
    char = match.group()
    return InvalidText(
        f"{where} {what}: character U+{ord(char):04X} at position {match.start()} "
        "cannot be carried by XML (control characters, surrogates and U+FFFE/U+FFFF "
        "are not allowed)"
    )


def message_too_long(size: int) -> TwiMLLimitExceeded:
    """The error for a ``<Message>`` body of ``size`` characters."""
    return TwiMLLimitExceeded(
        f"<Message> body is {size:,} characters; Twilio accepts at most "
        f"{MAX_MESSAGE_CHARS:,} (error 21617). Split it into several <Message> elements."
    )


# -- elements -------------------------------------------------------------------


class TwiML:
    """Base class of every TwiML element.

    Build documents with the builder methods of a response class
    (``response.say(...)``), or make elements on their own and :meth:`append` them.
    Read them with :attr:`tag`, :attr:`attrs`, :attr:`text`, :attr:`children`,
    :attr:`content`, :meth:`iter` and :meth:`find_all`. Two elements are equal
    when their tags, attributes, text and children are.
    """

    __slots__ = ("_content", "_head")

    #: ``<Tag`` and the rendered attributes: the opening tag without its ``>``.
    _head: str
    #: Escaped text pieces and child elements, in document order.
    _content: list[str | TwiML]

    #: The element's XML tag (the class name, for the base class, as officially).
    _tag: ClassVar[str] = "TwiML"
    #: Tag → class of the children this element may hold.
    _child_classes: ClassVar[Mapping[str, type[TwiML]]] = {}
    #: Whether any element may be nested (the generic escape hatch).
    _accepts_any: ClassVar[bool] = False

    def __init__(self, value: TextValue = None, **kwargs: Any) -> None:
        try:
            self._head = with_attributes("<" + self._tag, kwargs) if kwargs else "<" + self._tag
            self._content = text_content(value)
        except _Unrepresentable:
            raise invalid(self._tag, value, None, kwargs) from None
        self._check()

    # -- reading -----------------------------------------------------------------

    @property
    def tag(self) -> str:
        """The XML tag, e.g. ``"Say"`` or ``"say-as"``."""
        return self._tag

    @property
    def name(self) -> str:
        """The XML tag (the official builder's name for :attr:`tag`)."""
        return self.tag

    @property
    def attrs(self) -> Mapping[str, str]:
        """The attributes by XML name (``statusCallback``, ``xml:lang``) as rendered
        strings (``"true"``, ``"5"``). A read-only snapshot."""
        return MappingProxyType({k: unescape(v) for k, v in _ATTRIBUTE.findall(self._head)})

    def get(self, name: str, default: str | None = None) -> str | None:
        """One attribute by XML name (``"statusCallback"``), or ``default``."""
        return self.attrs.get(name, default)

    @property
    def text(self) -> str | None:
        """The text before the first child, ``None`` when there is none."""
        pieces: list[str] = []
        for item in self._content:
            if not isinstance(item, str):
                break
            pieces.append(item)
        return unescape("".join(pieces)) if pieces else None

    @property
    def value(self) -> str | None:
        """Same as :attr:`text` (the official builder's name). Assigning it replaces
        the text before the first child (``None`` or ``""`` removes it).

        :raises InvalidText: the new text holds characters XML cannot carry.
        :raises TwiMLLimitExceeded: the new text is over a limit (a ``<Message>``).
        """
        return self.text

    @value.setter
    def value(self, value: TextValue) -> None:
        try:
            text = text_content(value)
        except _Unrepresentable:
            raise invalid(self.tag, value) from None
        content = self._content
        leading = next((i for i, item in enumerate(content) if not isinstance(item, str)), None)
        before = content[:]
        content[: len(content) if leading is None else leading] = text
        try:
            self._check()
        except TwiMLLimitExceeded:
            content[:] = before
            raise

    @property
    def children(self) -> list[TwiML]:
        """The child elements, in order."""
        return [item for item in self._content if isinstance(item, TwiML)]

    @property
    def content(self) -> list[str | TwiML]:
        """Text and child elements in document order, adjacent text joined."""
        out: list[str | TwiML] = []
        for item in self._content:
            if isinstance(item, str):
                if out and isinstance(out[-1], str):
                    out[-1] += unescape(item)
                else:
                    out.append(unescape(item))
            else:
                out.append(item)
        return out

    @classmethod
    def allowed_children(cls) -> Mapping[str, type[TwiML]]:
        """The tags an element of this class can hold, each with its class
        (``Gather.allowed_children()`` → ``Say``, ``Pause``, ``Play``)."""
        return MappingProxyType(dict(cls._child_classes))

    def iter(self) -> Iterator[TwiML]:
        """This element and all its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str) -> list[TwiML]:
        """Every descendant (not this element) with this tag, in document order."""
        return [node for node in self.iter() if node is not self and node.tag == tag]

    def find(self, tag: str) -> TwiML | None:
        """The first descendant with this tag, or ``None``."""
        return next((n for n in self.iter() if n is not self and n.tag == tag), None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TwiML):
            return NotImplemented
        if self is other:
            return True
        if self.tag != other.tag or dict(self.attrs) != dict(other.attrs):
            return False
        mine = [c for c in self.content if c != ""]
        theirs = [c for c in other.content if c != ""]
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        xml = self.to_xml(xml_declaration=False, check_size=False)
        if len(xml) > 200:
            xml = xml[:197] + "..."
        return f"<{type(self).__name__} {xml}>"

    # -- building ----------------------------------------------------------------

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def nest(self, verb: _V) -> _V:
        """Add an element (or text) as the last child and return it.

        Text is added after what is already there, never replacing it.

        :raises InvalidNesting: this element cannot hold that child.
        :raises InvalidText: the text holds characters XML cannot carry.
        """
        if isinstance(verb, str):
            if not verb:
                return verb
            try:
                self._content.append(quote_text(verb))
            except _Unrepresentable:
                raise invalid(self.tag, verb) from None
        elif isinstance(verb, TwiML):
            tag = verb.tag
            if not (self._accepts_any or tag in self._child_classes or type(verb) is GenericNode):
                raise InvalidNesting(self._nesting_message(tag))
            self._content.append(verb)
        else:
            raise TwiMLError(
                f"<{self.tag}> can only nest TwiML elements and text, not {type(verb).__name__}"
            )
        try:
            self._check()
        except TwiMLLimitExceeded:
            self._content.pop()
            raise
        return verb

    def append(self: _T, verb: TwiML | str) -> _T:
        """Add an element (or text) as the last child and return ``self``.

        :raises InvalidNesting: this element cannot hold that child.
        """
        self.nest(verb)
        return self

    def add_child(self, name: str, value: TextValue = None, /, **kwargs: Any) -> GenericNode:
        """Add an element of any tag (for verbs newer than this library, or SSML
        such as ``amazon:effect``). Not checked for nesting: this is the escape hatch.

        ``name`` and ``value`` are positional-only, so that ``name=`` and ``value=``
        can be attributes (``say.add_child("amazon:effect", "hi", name="whispered")``).
        """
        return self.nest(GenericNode(name, value, **kwargs))

    def _nesting_message(self, child: str) -> str:
        allowed = ", ".join(f"<{t}>" for t in self._child_classes) or "no elements (text only)"
        return f"<{self.tag}> cannot hold <{child}>; it can hold {allowed}"

    def _check(self) -> None:
        """Enforce a Twilio limit after a change (overridden where one applies)."""

    # -- rendering ---------------------------------------------------------------

    def _render(self) -> str:
        content = self._content
        if not content:
            return self._head + " />"
        if len(content) == 1 and type(content[0]) is str:  # the common case: text only
            return f"{self._head}>{content[0]}</{self._tag}>"
        inner = "".join([i if type(i) is str else i._render() for i in content])  # type: ignore[union-attr]
        return f"{self._head}>{inner}</{self._tag}>"

    def to_xml(self, xml_declaration: bool = True, *, check_size: bool = True) -> str:
        """Render as a string, with the XML declaration unless told otherwise.

        :param check_size: refuse a result over Twilio's 64 kB limit.
        :raises TwiMLLimitExceeded: the result is over Twilio's 64 kB limit.
        """
        try:
            xml = self._render()
        except RecursionError:
            raise _too_deep(self.tag) from None
        if check_size and len(xml) > MAX_RESPONSE_BYTES // 4:
            _check_size(self.tag, xml)
        return XML_DECLARATION + xml if xml_declaration else xml

    def xml(self) -> ElementTree.Element:
        """This element as a standard-library :class:`xml.etree.ElementTree.Element`,
        as the official builder's ``xml()`` returns (a new copy on each call).

        :raises TwiMLError: the element uses a prefix ElementTree cannot read
            (``amazon:effect``); use :meth:`to_xml` instead.
        """
        try:
            return ElementTree.fromstring(self.to_xml(xml_declaration=False, check_size=False))
        except ElementTree.ParseError as exc:
            raise TwiMLError(f"<{self.tag}> cannot be read by ElementTree: {exc}") from None

    def __str__(self) -> str:
        try:
            xml = self._render()
        except RecursionError:
            raise _too_deep(self.tag) from None
        # Four bytes per character at most: short documents skip the encoding.
        if len(xml) > MAX_RESPONSE_BYTES // 4:
            _check_size(self.tag, xml)
        return XML_DECLARATION + xml


def _too_deep(tag: str) -> TwiMLError:
    return TwiMLError(f"<{tag}> is nested too deeply to render (Twilio reads 256 levels at most)")


def _check_size(tag: str, xml: str) -> None:
    size = len(xml.encode("utf-8", "surrogatepass")) + len(XML_DECLARATION)
    if size > MAX_RESPONSE_BYTES:
        raise TwiMLLimitExceeded(
            f"<{tag}> renders to {size:,} bytes; Twilio accepts at most "
            f"{MAX_RESPONSE_BYTES:,} (64 kB, error 11750)"
        )


class GenericNode(TwiML):
    """An element of any tag: made by :meth:`TwiML.add_child`, and what
    :func:`~twhooks.twiml.parse` turns unknown elements into. It holds anything."""

    __slots__ = ("_name",)
    _accepts_any = True

    def __init__(self, name: str, value: TextValue = None, /, **kwargs: Any) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidText(f"{name!r} is not a valid XML element name")
        self._name = name
        try:
            self._head = with_attributes("<" + name, kwargs) if kwargs else "<" + name
            self._content = text_content(value)
        except _Unrepresentable:
            raise invalid(name, value, None, kwargs) from None

    @property
    def tag(self) -> str:
        """The XML tag, as given."""
        return self._name

    def _render(self) -> str:
        content = self._content
        if not content:
            return self._head + " />"
        inner = "".join([i if type(i) is str else i._render() for i in content])  # type: ignore[union-attr]
        return f"{self._head}>{inner}</{self._name}>"


def build(cls: type[_T], head: str, content: list[str | TwiML]) -> _T:
    """An element of class ``cls`` from its rendered opening tag and its content."""
    node = _new(cls)
    node._head = head
    node._content = content
    return node
