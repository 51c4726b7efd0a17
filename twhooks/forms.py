"""A fast parser for ``application/x-www-form-urlencoded`` bodies.

Twilio posts every webhook as a form of 10 to 40 short fields. The signature is computed over
*every* field received, blank ones included, so the parser must keep blank values and repeated
names in order. :func:`parse_form` gives the same result as
``urllib.parse.parse_qsl(text, keep_blank_values=True, errors="replace")`` in a fraction of the
time, because it does the expensive steps once per body instead of once per field.
"""

from __future__ import annotations

import codecs
from functools import lru_cache
from urllib.parse import unquote

__all__ = ["parse_form"]


@lru_cache(maxsize=32)
def _codec_name(charset: str) -> str:
    """The canonical codec name of *charset*, ``"utf-8"`` for an unknown or non-text one.

    The charset comes from the request's Content-Type, so it is untrusted: a name Python does
    not know, or a codec that does not decode bytes to text (``rot13``), must not crash.
    """
    try:
        info = codecs.lookup(charset)
    except LookupError:
        return "utf-8"
    if not getattr(info, "_is_text_encoding", True):
        return "utf-8"
    return info.name


def parse_form(body: bytes, charset: str = "utf-8") -> list[tuple[str, str]]:
    """Parse a form-encoded body into ``(name, value)`` pairs, in the order received.

    - blank values are kept (``a=&b=`` gives ``[("a", ""), ("b", "")]``), and a name without
      ``=`` counts as a blank value;
    - a name that appears several times gives several pairs;
    - ``+`` means a space and ``%XX`` escapes are decoded with *charset*;
    - bytes that *charset* cannot decode become U+FFFD instead of raising.

    :param body: the raw request body.
    :param charset: the ``charset`` parameter of the Content-Type, ``utf-8`` when absent or
        unknown.
    """
    if not body:
        return []
    encoding = _codec_name(charset)
    text = body.decode(encoding, "replace")
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        pairs = []
        for part in text.split("&"):
            if part:
                name, _, value = part.partition("=")
                pairs.append((name, value))
        return pairs
    if encoding == "utf-8" and not _has_escaped_separator(text):
        # With no escaped "&" or "=", decoding the whole body in one call cannot create a
        # separator, so the split afterwards finds the same fields. UTF-8 never uses an ASCII
        # byte inside a multi-byte sequence, so a broken sequence cannot swallow a separator.
        pairs = []
        for part in unquote(text, encoding, "replace").split("&"):
            if part:
                name, _, value = part.partition("=")
                pairs.append((name, value))
        return pairs
    pairs = []
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            if "%" in name:
                name = unquote(name, encoding, "replace")
            if "%" in value:
                value = unquote(value, encoding, "replace")
            pairs.append((name, value))
    return pairs


def _has_escaped_separator(text: str) -> bool:
    """Whether *text* holds ``%26`` (``&``) or ``%3D`` (``=``) in either case."""
    return "%26" in text or "%3D" in text or "%3d" in text
