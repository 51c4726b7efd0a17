"""Deprecated: what both extensions share is in :mod:`twhooks.glue`."""

from __future__ import annotations

import warnings

from .glue import StoreProperties as StoreProperties
from .glue import open_app_store as open_app_store
from .glue import share_call_records as share_call_records
from .glue import start_app as start_app

__all__ = ["StoreProperties", "open_app_store", "share_call_records", "start_app"]

warnings.warn(
    "twhooks.app_store is deprecated; import StoreProperties and the rest from twhooks.glue",
    DeprecationWarning,
    stacklevel=2,
)
