"""A call's warm-up starts while its TwiML is answered and is handed to its session, on
Flask (a real threaded werkzeug server) and Quart (Hypercorn): a signed call webhook, then
the socket its TwiML points at."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from _hypercorn import HypercornServer
from _servers import LiveServer
from _signing import TOKEN, official_signature
from flask import Flask
from quart import Quart

from twhooks.flask import TwilioHooks as FlaskHooks
from twhooks.quart import TwilioHooks as QuartHooks
from twhooks.realtime import connect_relay
from twhooks.realtime.testing import RelayCaller, new_call_sid
from twhooks.realtime.warmup import WarmUps

WARM_UP = 0.3  # seconds: the model connection being opened


class Agent:
    """A call webhook that prepares the session, a warm-up that takes WARM_UP seconds, and a
    relay handler that says what it got from ``session.warm()`` and how long it waited."""

    def __init__(self, framework: str, start: Callable[[Any], Any]) -> None:
        self.started: list[tuple[str, float]] = []
        self.waited: list[float] = []
        if framework == "flask":
            app: Any = Flask(__name__)
            app.config["TWILIO_AUTH_TOKEN"] = TOKEN
            hooks: Any = FlaskHooks(app)

            @hooks.session_warm_up
            def connect_model(call_sid: str) -> str:
                self.started.append((call_sid, time.monotonic()))
                time.sleep(WARM_UP)
                return f"model for {call_sid}"

            @hooks.call()
            def incoming(call: Any) -> Any:
                hooks.prepare_session(call.sid)
                return connect_relay(call.sid, f"https://127.0.0.1:{self.server.port}")

            @hooks.relay()
            def agent(session: Any) -> None:
                began = time.monotonic()
                model = session.warm()
                self.waited.append(time.monotonic() - began)
                for _prompt in session.prompts():
                    session.say(model)

        else:
            app = Quart(__name__)
            app.config["TWILIO_AUTH_TOKEN"] = TOKEN
            hooks = QuartHooks(app)

            @hooks.session_warm_up
            async def aconnect_model(call_sid: str) -> str:
                self.started.append((call_sid, time.monotonic()))
                await asyncio.sleep(WARM_UP)
                return f"model for {call_sid}"

            @hooks.call()
            async def aincoming(call: Any) -> Any:
                hooks.prepare_session(call.sid)
                return connect_relay(call.sid, f"https://127.0.0.1:{self.server.port}")

            @hooks.relay()
            async def aagent(session: Any) -> None:
                began = time.monotonic()
                model = await session.warm()
                self.waited.append(time.monotonic() - began)
                async for _prompt in session.prompts():
                    await session.say(model)

        self.hooks = hooks
        self.server = start(app)

    def call(self, call_sid: str) -> str:
        """POST the signed call webhook; the wss:// URL of its TwiML."""
        url = f"{self.server.url}/twilio/voice"
        params = {
            "AccountSid": "AC" + "1" * 32,
            "CallSid": call_sid,
            "From": "+14155550100",
            "To": "+14155550199",
            "CallStatus": "ringing",
            "Direction": "inbound",
        }
        reply = requests.post(
            url,
            data=params,
            headers={"X-Twilio-Signature": official_signature(url, params)},
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
        found = re.search(r'<ConversationRelay url="([^"]+)"', reply.text)
        assert found is not None, reply.text
        return found.group(1)


@pytest.fixture(params=["flask", "quart"])
def agent(
    request: pytest.FixtureRequest,
    live_server: Callable[[Any], LiveServer],
    serve: Callable[[Any], HypercornServer],
) -> Agent:
    return Agent(request.param, live_server if request.param == "flask" else serve)


def test_warm_up_starts_with_the_twiml_and_is_handed_to_the_session(agent: Agent) -> None:
    call_sid = new_call_sid()
    answered = time.monotonic()
    wss = agent.call(call_sid)
    assert [sid for sid, _ in agent.started] == [call_sid]  # started by the webhook
    time.sleep(WARM_UP)  # Twilio fetching the TwiML, greeting the caller
    with RelayCaller(wss.replace("wss://", "ws://"), TOKEN) as caller:
        caller.say("hello")
        assert caller.answer() == f"model for {call_sid}"
    assert agent.started[0][1] - answered < WARM_UP  # before the socket opened
    assert agent.waited[0] < WARM_UP / 2  # the session did not wait for a cold start
    assert len(agent.started) == 1  # run once


def test_a_socket_without_a_warm_up_here_runs_it_then(agent: Agent) -> None:
    # The webhook went to another worker or host: the session runs the hook itself.
    call_sid = new_call_sid()
    url = f"ws://127.0.0.1:{agent.server.port}/twilio/relay/{call_sid}"
    with RelayCaller(url, TOKEN) as caller:
        caller.say("hello")
        assert caller.answer() == f"model for {call_sid}"
    assert [sid for sid, _ in agent.started] == [call_sid]
    assert agent.waited[0] >= WARM_UP * 0.9


def test_warm_ups_nobody_takes_are_dropped() -> None:
    warm_ups = WarmUps(ttl=0.05)
    warm_ups.register(lambda sid: sid)
    assert warm_ups.start("CA1")
    assert not warm_ups.start("CA1")  # under way: not twice
    time.sleep(0.1)
    assert warm_ups.start("CA2")  # sweeps CA1, expired
    assert warm_ups.take("CA1") is None
    held = warm_ups.take("CA2")
    assert held is not None and held.result(2) == "CA2"


def test_no_hook_no_warm_up() -> None:
    warm_ups = WarmUps()
    assert not warm_ups.start("CA1")
    with pytest.raises(LookupError, match="session_warm_up"):
        warm_ups.result("CA1")
