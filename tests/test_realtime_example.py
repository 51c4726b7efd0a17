"""The example voice agent (example_app/agent.py) on a real threaded server: the TwiML that
starts it, a streamed canned reply, an interruption, and the handoff to a person."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from _servers import LiveServer
from _signing import TOKEN, official_signature
from flask import Flask
from test_realtime_cli import VoiceHooks

import example_app.agent as agent_module
from twhooks.realtime.testing import RelayCaller

CALL_SID = "CA" + "5" * 32
CALL = {
    "AccountSid": "AC" + "1" * 32,
    "CallSid": CALL_SID,
    "From": "+14155550100",
    "To": "+14155550199",
    "CallStatus": "in-progress",
    "Direction": "inbound",
}


@pytest.fixture
def agent(
    live_server: Callable[[Any], LiveServer], monkeypatch: pytest.MonkeyPatch
) -> tuple[VoiceHooks, LiveServer]:
    monkeypatch.setattr(agent_module, "WORD_DELAY", 0.005)
    app = Flask(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    hooks = VoiceHooks(app)
    agent_module.register(hooks)
    return hooks, live_server(app)


def post(server: LiveServer, path: str, params: dict[str, str]) -> requests.Response:
    url = server.url + path
    return requests.post(
        url,
        data=params,
        headers={"X-Twilio-Signature": official_signature(url, params)},
        timeout=10,
    )


def test_the_agent_from_twiml_to_handoff(agent: tuple[VoiceHooks, LiveServer]) -> None:
    hooks, server = agent
    twiml = post(server, "/twilio/voice/agent", CALL)
    assert twiml.status_code == 200
    url = re.search(r'<ConversationRelay url="([^"]+)"', twiml.text)
    assert url is not None
    assert url.group(1) == f"wss://127.0.0.1:{server.port}/twilio/relay/{CALL_SID}"
    assert 'action="/twilio/voice/agent_done"' in twiml.text
    assert '<Parameter name="line" value="support"' in twiml.text

    connect_to = url.group(1).replace("wss://", "ws://")
    # Twilio sends the TwiML's <Parameter>s in setup.
    with RelayCaller(connect_to, TOKEN, custom_parameters={"line": "support"}) as caller:
        caller.say("When are you open?")
        answer = caller.answer()
        assert answer.startswith("You asked: When are you open. We are open nine to five")
        caller.say("Tell me more")
        assert caller.receive() is not None  # the first words stream in
        caller.interrupt("You asked", 300)
        caller.say("A human please")
        while (message := caller.receive()) is not None and message["type"] != "end":
            pass
    assert message == {
        "type": "end",
        "handoffData": '{"reason":"caller asked for a human","said":"A human please"}',
    }
    deadline = time.monotonic() + 5
    while (record := hooks.realtime.registry.store.get(CALL_SID)) is None or record.live:
        assert time.monotonic() < deadline, "the session did not end"
        time.sleep(0.01)
    assert record.data == {"line": "support"}
    assert record.close_reason == "end"

    after = post(server, "/twilio/voice/agent_done", dict(CALL, HandoffData=message["handoffData"]))
    assert "<Dial>+14155550123</Dial>" in after.text
