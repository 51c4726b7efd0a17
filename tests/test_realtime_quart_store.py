"""Voice sessions on Quart with a store that blocks (an SQLite file): the store is never
called on the event loop's thread — claiming the call, refusing a second socket, recording
the session's end, the webhook-history hook — and the end is recorded however the session
ends: hang-up, handler error, cancellation by draining, server shutdown. Over a real
Hypercorn server on 127.0.0.1 with a real WebSocket client."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _hypercorn import HypercornServer
from _signing import TOKEN
from quart import Quart
from twilio.request_validator import RequestValidator

from twhooks.quart import TwilioHooks
from twhooks.realtime.errors import UpgradeRefused
from twhooks.realtime.lifecycle import SessionRecord, SessionRegistry
from twhooks.realtime.shared import SharedCallStore
from twhooks.realtime.testing import RelayCaller, new_call_sid
from twhooks.store.sql import SQLStore

_WAIT = 5.0


class ThreadRecordingSQLStore(SQLStore):
    """An SQLite-file store (it blocks) recording the thread of every call to it."""

    def __init__(self, url: str) -> None:
        super().__init__(url, prefix="twhooks_")
        self.threads: list[tuple[str, int]] = []
        self.slow_claims = 0.0

    def __getattribute__(self, name: str) -> Any:
        attr = super().__getattribute__(name)
        if name.startswith("_") or name in ("threads", "slow_claims") or not callable(attr):
            return attr
        threads = super().__getattribute__("threads")

        def call(*args: Any, **kwargs: Any) -> Any:
            threads.append((name, threading.get_ident()))
            if name == "claim":
                time.sleep(super(ThreadRecordingSQLStore, self).__getattribute__("slow_claims"))
            return attr(*args, **kwargs)

        return call


class Agent:
    """A Quart app on the SQLite-file store, with a plain and an ``async def`` end hook."""

    def __init__(self, store: ThreadRecordingSQLStore, graceful_timeout: float = 1.0) -> None:
        self.store = store
        self.app = Quart(__name__)
        self.app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store)
        self.hooks = TwilioHooks(self.app)
        self.loop_threads: set[int] = set()
        self.plain_ended: list[tuple[SessionRecord, int]] = []
        self.async_ended: list[SessionRecord] = []
        self.teardown: list[str] = []

        @self.hooks.session_end
        def plain(record: SessionRecord) -> None:
            self.plain_ended.append((record, threading.get_ident()))

        @self.hooks.session_end
        async def awaited(record: SessionRecord) -> None:
            self.loop_threads.add(threading.get_ident())
            await asyncio.sleep(0.05)  # takes a while: the end waits for it
            self.async_ended.append(record)

        @self.hooks.relay()
        async def agent(session: Any) -> None:
            self.loop_threads.add(threading.get_ident())
            try:
                async for prompt in session.prompts():
                    if prompt.text == "fail":
                        raise RuntimeError("the model fell over")
                    await session.say(prompt.text)
            finally:
                self.teardown.append(session.call_sid)

        self.server = HypercornServer(self.app, graceful_timeout=graceful_timeout)

    def caller(self, sid: str) -> RelayCaller:
        url = f"ws://127.0.0.1:{self.server.port}/twilio/relay/{sid}"
        signed = f"wss://127.0.0.1:{self.server.port}/twilio/relay/{sid}"
        signature = RequestValidator(TOKEN).compute_signature(signed, {})
        return RelayCaller(url, None, signature=str(signature))

    def wait_ended(self, count: int = 1) -> None:
        deadline = time.monotonic() + _WAIT
        while len(self.async_ended) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.async_ended) == count and len(self.plain_ended) == count

    def check_ended(self, sid: str, reason: str, *others: str) -> None:
        """The call record, both end hooks and the history entry have the session's end
        (*reason*, or one of *others*, the same everywhere); no store call was made on the
        event loop's thread."""
        (loop_thread,) = self.loop_threads
        names = {name for name, _ in self.store.threads}
        assert {"claim", "load_conversation", "save_conversation", "finish", "add_history"} <= (
            names
        )
        on_loop = [name for name, thread in self.store.threads if thread == loop_thread]
        assert on_loop == []
        record = self.hooks.realtime.registry.store.get(sid)
        assert record is not None and record.ended_at is not None
        assert record.close_reason in (reason, *others)
        reason = record.close_reason
        assert [(r.call_sid, r.close_reason) for r, _ in self.plain_ended] == [(sid, reason)]
        assert [(r.call_sid, r.close_reason) for r in self.async_ended] == [(sid, reason)]
        assert self.plain_ended[0][1] != loop_thread  # the plain hook ran in a worker thread
        history = self.app.extensions["twhooks"].facades.history
        entries = [e for e in history.recent(20) if e.kind == "relay"]
        assert [(e.sid, e.why) for e in entries] == [(sid, reason)]
        assert self.teardown == [sid]
        assert len(self.hooks.realtime.registry) == 0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ThreadRecordingSQLStore]:
    opened = ThreadRecordingSQLStore(f"sqlite:///{tmp_path / 'twhooks.sqlite3'}")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def agent(store: ThreadRecordingSQLStore) -> Iterator[Agent]:
    agent = Agent(store)
    try:
        yield agent
    finally:
        agent.server.stop()


def test_hang_up_is_recorded_off_the_loop(agent: Agent) -> None:
    sid = new_call_sid()
    with agent.caller(sid) as caller:
        caller.say("hi")
        assert caller.answer() == "hi"
        with pytest.raises(UpgradeRefused) as refused:  # one socket per call, off the loop
            agent.caller(sid).open()
        assert refused.value.status == 409
    agent.wait_ended()
    agent.check_ended(sid, "closed")
    with agent.caller(sid) as caller:  # the end released the call
        caller.say("again")
        assert caller.answer() == "again"


def test_handler_error_is_recorded_off_the_loop(agent: Agent) -> None:
    sid = new_call_sid()
    with agent.caller(sid) as caller:
        caller.say("fail")
        caller.wait_closed()
    agent.wait_ended()
    agent.check_ended(sid, "error")
    record = agent.hooks.realtime.registry.store.get(sid)
    assert record is not None and "the model fell over" in record.errors[0]


def test_cancellation_by_draining_is_recorded_off_the_loop(agent: Agent) -> None:
    sid = new_call_sid()
    with agent.caller(sid) as caller:
        caller.say("hi")
        assert caller.answer() == "hi"
        cancelled = agent.server.call(agent.hooks.realtime.registry.drain_async(grace=0.1))
        assert cancelled == 1
        caller.wait_closed()
    # The drain returned once the teardown was done: the record and both end hooks.
    assert len(agent.async_ended) == 1
    agent.check_ended(sid, "shutdown")


def test_server_shutdown_is_recorded_off_the_loop(store: ThreadRecordingSQLStore) -> None:
    agent = Agent(store, graceful_timeout=0.3)
    sid = new_call_sid()
    with agent.caller(sid) as caller:
        caller.say("hi")
        assert caller.answer() == "hi"
        # Past its graceful timeout Hypercorn closes the socket: the session's loop ends
        # as on a hang-up ("closed"), unless the app's own drain ends it first ("shutdown"):
        # which of the two comes first is the server's timing. Either way once, off the loop.
        agent.server.stop()
    agent.wait_ended()
    agent.check_ended(sid, "closed", "shutdown")


def test_a_claim_still_made_after_its_waiter_is_cancelled_is_released(
    store: ThreadRecordingSQLStore,
) -> None:
    registry = SessionRegistry(SharedCallStore(store), host="a:1")
    store.slow_claims = 0.2
    sid = new_call_sid()

    async def scenario() -> None:
        opening = asyncio.ensure_future(registry.open_async(sid, "relay"))
        await asyncio.sleep(0.05)  # the claim is under way in a worker thread
        opening.cancel()
        with pytest.raises(asyncio.CancelledError):
            await opening
        deadline = time.monotonic() + _WAIT
        while (len(registry) or registry._finishing) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert len(registry) == 0
    record = registry.store.get(sid)
    assert record is not None and record.close_reason == "refused"
    store.slow_claims = 0.0
    registry.close(registry.open(sid, "relay"), "closed")  # the call was released
