"""Deprecated: moved to :mod:`twhooks.policies` (``SharedState`` is now ``Policies``)."""

from __future__ import annotations

import warnings

from .policies import REJECT_TWIML as REJECT_TWIML
from .policies import Policies

__all__ = ["REJECT_TWIML", "SharedState"]

warnings.warn(
    "twhooks.shared is deprecated: use twhooks.policies (SharedState is now Policies)",
    DeprecationWarning,
    stacklevel=2,
)

SharedState = Policies
