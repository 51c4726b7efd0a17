"""Fuzz the TwiML builder: any builder call with any text, attributes and extra keywords,
``add_child`` with any name, text appended anywhere. A call either raises a TwiMLError
(InvalidText, InvalidNesting, TwiMLLimitExceeded) or succeeds, and the document rendered at
the end is well-formed XML that :func:`twhooks.twiml.parse` reads back as equal."""

from __future__ import annotations

import inspect
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
from _harness import Data, instrumented, run

with instrumented(__name__):
    from twhooks.exceptions import TwiMLError
    from twhooks.twiml import MessagingResponse, TwiML, VoiceResponse, parse

ROOTS: list[tuple[str, type[TwiML]]] = [("voice", VoiceResponse), ("messaging", MessagingResponse)]
_BASE = set(dir(TwiML))
VALUES: list[Any] = ["", "x", 'a & b < c > "d"', "\t\n\r", 0, 3, 2.5, True, False, None]
VALUES += [["dtmf", "speech"], {"k": "v"}, "\x00", "\ud800", "é 你好 🎉", "]]>"]
NAMES = ["Say", "a:b", "amazon:effect", "xml:lang", "aª", "xmlns", "x-y", "1a", "é", ""]
KEYWORDS = ["from_", "status_callback", "statusCallback", "xml_lang", "a_b", "hints", "x"]


def builders(node: TwiML) -> list[str]:
    return sorted(n for n in dir(type(node)) if not n.startswith("_") and n not in _BASE)


def value(d: Data) -> Any:
    return d.pick(VALUES) if d.bool() else d.text(10)


def fuzz_one(data: bytes) -> None:
    d = Data(data)
    kind, root_class = d.pick(ROOTS)
    root = root_class()
    nodes: list[TwiML] = [root]
    for _ in range(d.byte() % 12):
        node = d.pick(nodes)
        action = d.byte() % 4
        try:
            if action == 0 or not builders(node):
                name = d.pick(NAMES) if d.bool() else d.text(8)
                extra = {d.pick(KEYWORDS) if d.bool() else d.text(6): value(d)}
                nodes.append(node.add_child(name, value(d), **extra))
            elif action == 1:
                node.append(d.text(8) if d.bool() else d.pick(["", "tail", "<&>"]))
            else:
                method = getattr(node, d.pick(builders(node)))
                params = list(inspect.signature(method).parameters.values())
                args, kwargs = [], {}
                for i, p in enumerate(params):
                    if p.kind is p.VAR_KEYWORD:
                        if d.bool():
                            kwargs[d.pick(KEYWORDS) if d.bool() else d.text(6)] = value(d)
                    elif i == 0 and p.default is p.empty:
                        args.append(value(d))
                    elif d.bool():
                        kwargs[p.name] = value(d)
                nodes.append(method(*args, **kwargs))
        except TwiMLError:
            continue
    xml = root.to_xml(check_size=False)
    again = parse(xml, kind)  # type: ignore[call-overload]  # TwiMLParseError: not well-formed
    assert again == root, xml


if __name__ == "__main__":
    run(fuzz_one)
