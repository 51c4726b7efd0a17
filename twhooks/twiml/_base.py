"""The element machinery every TwiML class shares.

Each TwiML object is a thin wrapper (one slot) around an lxml element that is
created eagerly, the moment a builder method runs: building a document *is*
building the lxml tree, and rendering is a single :func:`lxml.etree.tostring`.
All state lives in the lxml tree, so a wrapper can be recreated for any element
at any time (that is how :attr:`TwiML.children` and :func:`~twhooks.twiml.parse`
work) and two wrappers of one element behave identically.

Validation is cheap by design: lxml itself refuses control characters and other
text XML cannot carry, and that refusal is turned into :class:`InvalidText`;
nesting is checked against a per-class table of allowed child tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, TypeAlias, TypeVar

from lxml import etree

from ..exceptions import InvalidNesting, InvalidText, TwiMLError, TwiMLLimitExceeded

__all__ = [
    "MAX_MESSAGE_CHARS",
    "MAX_RESPONSE_BYTES",
    "AttrValue",
    "GenericNode",
    "TextValue",
    "TwiML",
]

#: Twilio refuses TwiML responses over 64 kB (error 11750).
MAX_RESPONSE_BYTES = 64 * 1024

#: Twilio refuses a ``<Message>`` body over 1,600 characters (errors 14103 / 21617).
MAX_MESSAGE_CHARS = 1600

#: What an attribute keyword accepts: booleans render ``true``/``false``, numbers
#: their ``str()``, sequences their items joined (by a space; ``hints`` by a comma).
AttrValue: TypeAlias = "str | bool | int | float | Sequence[str | int] | None"

#: What element text accepts; a mapping (``<Task>`` bodies) renders as JSON.
TextValue: TypeAlias = "str | int | float | Mapping[str, Any] | None"

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

_XML_NS = "{http://www.w3.org/XML/1998/namespace}"

#: Python keyword → XML attribute name, as the official helper library spells them.
#: Filled lazily by :func:`xml_name`; the builders' own keywords are precomputed.
_NAMES: dict[str, str] = {
    "from_": "from",
    "for_": "for",
    "xml_lang": _XML_NS + "lang",
    "interpret_as": "interpret-as",
}

#: Attributes whose list values Twilio reads comma-separated (phrases hold spaces).
_COMMA_LISTS = frozenset({"hints"})

# Characters XML 1.0 cannot carry, used only to explain an error lxml already raised.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_Element = etree._Element
_SubElement = etree.SubElement
_new_element = etree.Element
_tostring = etree.tostring

_T = TypeVar("_T", bound="TwiML")
_V = TypeVar("_V", bound="TwiML | str")


def xml_name(keyword: str) -> str:
    """Translate a Python keyword to its XML attribute name (``status_callback`` →
    ``statusCallback``), exactly as the official helper library does, cached."""
    name = _NAMES.get(keyword)
    if name is None:
        name = keyword
        if "_" in keyword:
            name = "".join(part.title() for part in keyword.split("_"))
            name = name[:1].lower() + name[1:]
        _NAMES[keyword] = name
    return name


def display_name(name: str) -> str:
    """The XML spelling of an lxml (Clark notation) attribute name."""
    return "xml:" + name[len(_XML_NS) :] if name.startswith(_XML_NS) else name


def render_attr(value: Any, name: str = "") -> str:
    """Render a non-``str`` attribute value (the ``str`` fast path is inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        sep = "," if name in _COMMA_LISTS else " "
        return sep.join(render_attr(v) if not isinstance(v, str) else v for v in value)
    return str(value)


def render_text(value: Any) -> str:
    """Render non-``str`` element text: mappings as JSON, the rest with ``str()``."""
    if isinstance(value, Mapping):
        return json.dumps(value)
    return str(value)


def set_extra(el: etree._Element, kwargs: Mapping[str, Any]) -> None:
    """Set the attributes given as free keywords, skipping ``None``."""
    for key, value in kwargs.items():
        if value is not None:
            name = _NAMES.get(key) or xml_name(key)
            el.set(name, value if type(value) is str else render_attr(value, name))


def invalid(
    parent: etree._Element | None,
    el: etree._Element,
    exc: Exception,
    text_value: Any = None,
    attrs: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> TwiMLError:
    """Undo a half-built element and explain which value XML cannot carry.

    Only called once lxml has refused something, so the scan here costs nothing on
    the normal path.

    :param parent: the parent the element was added to (it is removed again).
    :param text_value: the element text that was given.
    :param attrs: the attribute values given as declared keywords, by XML name.
    :param extra: the free keyword arguments, by Python name.
    """
    if parent is not None:
        parent.remove(el)
    where = f"<{el.tag}>"
    found = _explain(where, "text", text_value)
    for name, value in (attrs or {}).items():
        found = found or _explain(where, f"attribute {display_name(name)!r}", value)
    for key, value in (extra or {}).items():
        name = xml_name(key)
        found = found or _explain(where, f"attribute {display_name(name)!r}", value)
        if found is None and value is not None:
            try:
                _new_element("x").set(name, "")
            except ValueError:
                found = InvalidText(
                    f"{where}: {display_name(name)!r} (from keyword {key!r}) "
                    "is not a valid XML attribute name"
                )
    return found or InvalidText(f"{where}: {exc}")


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


def wrap(cls: type[_T], el: etree._Element) -> _T:
    """A wrapper of class ``cls`` around an existing lxml element."""
    node = object.__new__(cls)
    node._el = el
    return node


def _same(a: etree._Element, b: etree._Element) -> bool:
    if a.tag != b.tag or (a.text or "") != (b.text or "") or (a.tail or "") != (b.tail or ""):
        return False
    if len(a) != len(b) or dict(a.attrib.items()) != dict(b.attrib.items()):
        return False
    return all(_same(x, y) for x, y in zip(a, b, strict=True))


class TwiML:
    """Base class of every TwiML element.

    Build documents with the builder methods of a response class
    (``response.say(...)``), or make elements on their own and :meth:`append` them.
    Read them with :attr:`tag`, :attr:`attrs`, :attr:`text`, :attr:`children`,
    :meth:`iter` and :meth:`find_all`. Two elements are equal when their tags,
    attributes, text and children are.
    """

    __slots__ = ("_el",)

    _el: etree._Element

    #: The element's XML tag.
    _tag: ClassVar[str] = ""
    #: Tag → class of the children this element may hold.
    _child_classes: ClassVar[Mapping[str, type[TwiML]]] = {}
    #: Whether any element may be nested (the generic escape hatch).
    _accepts_any: ClassVar[bool] = False

    def __init__(self, value: TextValue = None, **kwargs: Any) -> None:
        el = _new_element(self._tag)
        try:
            if value is not None:
                el.text = value if type(value) is str else render_text(value)
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(None, el, exc, value, None, kwargs) from None
        self._el = el
        self._check()

    # -- reading -----------------------------------------------------------------

    @property
    def tag(self) -> str:
        """The XML tag, e.g. ``"Say"`` or ``"say-as"``."""
        return str(self._el.tag)

    @property
    def name(self) -> str:
        """The XML tag (the official builder's name for :attr:`tag`)."""
        return str(self._el.tag)

    @property
    def attrs(self) -> Mapping[str, str]:
        """The attributes, by XML name (``statusCallback``, ``xml:lang``), as
        rendered strings. A read-only snapshot."""
        return MappingProxyType({display_name(str(k)): str(v) for k, v in self._el.attrib.items()})

    def get(self, name: str, default: str | None = None) -> str | None:
        """One attribute by XML name (``"statusCallback"``), or ``default``."""
        if name.startswith("xml:"):
            name = _XML_NS + name[4:]
        value = self._el.get(name)
        return default if value is None else str(value)

    @property
    def text(self) -> str | None:
        """The text before the first child, ``None`` when there is none."""
        return self._el.text

    @property
    def value(self) -> str | None:
        """Same as :attr:`text` (the official builder's name)."""
        return self._el.text

    @property
    def tail(self) -> str | None:
        """The text after this element, inside its parent."""
        return self._el.tail

    @property
    def children(self) -> list[TwiML]:
        """The child elements, in order (text is in :attr:`text` and :attr:`tail`)."""
        classes = self._child_classes
        return [wrap(classes.get(str(c.tag), GenericNode), c) for c in self._el]

    def iter(self) -> Iterator[TwiML]:
        """This element and all its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str) -> list[TwiML]:
        """Every descendant (not this element) with this tag, in document order."""
        return [node for node in self.iter() if node.tag == tag and node._el is not self._el]

    def find(self, tag: str) -> TwiML | None:
        """The first descendant with this tag, or ``None``."""
        for node in self.iter():
            if node.tag == tag and node._el is not self._el:
                return node
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TwiML):
            return NotImplemented
        return _same(self._el, other._el)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        xml = _tostring(self._el, encoding="unicode", with_tail=False)
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

        Text is appended to whatever text is already there.

        :raises InvalidNesting: this element cannot hold that child.
        :raises InvalidText: the text holds characters XML cannot carry.
        """
        el = self._el
        if isinstance(verb, str):
            holder = el[-1] if len(el) else None
            before = el.text if holder is None else holder.tail
            try:
                if holder is None:
                    el.text = (before or "") + verb
                else:
                    holder.tail = (before or "") + verb
                self._check()
            except TwiMLLimitExceeded:
                if holder is None:
                    el.text = before
                else:
                    holder.tail = before
                raise
            except ValueError as exc:
                raise invalid(None, el, exc, verb) from None
            return verb
        if not isinstance(verb, TwiML):
            raise TwiMLError(
                f"<{el.tag}> can only nest TwiML elements and text, not {type(verb).__name__}"
            )
        child = verb._el
        if not (self._accepts_any or child.tag in self._child_classes or type(verb) is GenericNode):
            raise InvalidNesting(self._nesting_message(str(child.tag)))
        if child.getparent() is not None:
            # lxml would move it; the official builder shares it: keep both places.
            child = _copy(child)
            verb = wrap(type(verb), child)
        el.append(child)
        try:
            self._check()
        except TwiMLLimitExceeded:
            el.remove(child)
            raise
        return verb

    def append(self: _T, verb: TwiML | str) -> _T:
        """Add an element (or text) as the last child and return ``self``.

        :raises InvalidNesting: this element cannot hold that child.
        """
        self.nest(verb)
        return self

    def add_child(self, name: str, value: TextValue = None, **kwargs: Any) -> GenericNode:
        """Add an element of any tag (for verbs newer than this library).

        Not checked for nesting: this is the escape hatch.
        """
        return self.nest(GenericNode(name, value, **kwargs))

    def _nesting_message(self, child: str) -> str:
        allowed = ", ".join(f"<{t}>" for t in self._child_classes) or "no elements (text only)"
        return f"<{self._el.tag}> cannot hold <{child}>; it can hold {allowed}"

    def _check(self) -> None:
        """Enforce a Twilio limit after a change (overridden where one applies)."""

    # -- rendering ---------------------------------------------------------------

    def to_xml(self, xml_declaration: bool = True) -> str:
        """Render as a string, with the XML declaration unless told otherwise.

        :raises TwiMLLimitExceeded: the result is over Twilio's 64 kB limit.
        """
        xml = _tostring(self._el, encoding="unicode", with_tail=False)
        # Four bytes per character at most: short documents skip the encoding.
        if len(xml) > MAX_RESPONSE_BYTES // 4:
            size = len(xml.encode("utf-8"))
            if size > MAX_RESPONSE_BYTES:
                raise TwiMLLimitExceeded(
                    f"<{self._el.tag}> renders to {size:,} bytes; Twilio accepts at most "
                    f"{MAX_RESPONSE_BYTES:,} (64 kB, error 11750)"
                )
        return XML_DECLARATION + xml if xml_declaration else xml

    def __str__(self) -> str:
        return self.to_xml()


def _copy(el: etree._Element) -> etree._Element:
    import copy

    clone = copy.deepcopy(el)
    clone.tail = None
    return clone


class GenericNode(TwiML):
    """An element of any tag: made by :meth:`TwiML.add_child`, and what
    :func:`~twhooks.twiml.parse` turns unknown elements into. It holds anything."""

    __slots__ = ()
    _accepts_any = True

    def __init__(self, name: str, value: TextValue = None, **kwargs: Any) -> None:
        try:
            el = _new_element(name)
        except ValueError:
            raise InvalidText(f"{name!r} is not a valid XML element name") from None
        try:
            if value is not None:
                el.text = value if type(value) is str else render_text(value)
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(None, el, exc, value, None, kwargs) from None
        self._el = el
