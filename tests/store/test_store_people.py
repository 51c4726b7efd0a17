"""Opt-outs, the block list and the webhook history on every backend."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from twhooks.store import Blocklist, History, HistoryRecord, OptOuts, Store, classify_opt_keyword


@pytest.mark.parametrize(
    ("body", "opt_out_type", "expected"),
    [
        ("STOP", None, "opt_out"),
        ("  stop. ", None, "opt_out"),
        ("Stop!", None, "opt_out"),
        ("StopAll", None, "opt_out"),
        ("unsubscribe", None, "opt_out"),
        ("cancel", None, "opt_out"),
        ("END", None, "opt_out"),
        ("quit", None, "opt_out"),
        ("revoke", None, "opt_out"),
        ("optout", None, "opt_out"),
        ("START", None, "opt_in"),
        ("yes", None, "opt_in"),
        ("Unstop", None, "opt_in"),
        ("help", None, "help"),
        ("INFO?", None, "help"),
        ("stop sending me this", None, None),
        ("please stop", None, None),
        ("", None, None),
        (None, None, None),
        ("hello", "STOP", "opt_out"),
        ("STOP", "START", "opt_in"),
        ("anything", "help", "help"),
        ("STOP", "SOMETHING", None),
    ],
)
def test_classify_opt_keyword(
    body: str | None, opt_out_type: str | None, expected: str | None
) -> None:
    assert classify_opt_keyword(body, opt_out_type) == expected


def test_opt_out_of_one_sender_or_all(store: Store) -> None:
    opt_outs = OptOuts(store)
    assert not opt_outs.is_opted_out("+1555")
    opt_outs.opt_out("+1555", "+1999")
    assert opt_outs.is_opted_out("+1555")
    assert opt_outs.is_opted_out("whatsapp:+1555", "+1999")
    assert not opt_outs.is_opted_out("+1555", "+1888")
    opt_outs.opt_out("+1555")
    assert opt_outs.is_opted_out("+1555", "+1888")
    opt_outs.opt_in("+1555", "+1999")  # ends the opt-out of all senders too
    assert not opt_outs.is_opted_out("+1555", "+1888")
    opt_outs.opt_out("+1555", "+1999")
    opt_outs.opt_out("+1555", "+1888")
    opt_outs.opt_in("+1555")
    assert not opt_outs.is_opted_out("+1555")


def test_recent_opt_outs(store: Store) -> None:
    opt_outs = OptOuts(store)
    opt_outs.opt_out("+1", "+9")
    time.sleep(0.01)
    opt_outs.opt_out("+2", source="keyword")
    found = opt_outs.recent()
    assert [(o.number, o.sender, o.source) for o in found] == [
        ("+2", "", "keyword"),
        ("+1", "+9", "app"),
    ]
    opt_outs.opt_in("+2")
    assert [o.number for o in opt_outs.recent()] == ["+1"]


def test_an_opt_out_ttl_when_set(store: Store) -> None:
    opt_outs = OptOuts(store, ttl=1.0)
    began = time.monotonic()
    opt_outs.opt_out("+1", "+9")
    assert opt_outs.is_opted_out("+1", "+9")
    assert time.monotonic() - began < 1.0  # else it expired already: the check is void
    time.sleep(1.1)
    assert not opt_outs.is_opted_out("+1")
    assert opt_outs.recent() == []


def test_handle_message_records_keywords(store: Store) -> None:
    opt_outs = OptOuts(store)
    msg = {"From": "+1555", "To": "+1999", "Body": "Stop"}
    assert opt_outs.handle_message(msg) == "opt_out"
    assert opt_outs.is_opted_out("+1555", "+1999")
    assert opt_outs.get("+1555")[0].source == "keyword"
    assert opt_outs.handle_message({**msg, "Body": "help"}) == "help"
    assert opt_outs.is_opted_out("+1555", "+1999")
    assert opt_outs.handle_message({**msg, "Body": "hello"}) is None
    assert opt_outs.handle_message({**msg, "Body": "hello", "OptOutType": "START"}) == "opt_in"
    assert not opt_outs.is_opted_out("+1555")
    service = {**msg, "MessagingServiceSid": "MG1", "OptOutType": "STOP"}
    assert opt_outs.handle_message(service) == "opt_out"
    assert opt_outs.is_opted_out("+1555", "MG1")
    assert not opt_outs.is_opted_out("+1555", "+1999")


def test_blocklist(store: Store) -> None:
    blocklist = Blocklist(store)
    assert not blocklist.contains("+1555")
    blocklist.add("whatsapp:+1555")
    assert blocklist.contains("+1555")
    assert "+1555" in blocklist
    assert 42 not in blocklist
    blocklist.remove("+1555")
    assert "+1555" not in blocklist
    blocklist.remove("+1555")
    blocklist.add("+1666", ttl=0.3)
    assert "+1666" in blocklist
    time.sleep(0.4)
    assert "+1666" not in blocklist


def request(n: int, **changes: object) -> HistoryRecord:
    record = HistoryRecord(
        kind="message",
        method="POST",
        url="https://example.com/twilio/messages",
        params={"MessageSid": f"SM{n}", "From": "+1555", "To": "+1999", "Body": f"hello {n}"},
        verified=True,
        verdict="valid",
        status=200,
        handler="app.reply",
        why="catch-all",
        reply="<Response/>",
        duration=0.002,
        token=f"tok{n}",
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def test_history_records_and_reads_back(store: Store) -> None:
    history = History(store)
    first = history.record(request(1))
    second = history.record(
        request(
            2,
            kind=None,
            verified=False,
            verdict="invalid",
            reason="bad signature",
            status=403,
            params={"From": "whatsapp:+1777", "Body": "x"},
        )
    )
    assert second > first
    found = history.get(first)
    assert found is not None
    assert found == request(1, id=first, at=found.at)
    assert found.at == pytest.approx(time.time(), abs=5)
    assert [r.id for r in history.recent()] == [second, first]
    assert [r.id for r in history.recent(kind="message")] == [first]
    assert [r.id for r in history.recent(verdict="invalid")] == [second]
    assert [r.id for r in history.recent(number="+1777")] == [second]
    assert [r.id for r in history.recent(number="+1999")] == [first]
    assert [r.id for r in history.recent(sid="SM1")] == [first]
    assert history.recent(sid="SM9") == []
    assert history.get(second + 100) is None
    assert history.recent(1)[0].id == second


def test_history_keeps_the_newest_size_records(store: Store) -> None:
    history = History(store, size=5)
    ids = [history.record(request(n)) for n in range(12)]
    assert [r.id for r in history.recent(100)] == ids[::-1][:5]
    assert history.get(ids[0]) is None
    assert history.get(ids[-5]) is not None


def test_history_can_redact_bodies(store: Store) -> None:
    history = History(store, redact_bodies=True)
    found = history.get(
        history.record(request(1, reply="<Response><Message>secret</Message></Response>"))
    )
    assert found is not None
    assert found.params["Body"] == "[redacted]"
    assert found.reply == "[redacted]"
    assert found.params["From"] == "+1555"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_sql_store_checks_the_block_list_from_a_copy(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The SQL store's block-list check costs no query while its copy is fresh (at most
    STALENESS old); its own changes are seen at once, another process's within STALENESS."""
    import sqlalchemy as sa

    from twhooks.store.sql import SQLStore
    from twhooks.store.sqlite_cache import STALENESS

    if backend == "sqlite":
        url = f"sqlite+pysqlite:///{tmp_path}/b.db"
        store, other = SQLStore(url), SQLStore(url)
    else:
        from _stores import POSTGRESQL_URL, new_prefix

        prefix = new_prefix("blk")
        store, other = (
            SQLStore(POSTGRESQL_URL, prefix=prefix),
            SQLStore(POSTGRESQL_URL, prefix=prefix),
        )
        request.addfinalizer(store.drop_tables)
    queries: list[str] = []
    sa.event.listen(store.engine(), "before_cursor_execute", lambda *args: queries.append(args[2]))
    assert not store.is_blocked("+1555")  # loads the copy
    queries.clear()
    for _ in range(50):
        assert not store.is_blocked("+1555")
    assert len(queries) <= 1  # at most one reload, if a second passed
    store.block("+1555", time.time(), None)
    assert store.is_blocked("+1555")  # its own change: at once
    store.block("+1666", time.time(), 0.2)  # expires on its own
    assert store.is_blocked("+1666")
    started = time.monotonic()
    other.unblock("+1555")  # another process's change
    while store.is_blocked("+1555"):
        assert time.monotonic() - started < STALENESS + 0.5, "another's change not seen"
        time.sleep(0.02)
    time.sleep(0.25)
    assert not store.is_blocked("+1666")
    other.close()
