"""The store's settings: defaults, checks that name the setting, and the facades built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from twhooks import ConfigurationError
from twhooks.store import STORE_DEFAULTS, MemoryStore, StoreFacades
from twhooks.store.sqlite import SQLiteStore


def test_the_defaults(tmp_path: Path) -> None:
    built = StoreFacades.from_config(dict(STORE_DEFAULTS), instance_path=tmp_path)
    try:
        assert isinstance(built.store, SQLiteStore)
        assert built.conversation_mode == "store"
        assert built.conversations.ttl == 4 * 3600
        assert built.deliveries.ttl == 7 * 86400
        assert built.deliveries.opt_outs is built.opt_outs
        assert built.calls.ttl == 7 * 86400
        assert built.opt_outs.ttl is None
        assert built.history is not None
        assert (built.history.size, built.history.redact_bodies) == (1000, False)
        assert built.blocklist.store is built.store
    finally:
        built.store.close()


def test_settings_are_applied(tmp_path: Path) -> None:
    built = StoreFacades.from_config(
        {
            "TWHOOKS_STORE": "memory://",
            "TWHOOKS_CONVERSATION_TTL": 60,
            "TWHOOKS_DELIVERY_TTL": 3600.5,
            "TWHOOKS_CALL_TTL": 120,
            "TWHOOKS_OPT_OUT_TTL": 86400,
            "TWHOOKS_HISTORY_SIZE": 10,
            "TWHOOKS_HISTORY_REDACT": True,
            "TWHOOKS_CONVERSATIONS": "cookie",
        },
        instance_path=tmp_path,
        account_sid="AC1",
    )
    assert isinstance(built.store, MemoryStore)
    assert built.conversation_mode == "cookie"
    assert (built.conversations.ttl, built.conversations.account_sid) == (60, "AC1")
    assert (built.deliveries.ttl, built.calls.ttl, built.opt_outs.ttl) == (3600.5, 120, 86400)
    assert built.history is not None
    assert (built.history.size, built.history.redact_bodies) == (10, True)


def test_history_can_be_off(tmp_path: Path) -> None:
    built = StoreFacades.from_config(
        {"TWHOOKS_STORE": "memory://", "TWHOOKS_HISTORY": False}, instance_path=tmp_path
    )
    assert built.history is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TWHOOKS_CONVERSATION_TTL", 0),
        ("TWHOOKS_CONVERSATION_TTL", None),
        ("TWHOOKS_DELIVERY_TTL", "7d"),
        ("TWHOOKS_CALL_TTL", -1),
        ("TWHOOKS_OPT_OUT_TTL", True),
        ("TWHOOKS_HISTORY_SIZE", 0),
        ("TWHOOKS_HISTORY_SIZE", 10.5),
        ("TWHOOKS_STORE", "ftp://nope"),
        ("TWHOOKS_CONVERSATIONS", "session"),
    ],
)
def test_bad_settings_are_named(name: str, value: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=name):
        StoreFacades.from_config(
            {"TWHOOKS_STORE": "memory://", name: value}, instance_path=tmp_path
        )
