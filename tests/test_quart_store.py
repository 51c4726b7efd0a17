"""The shared store on Quart (``twhooks.quart.TwilioHooks``), as on Flask: delivery tracking,
server-side conversations, opt-outs, the block list, the webhook history and retries answered
from the store — on a memory store and an SQLite file, through Quart's test client, on
Hypercorn on 127.0.0.1, and across two Hypercorn processes sharing one SQLite file or Redis.
And a store that blocks is never called on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import requests
from _hypercorn import HypercornServer
from _servers import Hypercorn
from _signing import TOKEN, official_signature
from _stores import REDIS_URL, new_prefix, remove
from quart import Quart

from twhooks.events import MessageStatus
from twhooks.quart import TwilioHooks
from twhooks.store.memory import MemoryStore

APP = "quart_shared_app:app"
PERSON, US = "+14155550100", "+14155550199"
ACCOUNT = "AC" + "1" * 32
PUBLIC_URL = "https://hooks.example.com"
SMS = {
    "AccountSid": "AC" + "1" * 32,
    "MessageSid": "SM" + "2" * 32,
    "From": PERSON,
    "To": US,
    "Body": "hello",
    "NumMedia": "0",
}
CALL = {
    "AccountSid": "AC" + "1" * 32,
    "CallSid": "CA" + "3" * 32,
    "From": PERSON,
    "To": US,
    "CallStatus": "ringing",
    "Direction": "inbound",
}


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/store.sqlite3"


def make_app(store: Any, **config: Any) -> tuple[Quart, TwilioHooks]:
    app = Quart(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store, **config)
    return app, TwilioHooks(app)


class Client:
    """Signed webhooks through the Quart test client (no cookies kept), on one event loop."""

    def __init__(self, app: Quart) -> None:
        self.app = app
        self.client = app.test_client(use_cookies=False)

    async def post(
        self,
        path: str,
        params: Mapping[str, str],
        *,
        token: str | None = None,
        signed: bool = True,
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers["X-Twilio-Signature"] = official_signature("http://localhost" + path, params)
        if token is not None:
            headers["I-Twilio-Idempotency-Token"] = token
        response = await self.client.post(path, form=dict(params), headers=headers)
        return response.status_code, dict(response.headers), await response.get_data()


def run(app: Quart, scenario: Callable[[Client], Any]) -> Any:
    async def main() -> Any:
        async with app.app_context():
            return await scenario(Client(app))

    return asyncio.run(main())


def status(value: str, sid: str = "SM" + "9" * 32) -> dict[str, str]:
    return {"AccountSid": ACCOUNT, "MessageSid": sid, "MessageStatus": value, "To": PERSON}


# -- through the test client, on a memory store and an SQLite file ---------------------------


def test_delivery_statuses_out_of_order_the_furthest_wins(store_url: str) -> None:
    app, hooks = make_app(store_url)
    ran: list[tuple[str, str | None, bool]] = []

    @hooks.message_status()
    async def on_status(event: MessageStatus) -> None:
        ran.append((event.status, event.previous, event.advanced))

    async def scenario(client: Client) -> Any:
        for value in ("sent", "delivered", "sent", "queued", "delivered"):
            code, _, _ = await client.post("/twilio/messages/status", status(value))
            assert code == 204
        return hooks.deliveries.get("SM" + "9" * 32)

    delivery = run(app, scenario)
    # Only the callbacks that moved the message forward ran the handler.
    assert ran == [("sent", None, True), ("delivered", "sent", True)]
    assert delivery.status == "delivered"
    assert delivery.to == PERSON
    assert [change.status for change in delivery.history] == ["queued", "sent", "delivered"]


def test_conversations_live_in_the_store_without_cookies(store_url: str) -> None:
    app, hooks = make_app(store_url)

    @hooks.message(keyword="order")
    async def order(msg: Any) -> str:
        msg.conversation.goto("size", item="pizza")
        return "Which size?"

    @hooks.message(state="size")
    def size(msg: Any) -> str:  # a plain handler: the conversation is locked in its thread
        item = msg.conversation.data["item"]
        msg.conversation.end()
        return f"One {msg.body} {item} coming"

    async def scenario(client: Client) -> Any:
        _, headers, first = await client.post("/twilio/messages", dict(SMS, Body="ORDER"))
        assert b"Which size?" in first
        assert "Set-Cookie" not in headers
        stored = hooks.conversations.get(PERSON, US, account_sid=ACCOUNT)
        assert stored is not None and stored.state == "size"
        # No cookie sent back: the state came from the store.
        _, _, second = await client.post("/twilio/messages", dict(SMS, Body="large"))
        return second, hooks.conversations.get(PERSON, US, account_sid=ACCOUNT)

    second, after = run(app, scenario)
    assert b"One large pizza coming" in second
    assert after is None or after.state is None


def test_stop_is_recorded_and_ends_the_dialog(store_url: str) -> None:
    app, hooks = make_app(store_url)
    opted: list[str] = []

    @hooks.message(keyword="order")
    async def order(msg: Any) -> str:
        msg.conversation.goto("size")
        return "Which size?"

    @hooks.message(state="size")
    async def size(msg: Any) -> str:
        return "size taken"

    @hooks.message()
    async def anything(msg: Any) -> str:
        return "Text ORDER"

    @hooks.opt_out()
    async def stopped(msg: Any) -> None:
        opted.append(msg.from_)

    async def scenario(client: Client) -> Any:
        await client.post("/twilio/messages", dict(SMS, Body="ORDER"))
        code, _, body = await client.post("/twilio/messages", dict(SMS, Body="STOP"))
        assert code == 200 and b"Which" not in body
        _, _, after = await client.post("/twilio/messages", dict(SMS, Body="large"))
        return hooks.opt_outs.is_opted_out(PERSON, US), after

    opted_out, after = run(app, scenario)
    assert opted_out
    assert opted == [PERSON]
    assert b"Text ORDER" in after  # the dialog ended: not the state handler


def test_a_blocked_number_runs_no_handler(store_url: str) -> None:
    app, hooks = make_app(store_url)
    ran: list[str] = []

    @hooks.message()
    async def anything(msg: Any) -> str:
        ran.append("message")
        return "hi"

    @hooks.call()
    def incoming(call: Any) -> str:
        ran.append("call")
        return "hello"

    async def scenario(client: Client) -> Any:
        hooks.blocklist.add(PERSON)
        _, _, message = await client.post("/twilio/messages", SMS)
        _, _, call = await client.post("/twilio/voice", CALL)
        hooks.blocklist.remove(PERSON)
        _, _, again = await client.post("/twilio/messages", SMS)
        return message, call, again

    message, call, again = run(app, scenario)
    assert b"<Message>" not in message and b"<Response" in message
    assert b"<Reject/>" in call
    assert b"hi" in again
    assert ran == ["message"]


def test_the_history_records_accepted_refused_and_replayed_requests(store_url: str) -> None:
    app, hooks = make_app(store_url)

    @hooks.message()
    async def echo(msg: Any) -> str:
        return f"You said {msg.body}"

    async def scenario(client: Client) -> Any:
        await client.post("/twilio/messages", SMS, token="tok-h")
        await client.post("/twilio/messages", SMS, token="tok-h")  # a retry
        code, _, _ = await client.post("/twilio/messages", SMS, signed=False)
        assert code == 403
        return hooks.history.recent()

    refused, replayed, accepted = run(app, scenario)
    assert (refused.verified, refused.status, refused.kind) == (False, 403, "message")
    assert (accepted.verified, accepted.replay, accepted.status) == (True, False, 200)
    assert accepted.kind == "message" and accepted.handler is not None
    assert "You said hello" in (accepted.reply or "")
    assert (replayed.replay, replayed.token, replayed.reply) == (True, "tok-h", accepted.reply)


def test_a_retry_is_answered_from_the_store_byte_for_byte(store_url: str) -> None:
    app, hooks = make_app(store_url)
    runs: list[str] = []

    @hooks.message()
    async def count(msg: Any) -> str:
        runs.append(msg.body)
        msg.conversation.goto("counted", n=len(runs))
        return f"run {len(runs)}"

    async def scenario(client: Client) -> Any:
        first = await client.post("/twilio/messages", SMS, token="tok-r")
        retry = await client.post("/twilio/messages", SMS, token="tok-r")
        return first, retry

    first, retry = run(app, scenario)
    assert runs == ["hello"]
    assert first[0] == retry[0] == 200
    assert retry[2] == first[2]
    assert {k: v for k, v in retry[1].items() if k.lower() != "date"} == {
        k: v for k, v in first[1].items() if k.lower() != "date"
    }


@pytest.mark.twhooks_default_store
def test_the_default_store_is_a_file_in_the_instance_folder_memory_when_testing(
    tmp_path: Path,
) -> None:
    from twhooks.store.memory import MemoryStore as Memory
    from twhooks.store.sql import SQLStore

    app = Quart(__name__, instance_path=str(tmp_path / "instance"))
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN)
    TwilioHooks(app)
    facades = app.extensions["twhooks"].facades
    assert isinstance(facades.store, SQLStore)
    assert not facades.blocklist.contains(PERSON)  # the tables are made on first use
    assert (tmp_path / "instance" / "twhooks.sqlite3").exists()

    testing = Quart(__name__, instance_path=str(tmp_path / "other"))
    testing.config.update(TWILIO_AUTH_TOKEN=TOKEN, TESTING=True, TWHOOKS_STORE=None)
    TwilioHooks(testing)
    assert isinstance(testing.extensions["twhooks"].facades.store, Memory)


# -- a store that blocks is never called on the event loop -----------------------------------


class ThreadRecordingStore(MemoryStore):
    """A memory store that says it blocks, and records the thread of every call to it."""

    blocking = True

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[tuple[str, int]] = []

    def __getattribute__(self, name: str) -> Any:
        attr = super().__getattribute__(name)
        if name.startswith("_") or name in ("threads", "blocking") or not callable(attr):
            return attr
        threads = super().__getattribute__("threads")

        def call(*args: Any, **kwargs: Any) -> Any:
            threads.append((name, threading.get_ident()))
            return attr(*args, **kwargs)

        return call


def test_a_blocking_store_is_never_called_on_the_event_loop() -> None:
    store = ThreadRecordingStore()
    app, hooks = make_app(store)

    @hooks.message(keyword="order")
    async def order(msg: Any) -> str:
        msg.conversation.goto("size")
        return "Which size?"

    @hooks.message(state="size")
    def size(msg: Any) -> str:
        msg.conversation.end()
        return "done"

    @hooks.message_status()
    async def on_status(event: MessageStatus) -> None:
        return None

    @hooks.call()
    async def incoming(call: Any) -> str:
        return "hello"

    async def scenario(client: Client) -> int:
        loop_thread = threading.get_ident()
        await client.post("/twilio/messages", dict(SMS, Body="ORDER"), token="tok-b")
        await client.post("/twilio/messages", dict(SMS, Body="ORDER"), token="tok-b")  # retry
        await client.post("/twilio/messages", dict(SMS, Body="large"))
        await client.post("/twilio/messages", dict(SMS, Body="STOP"))
        await client.post("/twilio/messages/status", status("delivered"), token="tok-s")
        await client.post("/twilio/voice", CALL, token="tok-c")
        await client.post("/twilio/messages", SMS, signed=False)  # refused: in the history
        await client.post("/twilio/messages/status", dict(status("sent"), ErrorCode="x"))
        return loop_thread

    loop_thread = run(app, scenario)
    names = {name for name, _ in store.threads}
    # Every part of the request path touched the store...
    assert {"claim", "finish", "record_message_status", "add_history"} <= names
    assert {"save_conversation", "load_conversation", "record_call_event"} & names
    # ... and none of it on the event loop's thread.
    on_loop = [name for name, thread in store.threads if thread == loop_thread]
    assert on_loop == []
    assert len(store.threads) > 20
    kinds = [record.kind for record in app.extensions["twhooks"].facades.history.recent()]
    assert kinds.count("message") == 5 and "call" in kinds and "message_status" in kinds


# -- on Hypercorn, 127.0.0.1 ------------------------------------------------------------------


def http_post(url: str, params: Mapping[str, str], token: str | None = None) -> requests.Response:
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    if token is not None:
        headers["I-Twilio-Idempotency-Token"] = token
    return requests.post(url, data=params, headers=headers, timeout=30)


def test_concurrent_retries_on_hypercorn_run_the_handler_once(
    store_url: str, serve: Callable[[Quart], HypercornServer]
) -> None:
    app, hooks = make_app(store_url)
    runs: list[str] = []

    @hooks.message()
    async def slow(msg: Any) -> str:
        runs.append(msg.body)
        await asyncio.sleep(0.3)
        return f"slow {msg.body} {len(runs)}"

    server = serve(app)
    url = server.url + "/twilio/messages"
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: http_post(url, SMS, "tok-hc"), range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.content for a in answers}) == 1
    assert runs == ["hello"]


def test_one_persons_messages_on_hypercorn_run_one_at_a_time(
    store_url: str, serve: Callable[[Quart], HypercornServer]
) -> None:
    app, hooks = make_app(store_url)

    @hooks.message()
    async def count(msg: Any) -> str:
        total = msg.conversation.data.get("count", 0) + 1
        await asyncio.sleep(0.02)  # another request of this conversation would interleave here
        msg.conversation.goto("counting", count=total)
        return f"message {total}"

    server = serve(app)
    url = server.url + "/twilio/messages"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: http_post(url, dict(SMS, Body=f"m{n}")), range(8)))
    assert [a.status_code for a in answers] == [200] * 8

    async def stored() -> Any:
        async with app.app_context():
            return hooks.conversations.get(PERSON, US, account_sid=ACCOUNT)

    assert asyncio.run(stored()).data["count"] == 8


# -- two Hypercorn processes sharing one store --------------------------------------------------


@pytest.fixture(params=["sqlite", "redis"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The store both processes share, named for this test alone (removed after it)."""
    if request.param == "sqlite":
        yield {"TEST_STORE": f"sqlite:///{tmp_path}/shared.sqlite3"}
        return
    prefix = new_prefix("quart")
    yield {"TEST_STORE": REDIS_URL, "TEST_PREFIX": prefix}
    remove(REDIS_URL, prefix)


def test_two_hypercorn_processes_sharing_a_store_run_a_retry_once(
    shared_store: dict[str, str], tmp_path: Path
) -> None:
    runs = tmp_path / "runs.txt"
    runs.touch()
    env = {
        "TEST_TWILIO_AUTH_TOKEN": TOKEN,
        **shared_store,
        "TEST_RUNS": str(runs),
        "TEST_SLOW": "0.5",
        # Behind one load balancer: Twilio signs the same URL whichever host gets it.
        "TEST_PUBLIC_URL": PUBLIC_URL,
    }
    hosts = [Hypercorn(APP, env, tmp_path / f"host-{n}.log") for n in range(2)]
    try:

        def send(n: int, body: str = "SLOW hello", token: str | None = "tok-2") -> bytes:
            url = hosts[n % 2].url + "/twilio/messages"
            signed = PUBLIC_URL + "/twilio/messages"
            data = dict(SMS, Body=body)
            headers = {"X-Twilio-Signature": official_signature(signed, data)}
            if token is not None:
                headers["I-Twilio-Idempotency-Token"] = token
            answer = requests.post(url, data=data, headers=headers, timeout=30)
            assert answer.status_code == 200, answer.text
            return answer.content

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(send, range(8)))
        assert len(set(answers)) == 1
        assert b"SLOW hello: message 1 of this conversation" in answers[0]
        assert len(runs.read_text().splitlines()) == 1
        # Later retries, to either host, are answered from the store too.
        assert send(0) == send(1) == answers[0]
        assert len(runs.read_text().splitlines()) == 1
        # New messages of the same person, on either host, continue the conversation.
        assert b"message 2 of" in send(0, "again", None)
        assert b"message 3 of" in send(1, "again", None)
        assert len({line.split()[0] for line in runs.read_text().splitlines()}) == 2
    finally:
        for host in hosts:
            host.stop()
