"""Deprecated: the Flask test client is in :mod:`twhooks.flask.testing`."""

from __future__ import annotations

import warnings

from .flask.testing import FlaskTransport as FlaskTransport
from .flask.testing import TwilioTestClient as TwilioTestClient

__all__ = ["FlaskTransport", "TwilioTestClient"]

warnings.warn(
    "twhooks.testing is deprecated; import TwilioTestClient from twhooks.flask.testing",
    DeprecationWarning,
    stacklevel=2,
)
