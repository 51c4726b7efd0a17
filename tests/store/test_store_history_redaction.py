"""``TWHOOKS_HISTORY_REDACT``: bodies dropped and numbers hashed before anything is stored, on
every backend; the history can still be filtered by number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from twhooks import ConfigurationError
from twhooks.store import History, HistoryRecord, MemoryStore, Store, StoreFacades
from twhooks.store.history_redact import hash_number
from twhooks.store.redis import RedisStore
from twhooks.store.sql import SQLStore

KEY = b"history-test-key"
SECRETS = ("+15551230000", "15551230000", "+15559990000", "meet me at noon", "Springfield")


def inbound(**extra: str) -> HistoryRecord:
    return HistoryRecord(
        kind="message",
        method="POST",
        url="https://example.com/twilio/messages?From=%2B15551230000&x=1",
        params={
            "MessageSid": "SM" + "1" * 32,
            "From": "whatsapp:+15551230000",
            "To": "+15559990000",
            "FromCity": "Springfield",
            "Body": "meet me at noon",
            "MediaUrl0": "https://api.twilio.com/media/ME1",
            "NumMedia": "1",
            **extra,
        },
        verified=True,
        verdict="valid",
        status=200,
        reply="<Response><Message>See you at noon, +15551230000</Message></Response>",
    )


def raw(store: Store) -> str:
    """Everything the store holds of the history, as it holds it."""
    if isinstance(store, SQLStore):
        store.flush_history()
        with store.engine().connect() as conn:
            rows = conn.execute(sa.select(store.tables.history)).all()
        return json.dumps([list(map(str, row)) for row in rows])
    if isinstance(store, RedisStore):
        store.flush_history()
        return json.dumps([m.decode() for m in store.client.zrange(store._key("history"), 0, -1)])
    assert isinstance(store, MemoryStore)
    return json.dumps([r.to_json() for r in store._history.values()])


@pytest.mark.parametrize("write", ["record", "queue"])
def test_bodies_dropped_and_numbers_hashed_before_they_are_stored(store: Store, write: str) -> None:
    history = History(store, redact_bodies=True, number_key=KEY)
    (history.record if write == "record" else history.queue)(inbound())
    held = raw(store)
    for secret in SECRETS:
        assert secret not in held
    (found,) = history.recent(10, number="+1 555 123 0000")  # any spelling of the number
    assert found.params["From"] == hash_number("+15551230000", KEY)
    assert found.params["From"].startswith("#") and len(found.params["From"]) == 17
    assert found.params["To"] == hash_number("+15559990000", KEY)
    assert found.params["Body"] == found.params["MediaUrl0"] == "[redacted]"
    assert found.params["FromCity"] == "[redacted]"
    assert found.params["NumMedia"] == "1" and found.sid == "SM" + "1" * 32
    assert found.reply == "[redacted]"
    assert "x=1" in found.url and "15551230000" not in found.url
    assert history.recent(10, number=found.params["To"]) == [found]  # by its hash too
    assert history.recent(10, number="+15550000000") == []


def test_numbers_only_keeps_the_bodies(store: Store) -> None:
    history = History(store, number_key=KEY)
    history.record(inbound())
    (found,) = history.recent(1)
    assert found.params["Body"] == "meet me at noon"
    assert found.params["From"] == hash_number("+15551230000", KEY)


def test_by_default_everything_is_kept(store: Store) -> None:
    history = History(store)
    history.record(inbound())
    held = raw(store)
    assert "meet me at noon" in held and "+15551230000" in held


def facades(tmp_path: Path, **config: Any) -> StoreFacades:
    return StoreFacades.from_config(
        {"TWHOOKS_STORE": "memory://", **config}, instance_path=tmp_path
    )


@pytest.mark.parametrize(
    ("redact", "bodies", "numbers"),
    [
        (False, False, False),
        (True, True, False),  # as in 0.2
        ({"bodies"}, True, False),
        ({"numbers"}, False, True),
        (["bodies", "numbers"], True, True),
        ("numbers", False, True),
    ],
    ids=["off", "true", "bodies", "numbers", "both", "one-str"],
)
def test_the_setting(tmp_path: Path, redact: Any, bodies: bool, numbers: bool) -> None:
    history = facades(tmp_path, TWHOOKS_HISTORY_REDACT=redact, TWILIO_AUTH_TOKEN="t" * 32).history
    assert history is not None
    assert (history.redact_bodies, history.hashes_numbers) == (bodies, numbers)


def test_the_key_is_the_settings_or_derived_from_the_auth_token(tmp_path: Path) -> None:
    def from_(**config: Any) -> str:
        history = facades(tmp_path, TWHOOKS_HISTORY_REDACT={"numbers"}, **config).history
        assert history is not None
        history.record(inbound())
        return history.recent(1)[0].params["From"]

    assert from_(TWHOOKS_HISTORY_HASH_KEY="k") == hash_number("+15551230000", b"k")
    by_token = from_(TWILIO_AUTH_TOKEN="a" * 32)
    assert by_token == from_(TWILIO_AUTH_TOKEN=["a" * 32, "b" * 32])  # the first of a list
    assert by_token != from_(TWILIO_AUTH_TOKEN="b" * 32)
    assert by_token != hash_number("+15551230000", ("a" * 32).encode())  # not the token itself


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"TWHOOKS_HISTORY_REDACT": {"bodies", "faces"}}, "a set of 'bodies' and 'numbers'"),
        ({"TWHOOKS_HISTORY_REDACT": 1}, "TWHOOKS_HISTORY_REDACT must be"),
        ({"TWHOOKS_HISTORY_REDACT": {"numbers"}}, "set TWHOOKS_HISTORY_HASH_KEY"),
        (
            {"TWHOOKS_HISTORY_REDACT": {"numbers"}, "TWHOOKS_HISTORY_HASH_KEY": 5},
            "TWHOOKS_HISTORY_HASH_KEY must be",
        ),
    ],
    ids=["unknown-name", "not-a-set", "no-key", "bad-key"],
)
def test_bad_settings_are_named(tmp_path: Path, config: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        facades(tmp_path, **config)
