"""Fuzz :func:`twhooks.forms.parse_form` against ``urllib.parse.parse_qsl``.

Any body in any charset: the result is exactly ``parse_qsl``'s (the module's promise), or
the charset is refused with a :class:`~twhooks.exceptions.RequestError`; nothing else.
"""

from __future__ import annotations

import codecs
import os
import sys
from urllib.parse import parse_qsl

sys.path.insert(0, os.path.dirname(__file__))
from _harness import Data, instrumented, run

with instrumented(__name__):
    from twhooks.exceptions import RequestError
    from twhooks.forms import parse_form

CHARSETS = ["utf-8", "UTF-8", "latin-1", "shift_jis", "cp037", "utf-16", "utf-7", "gb18030"]
CHARSETS += ["iso-2022-jp", "idna", "rot13", "", "x-unknown", "utf\x008", "big5", "koi8-r"]


def fuzz_one(data: bytes) -> None:
    d = Data(data)
    charset = d.pick(CHARSETS) if d.bool() else d.text(12)
    body = d.rest()
    try:
        pairs = parse_form(body, charset)
    except RequestError:
        return
    if not body:  # nothing to decode: no charset check either
        assert pairs == []
        return
    encoding = codecs.lookup(charset).name if charset else "utf-8"
    text = body.decode(encoding, "replace")
    expected = parse_qsl(text, keep_blank_values=True, encoding=encoding, errors="replace")
    assert pairs == expected, (body, charset, pairs, expected)


if __name__ == "__main__":
    run(fuzz_one)
