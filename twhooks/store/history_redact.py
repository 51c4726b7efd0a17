"""What the webhook history leaves out (``TWHOOKS_HISTORY_REDACT``), before anything is kept.

- ``"bodies"``: what people wrote or said — the message body, its media URLs, speech and
  transcription results — and the reply body read ``[redacted]``.
- ``"numbers"``: every phone number (``From``, ``To``, ``Caller``, ``Called`` …) is replaced by
  a keyed hash, ``#`` and 16 hex digits: the same number always gives the same hash (under
  the same key), so the history can still be filtered by number, but the number cannot be
  read back without the key. The location Twilio guesses for a number (``FromCity`` …) reads
  ``[redacted]``.

A ``GET`` webhook's parameters are in its URL too: its query is redacted the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .keys import normalize_address
from .records import HistoryRecord

__all__ = ["REDACTED", "hash_number", "redact"]

#: What a redacted value reads.
REDACTED = "[redacted]"
_BODIES = re.compile(
    r"Body|MediaUrl\d+|SpeechResult|UnstableSpeechResult|TranscriptionText", re.ASCII
)
_NUMBERS = frozenset({"From", "To", "Caller", "Called", "ForwardedFrom", "CalledVia"})
_PLACES = re.compile(r"(From|To|Caller|Called)(City|State|Zip|Country)", re.ASCII)


def hash_number(number: str, key: bytes) -> str:
    """*number*'s hash under *key*: ``#`` and 16 hex digits (``whatsapp:`` and spaces do not
    count). Already a hash, it is returned as it is."""
    if number.startswith("#"):
        return number
    digest = hmac.new(key, normalize_address(number).encode("utf-8"), hashlib.sha256)
    return "#" + digest.hexdigest()[:16]


def _value(name: str, value: str, bodies: bool, key: bytes | None) -> str:
    if bodies and _BODIES.fullmatch(name):
        return REDACTED
    if key is not None:
        if name in _NUMBERS and value:
            return hash_number(value, key)
        if _PLACES.fullmatch(name):
            return REDACTED
    return value


def _url(url: str, bodies: bool, key: bytes | None) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, _value(k, v, bodies, key)) for k, v in pairs])
    return urlunsplit(parts._replace(query=query))


def redact(record: HistoryRecord, *, bodies: bool, number_key: bytes | None) -> HistoryRecord:
    """*record* without its bodies (*bodies*) and with its numbers hashed under *number_key*
    (``None``: numbers kept)."""
    if not bodies and number_key is None:
        return record
    params = {k: _value(k, v, bodies, number_key) for k, v in record.params.items()}
    changed = replace(record, params=params, url=_url(record.url, bodies, number_key))
    if bodies and record.reply:
        changed = replace(changed, reply=REDACTED)
    return changed
