"""What the person reads or hears: a reply's TwiML told as steps, and pretty-printed.

The reply is untrusted text (the handler may echo what a caller sent), so it is parsed with
no entities, no DTD and no network, and anything that is not TwiML is left as it is. lxml
is imported when a reply is first read, not with this module (the inspector is mounted in
``init_app``, and an app that never opens it never needs lxml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["Step", "pretty", "summarize"]


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the reply makes happen.

    :param verb: ``message``, ``media``, ``say``, ``play``, ``gather``, ``redirect``,
        ``hangup``, ``reject``, ``dial``, ``record``, ``pause`` or ``other``.
    :param text: what it says, plays or points to, in plain words.
    :param depth: nesting (a ``<Say>`` inside a ``<Gather>`` is at depth 1).
    """

    verb: str
    text: str
    depth: int = 0


def _parser() -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def _root(reply: str) -> etree._Element | None:
    text = reply.strip()
    if not text.startswith("<") or "<!DOCTYPE" in text.upper():
        return None
    from lxml import etree

    try:
        return etree.fromstring(text.encode("utf-8"), _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None


def _text(el: etree._Element) -> str:
    return " ".join("".join(str(t) for t in el.itertext()).split())


def _attrs(el: etree._Element, *names: str) -> str:
    shown = [f"{n}={el.get(n)}" for n in names if el.get(n)]
    return f" ({', '.join(shown)})" if shown else ""


def _steps(el: etree._Element, depth: int, out: list[Step]) -> None:
    from lxml import etree

    for child in el.iterchildren("*"):  # elements only: no comment, no PI
        name = etree.QName(child).localname
        verb = name.lower()
        if name == "Message":
            bodies = list(child.iterchildren("Body", "Media"))
            if bodies:
                for part in bodies:
                    kind = "media" if part.tag == "Media" else "message"
                    out.append(Step(kind, _text(part), depth))
            else:
                out.append(Step("message", _text(child), depth))
            if child.get("action"):
                out.append(Step("redirect", f"then {child.get('action')}", depth + 1))
        elif name in ("Say", "Play"):
            out.append(Step(verb, _text(child) + _attrs(child, "voice", "loop"), depth))
        elif name == "Gather":
            detail = _attrs(child, "input", "numDigits", "action", "timeout")
            out.append(Step("gather", f"waits for an answer{detail}", depth))
            _steps(child, depth + 1, out)
        elif name == "Redirect":
            out.append(Step("redirect", _text(child) + _attrs(child, "method"), depth))
        elif name in ("Hangup", "Reject"):
            out.append(Step(verb, "ends the call" + _attrs(child, "reason"), depth))
        elif name == "Dial":
            targets = [_text(c) or etree.QName(c).localname for c in child.iterchildren("*")]
            out.append(Step("dial", ", ".join(targets) or _text(child), depth))
        elif name == "Record":
            out.append(Step("record", "records the caller" + _attrs(child, "maxLength"), depth))
        elif name == "Pause":
            out.append(Step("pause", f"{child.get('length', '1')} s of silence", depth))
        else:
            out.append(Step("other", f"<{name}> {_text(child)}".strip(), depth))


def summarize(reply: str) -> list[Step] | None:
    """The steps of the TwiML *reply*, in order; ``None`` when it is not TwiML.

    An empty ``<Response/>`` gives ``[]``: the person gets nothing.
    """
    from lxml import etree

    root = _root(reply)
    if root is None or etree.QName(root).localname != "Response":
        return None
    out: list[Step] = []
    _steps(root, 0, out)
    return out


def pretty(reply: str) -> str:
    """*reply* indented when it is XML, as it is otherwise."""
    root = _root(reply)
    if root is None:
        return reply
    from lxml import etree

    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")
