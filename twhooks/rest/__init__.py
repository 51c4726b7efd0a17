"""Sending messages through Twilio's REST API (``hooks.send``), on ``requests``.

- :mod:`~twhooks.rest.client`: the Messages resource, basic auth, Twilio's error JSON read;
- :mod:`~twhooks.rest.retry`: ``429`` and ``5xx`` tried again, ``Retry-After`` honoured;
- :mod:`~twhooks.rest.sdk`: the app's own ``twilio.rest.Client`` instead;
- :mod:`~twhooks.rest.sending`: one message per idempotency key, opt-outs recorded;
- :mod:`~twhooks.rest.fake`: a local Twilio API for tests
  (:class:`twhooks.testing.FakeTwilioApi`).

Names are imported on first use: an app that never sends never loads ``requests``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..exceptions import TwilioApiError as TwilioApiError
    from .client import DEFAULT_BASE_URL as DEFAULT_BASE_URL
    from .client import MessageSender as MessageSender
    from .client import RestClient as RestClient
    from .fake import FakeTwilioApi as FakeTwilioApi
    from .messages import SentMessage as SentMessage
    from .retry import RetryPolicy as RetryPolicy
    from .retry import parse_retry_after as parse_retry_after
    from .sdk import SdkClient as SdkClient
    from .sending import Sender as Sender
    from .sending import client_for as client_for

#: Where each public name lives.
_EXPORTS = {
    "DEFAULT_BASE_URL": ".client",
    "FakeTwilioApi": ".fake",
    "MessageSender": ".client",
    "RestClient": ".client",
    "RetryPolicy": ".retry",
    "SdkClient": ".sdk",
    "SentMessage": ".messages",
    "Sender": ".sending",
    "TwilioApiError": "..exceptions",
    "client_for": ".sending",
    "parse_retry_after": ".retry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'twhooks.rest' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
