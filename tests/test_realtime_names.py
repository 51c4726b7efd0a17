"""The voice package's names renamed in 0.3 keep working for one release, with a warning."""

from __future__ import annotations

import importlib

import pytest

from twhooks.realtime.handlers import SOCKET_KINDS
from twhooks.realtime.lifecycle import SessionRecord

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        ("twhooks.realtime", "CallRecord", SessionRecord),
        ("twhooks.realtime.lifecycle", "CallRecord", SessionRecord),
        ("twhooks.realtime.handlers", "KINDS", SOCKET_KINDS),
    ],
)
def test_an_old_name_warns_and_is_the_new_one(module: str, old: str, new: object) -> None:
    with pytest.warns(DeprecationWarning, match="SessionRecord|SOCKET_KINDS"):
        found = getattr(importlib.import_module(module), old)
    assert found is new


def test_the_session_record_is_not_the_callbacks_record() -> None:
    import twhooks
    import twhooks.realtime

    assert twhooks.realtime.SessionRecord is SessionRecord
    assert twhooks.CallRecord is not SessionRecord  # the record of a call's status callbacks


def test_the_terminal_clients_old_module_is_a_deprecated_re_export() -> None:
    import sys

    from twhooks.cli import voice

    sys.modules.pop("twhooks.realtime.client", None)
    with pytest.warns(DeprecationWarning, match="twhooks.cli.voice"):
        old = importlib.import_module("twhooks.realtime.client")
    assert old.run is voice.run
