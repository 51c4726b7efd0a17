"""The default store (the standard library's sqlite3): what it costs on the request path,
what it keeps, and the files of twhooks 0.2's SQL store."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from _signing import TOKEN, signed_post
from flask import Flask

from twhooks import IncomingMessage, TwilioHooks
from twhooks.replies import Reply
from twhooks.store import Blocklist, Conversations, OptOuts
from twhooks.store.records import OptOut
from twhooks.store.sql import SQLStore
from twhooks.store.sqlite import SQLiteStore
from twhooks.store.sqlite_cache import STALENESS
from twhooks.store.sqlite_connections import JOURNAL_SIZE_LIMIT

SMS = {
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+14155550100",
    "To": "+15005550006",
    "Body": "hello",
}


def echo_app(instance: Path) -> tuple[Flask, TwilioHooks]:
    app = Flask("sqlite_default", instance_path=str(instance))
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    hooks = TwilioHooks(app)

    @hooks.message()
    def echo(msg: IncomingMessage) -> str:
        return f"You said {msg.body}"

    return app, hooks


def traced(store: SQLiteStore) -> list[str]:
    """The statements this thread's connection runs from now on."""
    seen: list[str] = []
    store.connection().set_trace_callback(seen.append)
    return seen


@pytest.mark.twhooks_default_store
def test_a_webhook_on_the_default_store_writes_twice_and_reads_nothing(tmp_path: Path) -> None:
    app, hooks = echo_app(tmp_path / "instance")
    with app.app_context():
        store = hooks.blocklist.store
    assert isinstance(store, SQLiteStore)
    client = app.test_client()

    def post(token: str) -> Any:
        return signed_post(
            client, "/twilio/messages", SMS, headers={"I-Twilio-Idempotency-Token": token}
        )

    assert post("warm-up").status_code == 200  # the block list copied once
    seen = traced(store)
    answered = post("first")
    assert b"You said hello" in answered.data
    # The claim before the handler, its completion with the reply after: nothing else (the
    # history goes with the next batch, on the history thread's connection).
    assert [s.split()[0] for s in seen] == ["INSERT", "UPDATE"], seen
    assert "claims" in seen[0] and "claims" in seen[1]
    seen.clear()
    again = post("first")  # Twilio's retry: the first reply, byte for byte
    assert again.data == answered.data
    assert [s.split()[0] for s in seen] == ["INSERT", "SELECT"], seen
    store.connection().set_trace_callback(None)
    with app.app_context():
        assert len(hooks.history.recent()) == 3
    store.close()


def test_the_block_list_costs_no_query_until_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    here, there = SQLiteStore(path), SQLiteStore(path)  # two processes' copies, in effect
    try:
        mine, theirs = Blocklist(here), Blocklist(there)
        assert "+14155550100" not in mine  # copied now
        seen = traced(here)
        for _ in range(100):
            assert "+14155550100" not in mine
        assert seen == []  # within a second of the last look: no query at all
        theirs.add("+14155550100")
        assert "+14155550100" in theirs  # the writer sees its own change at once
        started = time.monotonic()
        while "+14155550100" not in mine:
            assert time.monotonic() - started < STALENESS + 0.5, "another's change not seen"
            time.sleep(0.02)
        assert all(s.lstrip().startswith("SELECT") for s in seen), seen
        assert len(seen) <= 4  # the stamp, and the table once it moved
        theirs.remove("+14155550100")
        mine.add("+14155550101", ttl=0.2)
        assert "+14155550101" in mine
        time.sleep(0.25)
        assert "+14155550101" not in mine  # expiry checked on every look-up
        here.connection().set_trace_callback(None)
    finally:
        here.close()
        there.close()


def test_opt_outs_come_from_the_copy_and_a_change_anywhere_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    here, there = SQLiteStore(path), SQLiteStore(path)
    try:
        assert OptOuts(here).get("+14155550100") == []
        OptOuts(there).opt_out("+14155550100", "+15005550006")
        started = time.monotonic()
        while not OptOuts(here).is_opted_out("+14155550100", "+15005550006"):
            assert time.monotonic() - started < STALENESS + 0.5
            time.sleep(0.02)
        # A hand-written change (another tool on the file) is seen too: a trigger counts it.
        with sqlite3.connect(path) as db:
            db.execute("DELETE FROM twhooks_opt_outs")
        started = time.monotonic()
        while OptOuts(here).get("+14155550100"):
            assert time.monotonic() - started < STALENESS + 0.5
            time.sleep(0.02)
    finally:
        here.close()
        there.close()


def test_a_file_of_the_sql_store_opens_here_and_back(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = SQLStore(f"sqlite:///{path}")  # 0.2's tables, made by SQLAlchemy
    assert old.claim("k1", "a", 5) is True
    old.finish("k1", "a", Reply(200, [("Content-Type", "text/xml")], b"<Response/>"), 60)
    assert old.save_conversation("c1", "asked", {"n": 1}, 0, 60) == 1
    old.block("+1555", time.time(), None)
    old.set_opt_out(OptOut("+1666", "", time.time(), "keyword"), None)
    old.record_message_status(
        "SM1", "sent", error_code=None, to="+1", from_="+2", at=time.time(), ttl=60
    )
    old.close()

    new = SQLiteStore(path)
    reply = new.claim("k1", "b", 5)
    assert isinstance(reply, Reply) and reply.body == b"<Response/>"
    found = new.load_conversation("c1")
    assert found is not None and (found.state, found.data, found.version) == ("asked", {"n": 1}, 1)
    assert new.is_blocked("+1555") and [o.number for o in new.opt_outs_of("+1666")] == ["+1666"]
    assert new.record_message_status(
        "SM1", "delivered", error_code=None, to=None, from_=None, at=time.time(), ttl=60
    ) == ("sent", True)
    assert new.save_conversation("c1", "done", {"n": 2}, 1, 60) == 2
    new.close()

    back = SQLStore(f"sqlite:///{path}")  # and 0.3's SQL store (an Engine) reads it all
    found = back.load_conversation("c1")
    assert found is not None and found.state == "done"
    delivery = back.get_message("SM1")
    assert delivery is not None and [c.status for c in delivery.history] == ["sent", "delivered"]
    back.close()


def test_expired_replies_go_and_the_wal_is_kept_small(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    body = b"<Response><Message>" + b"x" * 200 + b"</Message></Response>"
    for n in range(3000):
        assert store.claim(f"k{n}", "o", 5) is True
        store.finish(f"k{n}", "o", Reply(200, [], body), -1 if n < 2500 else 60)
    store.maintain()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM twhooks_claims").fetchone() == (500,)
    assert store.claim("k2999", "p", 5) is not True  # a live reply is kept
    # Once the WAL is checkpointed whole (the background upkeep may be reading), the next
    # writer starts it over, truncated.
    deadline = time.monotonic() + 5
    for n in itertools.count():
        if os.path.getsize(f"{path}-wal") <= JOURNAL_SIZE_LIMIT:
            break
        assert time.monotonic() < deadline, "the WAL was never truncated"
        store.maintain()
        store.claim(f"next{n}", "o", 5)
        time.sleep(0.05)
    store.close()


def test_the_sweep_finds_expired_claims_behind_a_live_one(tmp_path: Path) -> None:
    # The claims are looked for among the oldest (no index on expires_at): a claim still
    # held at the head, made first, does not keep the expired ones behind it.
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    assert store.claim("held", "o", 60) is True
    for n in range(2800):  # beyond the window (CLAIMS_WINDOW), which moves as it deletes
        assert store.claim(f"k{n}", "o", 5) is True
        store.finish(f"k{n}", "o", Reply(200, [], b"<Response/>"), -1 if n < 2500 else 60)
    store.maintain()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM twhooks_claims").fetchone() == (301,)
    assert store.claim("held", "p", 5) is False
    store.close()


def test_conversation_locks_on_the_default_store(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    conversations = Conversations(store)
    with conversations.lock("+14155550100:+15005550006"):
        assert store.claim("conv-lock:+14155550100:+15005550006", "other", 5) is False
    assert store.claim("conv-lock:+14155550100:+15005550006", "other", 5) is True
    store.close()


def test_an_app_on_the_default_store_imports_neither_sqlalchemy_nor_redis(
    tmp_path: Path,
) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from flask import Flask
        from twhooks import TwilioHooks
        from _signing import TOKEN, signed_post

        app = Flask("light", instance_path={str(tmp_path / "instance")!r})
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        hooks = TwilioHooks(app)

        @hooks.message()
        def echo(msg):
            hooks.deliveries.track("SM1")
            hooks.blocklist.add("+1555")
            return f"You said {{msg.body}}"

        params = {{"MessageSid": "SM1", "From": "+14155550100", "To": "+15005550006",
                   "Body": "hi", "AccountSid": "AC1"}}
        got = signed_post(app.test_client(), "/twilio/messages", params,
                          headers={{"I-Twilio-Idempotency-Token": "t1"}})
        assert got.status_code == 200, got.data
        with app.app_context():
            assert hooks.history.recent()
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "redis"))
        print(loaded)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("url", ["sqlite+pysqlite:///{tmp}/x.db", "sqlite:///{tmp}/x.db?x=1"])
def test_an_sqlite_url_with_a_driver_or_a_query_goes_to_sqlalchemy(
    tmp_path: Path, url: str
) -> None:
    from twhooks.store import open_store

    store = open_store(url.format(tmp=tmp_path), instance_path=tmp_path)
    assert isinstance(store, SQLStore)
    store.close()


def test_a_history_batch_is_written_with_a_few_inserts_in_order(tmp_path: Path) -> None:
    """A batch of queued history records goes in with one ``INSERT`` per chunk of up to 64
    rows (not one step per row: each step lets go of the GIL), in the order they came."""
    from twhooks.store import History, HistoryRecord

    store = SQLiteStore(tmp_path / "h.sqlite3")
    history = History(store, size=1000)
    # Written by this thread's flush below, not by the batch thread.
    store._history_buffer.batch, store._history_buffer.interval = 10**6, 60.0
    statements: list[str] = []
    store.connection().set_trace_callback(statements.append)
    try:
        for n in range(200):  # 64 + 64 + 64 + 8
            history.queue(
                HistoryRecord(
                    kind="message",
                    method="POST",
                    url="https://example.com/twilio/messages",
                    params={"MessageSid": f"SM{n}", "Body": f"body {n}"},
                    verified=True,
                    verdict="valid",
                    status=200,
                )
            )
        store.flush_history()
    finally:
        store.connection().set_trace_callback(None)
    inserts = [s for s in statements if s.startswith("INSERT INTO twhooks_history")]
    assert len(inserts) == 4
    records = history.recent(1000)
    assert [r.sid for r in records] == [f"SM{n}" for n in range(199, -1, -1)]
    assert [r.params["Body"] for r in records[:2]] == ["body 199", "body 198"]
    ids = [r.id for r in records]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 200
    store.close()
