"""Fuzz :func:`twhooks.twiml.parse`: refuse with TwiMLParseError, or read a document that
renders back to text that parses to the same document, rendering the same text again."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _harness import Data, instrumented, run

with instrumented(__name__):
    from twhooks.exceptions import TwiMLError, TwiMLParseError
    from twhooks.twiml import parse

KINDS = [None, "voice", "messaging", "fax"]


def fuzz_one(data: bytes) -> None:
    d = Data(data)
    kind = d.pick(KINDS)
    as_text = d.bool()
    raw = d.rest()
    xml: str | bytes = raw.decode("utf-8", "replace") if as_text else raw
    try:
        doc = parse(xml, kind)  # type: ignore[call-overload]
    except TwiMLParseError:
        return
    try:
        rendered = doc.to_xml(check_size=False)
    except TwiMLError:
        return  # too deep to render
    again = parse(rendered, kind)  # type: ignore[call-overload]
    assert again == doc, (raw, rendered)
    assert again.to_xml(check_size=False) == rendered, (raw, rendered)


if __name__ == "__main__":
    run(fuzz_one)
