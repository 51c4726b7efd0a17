"""Test helpers that need no web framework: :class:`FakeTwilioApi`, a local Twilio API.

``TwilioTestClient`` and ``FlaskTransport`` moved to :mod:`twhooks.flask.testing`; importing
them from here still works for this release, with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from .rest.fake import Callback as Callback
from .rest.fake import FakeMessage as FakeMessage
from .rest.fake import FakeTwilioApi as FakeTwilioApi

__all__ = ["Callback", "FakeMessage", "FakeTwilioApi"]

#: The names that moved to twhooks.flask.testing.
_MOVED = ("FlaskTransport", "TwilioTestClient")


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module 'twhooks.testing' has no attribute {name!r}")
    warnings.warn(
        f"twhooks.testing.{name} is deprecated; import {name} from twhooks.flask.testing",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module("twhooks.flask.testing"), name)
