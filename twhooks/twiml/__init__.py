"""TwiML: a fast, checked, typed drop-in for the official ``twilio.twiml`` builder.

::

    from twhooks.twiml import MessagingResponse

    response = MessagingResponse()
    response.message("Got it.")
    str(response)
    # '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Got it.</Message></Response>'

Building renders strings directly (see :mod:`twhooks.twiml._base`); reading
(:func:`parse`) uses lxml with a parser hardened against hostile input.
See :doc:`/twiml` for the guide and the differences from the official builder.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._base import MAX_MESSAGE_CHARS as MAX_MESSAGE_CHARS
    from ._base import MAX_RESPONSE_BYTES as MAX_RESPONSE_BYTES
    from ._base import GenericNode as GenericNode
    from ._base import TwiML as TwiML
    from ._base import TwiMLException as TwiMLException
    from ._base import format_language as format_language
    from ._base import lower_camel as lower_camel
    from .fax import FaxResponse as FaxResponse
    from .messaging import MessagingResponse as MessagingResponse
    from .parsing import Kind as Kind
    from .parsing import parse as parse
    from .voice import VoiceResponse as VoiceResponse

#: Where each name lives. Loaded on first use: building a reply needs neither the voice
#: vocabulary nor lxml, which only reading (:func:`parse`) uses.
_EXPORTS = {
    "MAX_MESSAGE_CHARS": "_base",
    "MAX_RESPONSE_BYTES": "_base",
    "GenericNode": "_base",
    "TwiML": "_base",
    "TwiMLException": "_base",
    "format_language": "_base",
    "lower_camel": "_base",
    "FaxResponse": "fax",
    "MessagingResponse": "messaging",
    "Kind": "parsing",
    "parse": "parsing",
    "VoiceResponse": "voice",
}

# ``Kind`` (the ``kind`` argument of ``parse``: a ``Literal`` of document kinds) stays importable
# but unlisted, so that the public API has one ``Kind``: ``twhooks.Kind``, a webhook kind.
__all__ = [
    "MAX_MESSAGE_CHARS",
    "MAX_RESPONSE_BYTES",
    "FaxResponse",
    "GenericNode",
    "MessagingResponse",
    "TwiML",
    "TwiMLException",
    "VoiceResponse",
    "format_language",
    "lower_camel",
    "parse",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
