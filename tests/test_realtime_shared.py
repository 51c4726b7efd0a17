"""Call records in the shared store: one socket per call across hosts, and the session's
record readable from any host — on every backend over a real connection (PostgreSQL on
127.0.0.1:5432 and Redis on 127.0.0.1:6379 must run: a missing server fails, never skips)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _servers import LiveServer
from _signing import TOKEN
from _stores import POSTGRESQL_URL, REDIS_URL
from flask import Flask
from test_realtime_cli import VoiceHooks

from twhooks.realtime.errors import UpgradeRefused
from twhooks.realtime.lifecycle import SessionRegistry
from twhooks.realtime.shared import SharedCallStore
from twhooks.realtime.testing import RelayCaller, new_call_sid
from twhooks.store import MemoryStore, Store
from twhooks.store.redis import RedisStore
from twhooks.store.sql import SQLStore


@pytest.fixture(params=["memory", "sqlite", "postgresql", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    run = uuid.uuid4().hex[:8]
    opened: Store
    if request.param == "sqlite":
        opened = SQLStore(f"sqlite:///{tmp_path / 'store.sqlite3'}", prefix="twhooks_")
    elif request.param == "postgresql":
        opened = SQLStore(POSTGRESQL_URL, prefix=f"v{run}_")
    elif request.param == "redis":
        opened = RedisStore(REDIS_URL, prefix=f"twhooks-voice-test:{run}:")
    else:
        opened = MemoryStore()
    try:
        yield opened
    finally:
        if isinstance(opened, SQLStore):
            opened.drop_tables()
        elif isinstance(opened, RedisStore):
            opened.delete_all()
            opened.close()


def test_one_session_per_call_across_hosts(store: Store) -> None:
    host_a = SessionRegistry(SharedCallStore(store), host="a:1")
    host_b = SessionRegistry(SharedCallStore(store), host="b:1")
    sid = new_call_sid()
    live = host_a.open(sid, "relay")
    with pytest.raises(UpgradeRefused) as refused:
        host_b.open(sid, "relay")
    assert refused.value.status == 409
    assert "another host" in refused.value.reason
    # Host B, answering the call's callbacks, reads the session that host A holds.
    seen = host_b.store.get(sid)
    assert seen is not None and seen.live and seen.host == "a:1"
    live.record.data["intent"] = "billing"
    live.record.handoff_data = '{"to":"sales"}'
    host_a.close(live, "end")
    ended = host_b.store.get(sid)
    assert ended is not None
    assert (ended.live, ended.close_reason, ended.data, ended.handoff_data) == (
        False,
        "end",
        {"intent": "billing"},
        '{"to":"sales"}',
    )
    # Ended: the call may connect again, on any host.
    host_b.close(host_b.open(sid, "relay"), "closed")


def test_a_dead_hosts_claim_expires(store: Store) -> None:
    sid = new_call_sid()
    crashed = SessionRegistry(SharedCallStore(store), host="dead:1", lease=1.0)
    crashed.open(sid, "stream")  # never closed: its process died
    opened = time.monotonic()
    other = SessionRegistry(SharedCallStore(store), host="b:1")
    with pytest.raises(UpgradeRefused):
        other.open(sid, "stream")
    assert time.monotonic() - opened < 1.0  # else the lease ended already: the check is void
    time.sleep(1.2)
    other.close(other.open(sid, "stream"), "stop")


def test_two_servers_sharing_a_store_refuse_a_second_socket(
    live_server: Callable[[Any], LiveServer], tmp_path: Path
) -> None:
    shared = SQLStore(f"sqlite:///{tmp_path / 'shared.sqlite3'}", prefix="twhooks_")
    servers = []
    for name in ("a", "b"):
        app = Flask(name)
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        hooks = VoiceHooks(app)
        hooks.realtime.registry.store = SharedCallStore(shared)
        hooks.realtime.registry.host = name

        @hooks.relay()
        def agent(session: Any) -> None:
            for prompt in session.prompts():
                session.say(prompt.text)

        servers.append(live_server(app))
    sid = new_call_sid()
    urls = [f"ws://127.0.0.1:{s.port}/twilio/relay/{sid}" for s in servers]
    with RelayCaller(urls[0], TOKEN) as caller:
        caller.say("hello")
        assert caller.answer() == "hello"
        with pytest.raises(UpgradeRefused) as refused:
            RelayCaller(urls[1], TOKEN).open()
        assert refused.value.status == 409
    deadline = time.monotonic() + 5
    while (record := SharedCallStore(shared).get(sid)) is None or record.live:
        assert time.monotonic() < deadline, "the session did not end"
        time.sleep(0.01)
    assert (record.host, record.close_reason) == ("a", "closed")
    with RelayCaller(urls[1], TOKEN) as caller:  # the call ended: any host may take it
        caller.say("again")
        assert caller.answer() == "again"
    shared.drop_tables()


def test_sessions_are_recorded_in_the_webhook_history(
    live_server: Callable[[Any], LiveServer],
) -> None:
    from twhooks.realtime.shared import history_hook
    from twhooks.store import History

    history = History(MemoryStore())
    app = Flask(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    hooks = VoiceHooks(app)
    hooks.session_end(history_hook(history))

    @hooks.relay()
    def agent(session: Any) -> None:
        for prompt in session.prompts():
            session.end({"said": prompt.text})

    server = live_server(app)
    sid = new_call_sid()
    with RelayCaller(f"ws://127.0.0.1:{server.port}/twilio/relay/{sid}", TOKEN) as caller:
        caller.say("bye")
        assert caller.receive() == {"type": "end", "handoffData": '{"said":"bye"}'}
    deadline = time.monotonic() + 5
    while not history.recent(10) and time.monotonic() < deadline:
        time.sleep(0.01)
    (entry,) = history.recent(10)
    assert (entry.kind, entry.status, entry.why, entry.sid) == ("relay", 101, "end", sid)
    assert entry.params["HandoffData"] == '{"said":"bye"}'
    assert entry.params["Received"] == "2"
    assert entry.url == f"/twilio/relay/{sid}"
