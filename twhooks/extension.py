"""Deprecated: the Flask extension is :mod:`twhooks.flask` (``from twhooks import TwilioHooks``)."""

from __future__ import annotations

import warnings

from .flask import TwilioHooks as TwilioHooks

__all__ = ["TwilioHooks"]

warnings.warn(
    "twhooks.extension is deprecated; import TwilioHooks from twhooks or twhooks.flask",
    DeprecationWarning,
    stacklevel=2,
)
