"""Deprecated: the terminal voice clients moved to :mod:`twhooks.cli.voice`.

Kept for one release so that old imports keep working; importing it warns.
"""

from __future__ import annotations

import warnings

from ..cli.voice import add_cli_commands, run, run_relay, run_stream

__all__ = ["add_cli_commands", "run", "run_relay", "run_stream"]

warnings.warn(
    "twhooks.realtime.client is deprecated: the terminal voice clients are twhooks.cli.voice",
    DeprecationWarning,
    stacklevel=2,
)
