"""The asyncio request path (``AsyncDispatcher.dispatch`` / ``handle``): few trips to a
worker thread, none on the event loop that could block it, and the same behaviour as the
synchronous path (conversations saved only after a clean run, failed claims released, the
history written).

- a store that does not block (``blocking = False``, the memory stores) is used on the loop:
  an ``async def`` handler costs no thread at all, a plain one exactly one;
- a store that blocks is never called on the loop: its work before the handler is one trip to a
  worker thread, its work after the handler another (a plain handler runs in the first);
- a retry of a request in flight, and a request whose conversation is busy, wait on the
  loop between tries, holding no worker thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Literal

import pytest
from werkzeug.test import EnvironBuilder

from twhooks.conversation import Conversation
from twhooks.dispatch import AsyncDispatcher, Received, steps
from twhooks.dispatch.received import stored
from twhooks.handlers import Handlers
from twhooks.kinds import KINDS
from twhooks.policies import Policies
from twhooks.request import WebhookRequest
from twhooks.settings import Settings
from twhooks.store import Blocklist, Calls, Conversations, Deliveries, History, OptOuts
from twhooks.store.memory import MemoryStore
from twhooks.store.settings import StoreFacades
from twhooks.wsgi import webhook_request

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

SMS = {
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+14155550100",
    "To": "+15005550006",
    "Body": "hello",
}


class RecordingStore:
    """A memory store that says whether it blocks, and records the thread of every call."""

    def __init__(self, blocking: bool) -> None:
        self.blocking = blocking
        self.inner = MemoryStore()
        self.calls: list[tuple[str, int]] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, threading.get_ident()))
            return attr(*args, **kwargs)

        return call


def dispatcher_over(
    store: RecordingStore,
    handlers: Handlers,
    mode: Literal["store", "cookie"] = "store",
    lease: float | None = None,
) -> AsyncDispatcher:
    typed: Any = store
    opt_outs = OptOuts(typed)
    facades = StoreFacades(
        store=typed,
        conversation_mode=mode,
        conversations=Conversations(typed, lock_wait=0.5),
        deliveries=Deliveries(typed, opt_outs=opt_outs),
        calls=Calls(typed),
        opt_outs=opt_outs,
        blocklist=Blocklist(typed),
        history=History(typed),
    )
    settings = Settings.from_config({"TWHOOKS_VALIDATE": False})
    return AsyncDispatcher(
        handlers, settings, replays=typed, policies=Policies(facades, mode), lease=lease
    )


def sms(token: str | None = "tok-1", body: str = "hello") -> WebhookRequest:
    headers = {"I-Twilio-Idempotency-Token": token} if token else {}
    environ = EnvironBuilder(
        path="/twilio/messages", method="POST", data={**SMS, "Body": body}, headers=headers
    ).get_environ()
    return webhook_request(environ)


class Trips:
    """Counts the trips to a worker thread (``asyncio.to_thread``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = asyncio.to_thread

        async def to_thread(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(function, *args, **kwargs)

        monkeypatch.setattr(asyncio, "to_thread", to_thread)


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


async def on_loop(coroutine: Coroutine[Any, Any, Any]) -> tuple[Any, int]:
    """The result of *coroutine*, and the event loop's thread."""
    return await coroutine, threading.get_ident()


def test_a_store_that_does_not_block_is_used_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    store = RecordingStore(blocking=False)
    handlers = Handlers()

    @handlers.message()
    async def reply(msg: Any) -> str:
        return f"You said {msg.body}"

    dispatcher = dispatcher_over(store, handlers, mode="cookie")
    trips = Trips(monkeypatch)
    reply_, loop_thread = run(on_loop(dispatcher.dispatch(sms(), KINDS["message"], None, {})))
    assert reply_.status == 200
    assert b"<Message>You said hello</Message>" in reply_.body
    assert trips.count == 0
    names = [name for name, _ in store.calls]
    assert "claim" in names and "finish" in names and "add_history" in names
    assert {thread for _, thread in store.calls} == {loop_thread}
    # The claim was finished with the reply: a retry gets it, without running the handler.
    again = run(dispatcher.dispatch(sms(), KINDS["message"], None, {}))
    assert again.body == reply_.body
    history = store.inner.recent_history(10)
    assert [record.replay for record in history] == [True, False]


def test_a_plain_handler_costs_one_trip_to_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    store = RecordingStore(blocking=False)
    handlers = Handlers()
    ran_in: list[int] = []

    @handlers.message()
    def reply(msg: Any) -> str:
        ran_in.append(threading.get_ident())
        return "plain"

    dispatcher = dispatcher_over(store, handlers, mode="cookie")
    trips = Trips(monkeypatch)
    reply_, loop_thread = run(on_loop(dispatcher.dispatch(sms(), KINDS["message"], None, {})))
    assert b"<Message>plain</Message>" in reply_.body
    assert trips.count == 1
    assert ran_in and ran_in[0] != loop_thread


@pytest.mark.parametrize("plain", [False, True], ids=["async handler", "plain handler"])
def test_a_blocking_store_is_never_called_on_the_loop(
    monkeypatch: pytest.MonkeyPatch, plain: bool
) -> None:
    store = RecordingStore(blocking=True)
    handlers = Handlers()
    ran_in: list[int] = []

    def step(msg: Any) -> str:
        ran_in.append(threading.get_ident())
        count = msg.conversation.data.get("count", 0) + 1
        msg.conversation.goto("counting", count=count)
        return f"count {count}"

    if plain:
        handlers.message()(step)
    else:

        async def async_step(msg: Any) -> str:
            return step(msg)

        handlers.message()(async_step)
    dispatcher = dispatcher_over(store, handlers)
    trips = Trips(monkeypatch)
    counted: dict[str, int] = {}

    async def steps() -> Any:
        # The steps as an adapter calls them (Quart's before_request, view and teardown).
        received = dispatcher.receive(sms("tok-1"), None, "message")
        assert isinstance(received, Received)
        assert await dispatcher.claim(received) is None
        counted["claim"] = trips.count
        reply_ = await dispatcher.handle(received, KINDS["message"], None, None)
        counted["handle"] = trips.count - counted["claim"]
        await dispatcher.conclude(received, stored(reply_), reply_.status)
        counted["conclude"] = trips.count - counted["claim"] - counted["handle"]
        return reply_

    first, loop_thread = run(on_loop(steps()))
    assert b"<Message>count 1</Message>" in first.body
    # The claim is one trip, the end one more. Handling: before the handler, one trip (the
    # plain handler and all after it in the same one); after an async handler, one more.
    assert counted == {"claim": 1, "handle": 1 if plain else 2, "conclude": 1}
    assert store.calls and all(thread != loop_thread for _, thread in store.calls)
    names = [name for name, _ in store.calls]
    for name in ("claim", "load_conversation", "save_conversation", "finish", "add_history"):
        assert name in names
    assert (ran_in[0] != loop_thread) is plain
    second = run(dispatcher.dispatch(sms("tok-2"), KINDS["message"], None, None))
    assert b"<Message>count 2</Message>" in second.body  # the conversation was saved


def test_a_failed_handler_releases_the_conversation_and_the_claim() -> None:
    store = RecordingStore(blocking=True)
    handlers = Handlers()
    attempts: list[str] = []

    @handlers.message()
    async def reply(msg: Any) -> str:
        attempts.append(msg.body)
        msg.conversation.goto("half-done")
        if len(attempts) == 1:
            raise RuntimeError("the model is down")
        return f"state was {msg.conversation.state}"

    dispatcher = dispatcher_over(store, handlers)
    with pytest.raises(RuntimeError, match="the model is down"):
        run(dispatcher.dispatch(sms("tok-1"), KINDS["message"], None, None))
    # The retry runs the handler again (the claim was released, not kept), the conversation
    # is not locked any more, and what the failed handler changed was not saved.
    retry = run(dispatcher.dispatch(sms("tok-1"), KINDS["message"], None, None))
    assert retry.status == 200
    assert len(attempts) == 2
    assert b"state was half-done" in retry.body  # goto() of this run, not of the failed one
    conversations = store.inner.recent_conversations(10)
    assert [c.state for c in conversations] == ["half-done"]
    assert [r.status for r in store.inner.recent_history(10)] == [200, 500]


def test_an_async_error_handler_answers_and_nothing_is_saved() -> None:
    store = RecordingStore(blocking=True)
    handlers = Handlers()

    @handlers.message()
    def reply(msg: Any) -> str:
        msg.conversation.goto("never-saved")
        raise ValueError("bad input")

    @handlers.error
    async def sorry(error: Exception, event: Any) -> str:
        return f"Sorry: {error}"

    dispatcher = dispatcher_over(store, handlers)
    answer = run(dispatcher.dispatch(sms(), KINDS["message"], None, None))
    assert b"<Message>Sorry: bad input</Message>" in answer.body
    assert store.inner.recent_conversations(10) == []
    # The error handler's reply is kept for the retry.
    assert run(dispatcher.dispatch(sms(), KINDS["message"], None, None)).body == answer.body


def test_a_cancelled_handler_releases_the_conversation_and_the_claim() -> None:
    store = RecordingStore(blocking=True)
    handlers = Handlers()
    started = asyncio.Event()
    calls: list[str] = []

    @handlers.message()
    async def reply(msg: Any) -> str:
        calls.append("run")
        if len(calls) == 1:
            started.set()
            await asyncio.sleep(60)
        return "done"

    dispatcher = dispatcher_over(store, handlers)

    async def scenario() -> bytes:
        task = asyncio.ensure_future(dispatcher.dispatch(sms(), KINDS["message"]))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        again = await dispatcher.dispatch(sms(), KINDS["message"])
        return again.body

    assert b"<Message>done</Message>" in run(scenario())
    assert calls == ["run", "run"]


def test_a_retry_in_flight_waits_without_blocking_the_loop() -> None:
    store = RecordingStore(blocking=False)
    handlers = Handlers()
    release = asyncio.Event()
    runs: list[str] = []

    @handlers.message()
    async def reply(msg: Any) -> str:
        runs.append(msg.body)
        await release.wait()
        return "first reply"

    dispatcher = dispatcher_over(store, handlers, mode="cookie")

    async def scenario() -> tuple[bytes, bytes]:
        kind = KINDS["message"]
        first = asyncio.ensure_future(dispatcher.dispatch(sms(), kind, None, {}))
        while not runs:
            await asyncio.sleep(0)
        retry = asyncio.ensure_future(dispatcher.dispatch(sms(), kind, None, {}))
        # The loop keeps running while the retry waits: this sleep returns, and then lets
        # the first request finish.
        await asyncio.sleep(0.05)
        assert not retry.done()
        release.set()
        return (await first).body, (await retry).body

    first, retry = run(scenario())
    assert first == retry
    assert b"first reply" in first
    assert runs == ["hello"]


@pytest.mark.parametrize("blocking", [False, True])
def test_a_handler_slower_than_the_lease_keeps_its_claim_off_the_loop(blocking: bool) -> None:
    # A 0.2 s lease, a 1 s handler: the claim is renewed (by the renewal thread, never on the
    # loop), so a retry sent after two leases waits for the reply instead of running again.
    store = RecordingStore(blocking=blocking)
    handlers = Handlers()
    runs: list[str] = []

    @handlers.message()
    async def reply(msg: Any) -> str:
        runs.append(msg.body)
        await asyncio.sleep(1.0)
        return "slow reply"

    dispatcher = dispatcher_over(store, handlers, mode="cookie", lease=0.2)

    async def scenario() -> tuple[bytes, bytes, int]:
        kind = KINDS["message"]
        first = asyncio.ensure_future(dispatcher.dispatch(sms(), kind, None, {}))
        while not runs:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)
        retry = await dispatcher.dispatch(sms(), kind, None, {})
        return (await first).body, retry.body, threading.get_ident()

    first, retry, loop_thread = run(scenario())
    assert first == retry
    assert b"slow reply" in first
    assert runs == ["hello"]
    renewed = [thread for name, thread in store.calls if name == "renew"]
    assert renewed
    assert loop_thread not in renewed


def test_a_retry_still_waiting_after_twilios_timeout_is_answered_503_not_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(steps, "CLAIM_WAIT", 0.3)  # Twilio's 15 s, shortened
    store = RecordingStore(blocking=True)
    handlers = Handlers()
    runs: list[str] = []

    @handlers.message()
    async def reply(msg: Any) -> str:
        runs.append(msg.body)
        await asyncio.sleep(1.0)
        return "slow reply"

    dispatcher = dispatcher_over(store, handlers, mode="cookie", lease=0.2)

    async def scenario() -> tuple[Any, Any]:
        kind = KINDS["message"]
        first = asyncio.ensure_future(dispatcher.dispatch(sms(), kind, None, {}))
        while not runs:
            await asyncio.sleep(0.01)
        retry = await dispatcher.dispatch(sms(), kind, None, {})
        return await first, retry

    first, retry = run(scenario())
    assert first.status == 200
    assert retry.status == 503
    assert runs == ["hello"]


def test_handle_without_a_store_keeps_the_conversation_in_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handlers = Handlers()

    @handlers.message()
    async def reply(msg: Any) -> str:
        msg.conversation.goto("asked", n=1)
        return "ok"

    dispatcher = AsyncDispatcher(handlers, Settings.from_config({"TWHOOKS_VALIDATE": False}))
    session: dict[str, Any] = {}
    trips = Trips(monkeypatch)

    async def steps() -> Any:
        received = dispatcher.receive(sms(None))
        assert isinstance(received, Received)
        return await dispatcher.handle(received, KINDS["message"], None, session)

    answer = run(steps())
    assert answer.status == 200
    assert trips.count == 0
    assert session[Conversation.default_key]["state"] == "asked"


def test_a_request_waiting_for_a_busy_conversation_holds_no_worker_thread() -> None:
    # One worker thread for the whole loop: a waiter that slept in it would keep the holder
    # of the conversation from giving its lock back (its release is a trip to that thread),
    # and every request would wait the lock's whole wait and be answered 503.
    store = RecordingStore(blocking=True)
    handlers = Handlers()

    @handlers.message()
    async def slow(msg: Any) -> str:
        count = msg.conversation.data.get("count", 0) + 1
        await asyncio.sleep(0.05)
        msg.conversation.goto("counting", count=count)
        return f"count {count}"

    dispatcher = dispatcher_over(store, handlers)

    async def scenario() -> list[bytes]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(1))
        replies = await asyncio.gather(
            *(dispatcher.dispatch(sms(f"tok-{n}"), KINDS["message"], None, None) for n in range(4))
        )
        assert [r.status for r in replies] == [200] * 4
        return [r.body for r in replies]

    bodies = run(scenario())
    # One at a time: each handler saw the one before's count.
    counts = sorted(body.split(b"<Message>")[1].split(b"<")[0] for body in bodies)
    assert counts == [f"count {n}".encode() for n in range(1, 5)]


def status(message_status: str, sid: str = "SM" + "4" * 32) -> WebhookRequest:
    data = {"AccountSid": SMS["AccountSid"], "MessageSid": sid, "MessageStatus": message_status}
    environ = EnvironBuilder(path="/twilio/messages/status", method="POST", data=data).get_environ()
    return webhook_request(environ)


@pytest.mark.parametrize("blocking", [False, True], ids=["store on the loop", "blocking store"])
def test_the_status_handlers_of_one_message_run_one_at_a_time_in_recorded_order(
    blocking: bool,
) -> None:
    # One worker thread: a callback waiting for its message's lock holds none of it.
    store = RecordingStore(blocking=blocking)
    handlers = Handlers()
    running: list[str] = []
    ran: list[tuple[str, bool]] = []

    @handlers.message_status()
    async def on_status(event: Any) -> None:
        running.append(event.status)
        assert len(running) == 1, f"handlers of one message overlapped: {running}"
        await asyncio.sleep(0.05)
        ran.append((event.status, event.advanced))
        running.remove(event.status)

    dispatcher = dispatcher_over(store, handlers)
    kind = KINDS["message_status"]

    async def scenario() -> list[int]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(1))
        replies = await asyncio.gather(
            *(dispatcher.dispatch(status(s), kind) for s in ("sent", "delivered", "queued"))
        )
        return [r.status for r in replies]

    assert run(scenario()) == [204, 204, 204]
    # Each ran after the one before had finished; a status recorded after a further one
    # moved nothing forward and ran no handler.
    statuses = [s for s, _ in ran]
    assert statuses in (["sent", "delivered"], ["delivered"], ["queued", "sent", "delivered"])
    assert all(advanced for _, advanced in ran)
