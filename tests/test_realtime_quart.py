"""ConversationRelay and Media Streams sessions in a Quart app, over a real Hypercorn server
on 127.0.0.1 with a real WebSocket client (websockets)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from _hypercorn import HypercornServer
from _signing import TOKEN
from quart import Quart, g
from twilio.request_validator import RequestValidator

from twhooks.exceptions import HandlerError
from twhooks.quart import mount_quart
from twhooks.realtime.errors import UpgradeRefused
from twhooks.realtime.handlers import RealtimeHandlers
from twhooks.realtime.lifecycle import SessionRecord
from twhooks.realtime.testing import RelayCaller, StreamCaller, new_call_sid

_WAIT = 5.0


def official(url: str, token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, {}))


class QuartAgent:
    def __init__(self) -> None:
        self.app = Quart(__name__)
        self.app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        self.hooks = RealtimeHandlers()
        self.calls: list[Any] = []
        self.ended: list[SessionRecord] = []
        self.before_websocket_ran = 0

        @self.app.before_websocket
        async def user_code() -> None:
            self.before_websocket_ran += 1
            g.user = True

        @self.hooks.on_end
        async def record(record: SessionRecord) -> None:
            await asyncio.sleep(0)
            self.ended.append(record)

        mount_quart(self.app, self.hooks)

    def wait_ended(self, count: int = 1) -> list[SessionRecord]:
        deadline = time.monotonic() + _WAIT
        while len(self.ended) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.ended) >= count, f"{len(self.ended)} sessions ended, not {count}"
        return self.ended


@pytest.fixture
def agent() -> Iterator[tuple[QuartAgent, HypercornServer]]:
    agent = QuartAgent()
    server = HypercornServer(agent.app)
    try:
        yield agent, server
    finally:
        server.stop()


def signed(server: HypercornServer, kind: str, call_sid: str) -> tuple[str, str]:
    url = f"ws://127.0.0.1:{server.port}/twilio/{kind}/{call_sid}"
    return url, official(f"wss://127.0.0.1:{server.port}/twilio/{kind}/{call_sid}")


def test_async_agent_streams_a_model_answer(agent: tuple[QuartAgent, HypercornServer]) -> None:
    app, server = agent

    async def model(text: str) -> AsyncIterator[str]:
        for word in text.upper().split():
            await asyncio.sleep(0)
            yield word + " "

    @app.hooks.relay()
    async def assistant(session: Any) -> None:
        app.calls.append(dict(session.setup.custom_parameters))
        async for prompt in session.prompts():
            await session.say(model(prompt.text))

    call_sid = new_call_sid()
    url, signature = signed(server, "relay", call_sid)
    with RelayCaller(url, None, signature=signature, custom_parameters={"a": "b"}) as caller:
        caller.say("good morning")
        assert caller.answer() == "GOOD MORNING "
    (record,) = app.wait_ended()
    assert app.calls == [{"a": "b"}]
    assert record.call_sid == call_sid
    assert record.close_reason == "closed"
    assert app.before_websocket_ran == 1


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="unsigned"),
        pytest.param(official("wss://evil.example/twilio/relay/x"), id="other-url"),
        pytest.param(official("wss://127.0.0.1/twilio/relay/x", "wrong"), id="wrong-token"),
    ],
)
def test_bad_upgrade_refused_before_any_app_code(
    agent: tuple[QuartAgent, HypercornServer], signature: str | None
) -> None:
    app, server = agent

    @app.hooks.relay()
    async def never(session: Any) -> None:
        app.calls.append("ran")

    url = f"ws://127.0.0.1:{server.port}/twilio/relay/{new_call_sid()}"
    with pytest.raises(UpgradeRefused) as refused:
        RelayCaller(url, None, signature=signature).open()
    assert refused.value.status == 403
    assert app.calls == []
    assert app.before_websocket_ran == 0
    assert app.ended == []


def test_call_sid_mismatch_closed_1008(agent: tuple[QuartAgent, HypercornServer]) -> None:
    app, server = agent
    app.hooks.relay()(_recorder(app))
    url, signature = signed(server, "relay", new_call_sid())
    with RelayCaller(url, None, signature=signature, call_sid=new_call_sid()) as caller:
        assert caller.wait_closed().code == 1008
    (record,) = app.wait_ended()
    assert app.calls == []
    assert record.close_reason == "refused"


def _recorder(app: QuartAgent) -> Any:
    async def handler(session: Any) -> None:
        app.calls.append("ran")

    return handler


def test_interrupt_cancels_a_slow_stream(agent: tuple[QuartAgent, HypercornServer]) -> None:
    app, server = agent
    closed_generators: list[int] = []

    async def slow_model() -> AsyncIterator[str]:
        try:
            for i in range(100_000):
                await asyncio.sleep(0.002)
                yield f"t{i} "
        finally:
            closed_generators.append(1)

    @app.hooks.relay()
    async def talker(session: Any) -> None:
        async for _prompt in session.prompts():
            app.calls.append(await session.say(slow_model()))
            await session.say("sorry, go on")

    url, signature = signed(server, "relay", new_call_sid())
    with RelayCaller(url, None, signature=signature) as caller:
        caller.say("talk")
        assert caller.receive() is not None
        caller.interrupt("t0", 20)
        assert caller.answer().endswith("sorry, go on")
    app.wait_ended()
    assert app.calls == [False]
    assert closed_generators == [1]


def test_end_with_handoff_data(agent: tuple[QuartAgent, HypercornServer]) -> None:
    app, server = agent

    @app.hooks.relay()
    async def handoff(session: Any) -> None:
        async for message in session.events():
            if type(message).__name__ == "Dtmf":
                await session.end("transfer:" + message.digit)

    url, signature = signed(server, "relay", new_call_sid())
    with RelayCaller(url, None, signature=signature) as caller:
        caller.press("0")
        assert caller.receive() == {"type": "end", "handoffData": "transfer:0"}
    (record,) = app.wait_ended()
    assert record.close_reason == "end"
    assert record.handoff_data == "transfer:0"


def test_one_socket_per_call(agent: tuple[QuartAgent, HypercornServer]) -> None:
    app, server = agent

    @app.hooks.stream()
    async def hold(stream: Any) -> None:
        app.calls.append("ran")
        async for _audio in stream.audio():
            pass

    url, signature = signed(server, "stream", new_call_sid())
    with StreamCaller(url, None, signature=signature) as caller:
        caller.send_audio(b"\xff" * 160)
        deadline = time.monotonic() + _WAIT
        while not app.calls and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(UpgradeRefused) as refused:
            StreamCaller(url, None, signature=signature).open()
        assert refused.value.status == 409
        caller.stop()
        caller.wait_closed()
    (record,) = app.wait_ended()
    assert record.close_reason == "stop"
    assert app.calls == ["ran"]


def test_stream_echo(agent: tuple[QuartAgent, HypercornServer]) -> None:
    app, server = agent

    @app.hooks.stream()
    async def echo(stream: Any) -> None:
        app.calls.append(stream.start.custom_parameters)
        async for audio in stream.audio():
            await stream.send_audio(audio)
        await stream.mark("bye")

    url, signature = signed(server, "stream", new_call_sid())
    with StreamCaller(url, None, signature=signature, custom_parameters={"x": "1"}) as caller:
        for i in range(10):
            caller.send_audio(bytes([i]) * 160)
            assert caller.audio() == bytes([i]) * 160
        caller.stop()
        assert caller.receive() == {
            "event": "mark",
            "streamSid": caller.stream_sid,
            "mark": {"name": "bye"},
        }
    app.wait_ended()
    assert app.calls == [{"x": "1"}]


def test_draining_cancels_with_teardown(agent: tuple[QuartAgent, HypercornServer]) -> None:
    app, server = agent
    teardown: list[str] = []

    @app.hooks.relay()
    async def forever(session: Any) -> None:
        try:
            async for prompt in session.prompts():
                await session.say(prompt.text)
        finally:
            teardown.append(session.call_sid)

    sid = new_call_sid()
    url, signature = signed(server, "relay", sid)
    with RelayCaller(url, None, signature=signature) as caller:
        caller.say("hi")
        assert caller.answer() == "hi"
        cancelled = server.call(app.hooks.registry.drain_async(grace=0.2))
        assert cancelled == 1
        caller.wait_closed()
        with pytest.raises(UpgradeRefused) as refused:
            RelayCaller(*signed(server, "relay", new_call_sid())[:1], None).open()
        assert refused.value.status in (403, 503)
    (record,) = app.wait_ended()
    assert teardown == [sid]
    assert record.close_reason == "shutdown"


def test_sync_handler_on_quart_is_a_handler_error(
    agent: tuple[QuartAgent, HypercornServer],
) -> None:
    app, server = agent
    errors: list[BaseException] = []

    @app.app.errorhandler(HandlerError)
    async def seen(error: HandlerError) -> tuple[str, int]:
        errors.append(error)
        return "misconfigured", 500

    app.hooks.relay()(lambda session: None)
    url, signature = signed(server, "relay", new_call_sid())
    with pytest.raises(UpgradeRefused) as refused:
        RelayCaller(url, None, signature=signature).open()
    assert refused.value.status == 500
    assert "async def" in str(errors[0])


def test_interrupt_cancels_a_model_stuck_on_its_next_token(
    agent: tuple[QuartAgent, HypercornServer],
) -> None:
    app, server = agent
    cancelled: list[str] = []

    async def stuck_model() -> AsyncIterator[str]:
        yield "Let me think "
        try:
            await asyncio.sleep(30)  # a model that takes its time
            yield "never sent"
        except asyncio.CancelledError:
            cancelled.append("model cancelled")
            raise

    @app.hooks.relay()
    async def talker(session: Any) -> None:
        async for _prompt in session.prompts():
            started = time.monotonic()
            app.calls.append(await session.say(stuck_model()))
            app.calls.append(time.monotonic() - started < 5)
            await session.say("Yes?")

    url, signature = signed(server, "relay", new_call_sid())
    with RelayCaller(url, None, signature=signature) as caller:
        caller.say("question")
        assert caller.receive() == {"type": "text", "token": "Let me think ", "last": False}
        caller.interrupt("Let me", 100)
        assert caller.answer() == "Yes?"
    app.wait_ended()
    assert app.calls == [False, True]
    assert cancelled == ["model cancelled"]


def test_server_shutdown_ends_live_sessions_with_their_teardown() -> None:
    app = QuartAgent()
    teardown: list[str] = []

    @app.hooks.relay()
    async def agent(session: Any) -> None:
        try:
            async for prompt in session.prompts():
                await session.say(prompt.text)
        finally:
            teardown.append(session.call_sid)

    server = HypercornServer(app.app, graceful_timeout=0.5)
    sid = new_call_sid()
    url, signature = signed(server, "relay", sid)
    caller = RelayCaller(url, None, signature=signature)
    with caller:
        caller.say("hi")
        assert caller.answer() == "hi"
        started = time.monotonic()
        # The live call gets Hypercorn's graceful timeout, then Hypercorn closes its
        # socket: the handler's loop ends as on a hang-up, its teardown runs.
        server.stop()
        assert time.monotonic() - started < 10
    (record,) = app.wait_ended()
    assert teardown == [sid]
    assert record.close_reason == "closed"
    assert len(app.hooks.registry) == 0
