"""ConversationRelay and Media Streams sessions in a Flask app (flask-sock), over a real
threaded werkzeug server on 127.0.0.1 with a real WebSocket client (websockets)."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _servers import LiveServer
from _signing import TOKEN
from flask import Flask, g
from twilio.request_validator import RequestValidator

from twhooks.flask.sockets import mount_flask
from twhooks.realtime.errors import SessionClosed, UpgradeRefused
from twhooks.realtime.handlers import RealtimeHandlers
from twhooks.realtime.lifecycle import SessionRecord
from twhooks.realtime.testing import RelayCaller, StreamCaller, new_call_sid

_WAIT = 5.0


def official(url: str, token: str = TOKEN) -> str:
    """The upgrade's signature, computed by the official SDK (a GET: no parameters)."""
    return str(RequestValidator(token).compute_signature(url, {}))


class Agent:
    """A Flask app with a relay and a stream handler, and what they saw."""

    def __init__(self, public_url: str | None = None) -> None:
        self.app = Flask(__name__)
        self.app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        if public_url:
            self.app.config["TWHOOKS_PUBLIC_URL"] = public_url
        self.hooks = RealtimeHandlers()
        self.calls: list[str] = []
        self.ended: list[SessionRecord] = []
        self.before_request_ran = 0
        self.ended_event = threading.Event()

        @self.app.before_request
        def user_code() -> None:
            self.before_request_ran += 1
            g.user_code = True

        @self.hooks.on_end
        def record(record: SessionRecord) -> None:
            self.ended.append(record)
            self.ended_event.set()

        mount_flask(self.app, self.hooks)

    def wait_ended(self, count: int = 1) -> list[SessionRecord]:
        deadline = time.monotonic() + _WAIT
        while len(self.ended) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.ended) >= count, f"{len(self.ended)} sessions ended, not {count}"
        return self.ended


@pytest.fixture
def agent(live_server: Callable[[Any], LiveServer]) -> Iterator[tuple[Agent, LiveServer]]:
    agent = Agent()
    yield agent, live_server(agent.app)


def relay_url(server: LiveServer, call_sid: str) -> str:
    return f"ws://127.0.0.1:{server.port}/twilio/relay/{call_sid}"


def signed(server: LiveServer, kind: str, call_sid: str) -> tuple[str, str]:
    url = f"ws://127.0.0.1:{server.port}/twilio/{kind}/{call_sid}"
    return url, official(f"wss://127.0.0.1:{server.port}/twilio/{kind}/{call_sid}")


def test_signed_relay_session_streams_tokens(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent

    @app.hooks.relay()
    def echo(session: Any) -> None:
        app.calls.append(session.setup.custom_parameters["customer"])
        for prompt in session.prompts():
            session.say(word + " " for word in prompt.text.split())

    call_sid = new_call_sid()
    url, signature = signed(server, "relay", call_sid)
    with RelayCaller(
        url, None, signature=signature, custom_parameters={"customer": "42"}
    ) as caller:
        caller.say("hello there agent")
        assert caller.answer() == "hello there agent "
        caller.say("again")
        assert caller.answer() == "again "
    (record,) = app.wait_ended()
    assert app.calls == ["42"]
    assert record.call_sid == call_sid
    assert record.kind == "relay"
    assert record.close_reason == "closed"  # the caller hung up
    assert record.sent == 6  # 3 + 1 tokens, and a "last" frame after each answer
    assert record.received == 3  # setup + 2 prompts


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="unsigned"),
        pytest.param(
            {"signature": official("wss://elsewhere.example/twilio/relay/x")}, id="other-url"
        ),
        pytest.param({"signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}, id="garbage"),
        pytest.param({"token": "not-the-token"}, id="wrong-token"),
    ],
)
def test_bad_signature_refused_before_socket_and_user_code(
    agent: tuple[Agent, LiveServer], headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    app, server = agent

    @app.hooks.relay()
    def never(session: Any) -> None:
        app.calls.append("ran")

    call_sid = new_call_sid()
    options: dict[str, Any] = {}
    if "signature" in headers:
        options["signature"] = headers["signature"]
    token = headers.get("token")
    with (
        caplog.at_level(logging.WARNING, "twhooks.realtime"),
        pytest.raises(UpgradeRefused) as refused,
    ):
        RelayCaller(relay_url(server, call_sid), token, **options).open()
    assert refused.value.status == 403
    assert app.calls == []
    assert app.before_request_ran == 0
    assert app.ended == []
    assert "Refused relay WebSocket" in caplog.text


def test_url_without_call_sid_refused(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent
    app.hooks.relay()(lambda session: app.calls.append("ran"))
    url = f"ws://127.0.0.1:{server.port}/twilio/relay/support"
    with pytest.raises(UpgradeRefused) as refused:
        RelayCaller(url, None, signature=official(url.replace("ws://", "wss://"))).open()
    assert refused.value.status == 403
    assert app.calls == []


def test_call_sid_mismatch_closes_before_handler(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent
    app.hooks.relay()(lambda session: app.calls.append("ran"))
    call_sid = new_call_sid()
    url, signature = signed(server, "relay", call_sid)
    with RelayCaller(url, None, signature=signature, call_sid=new_call_sid()) as caller:
        closed = caller.wait_closed()
    assert closed.code == 1008
    (record,) = app.wait_ended()
    assert app.calls == []
    assert record.close_reason == "refused"
    assert any("not the signed one" in e for e in record.errors)


def test_second_socket_for_a_live_call_refused(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent
    release = threading.Event()

    @app.hooks.relay()
    def hold(session: Any) -> None:
        app.calls.append("ran")
        release.wait(_WAIT)

    call_sid = new_call_sid()
    url, signature = signed(server, "relay", call_sid)
    with RelayCaller(url, None, signature=signature):
        deadline = time.monotonic() + _WAIT
        while not app.calls and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(UpgradeRefused) as refused:
            RelayCaller(url, None, signature=signature).open()
        assert refused.value.status == 409
        release.set()
    app.wait_ended()
    assert app.calls == ["ran"]
    # Once the first session ended, the call may connect again.
    with RelayCaller(url, None, signature=signature):
        pass
    app.wait_ended(2)


def test_interruption_stops_the_answer(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent
    outcome: list[bool] = []
    generator_closed = threading.Event()

    @app.hooks.relay()
    def talker(session: Any) -> None:
        def tokens() -> Iterator[str]:
            try:
                for i in range(10_000):
                    time.sleep(0.002)
                    yield f"t{i} "
            finally:
                generator_closed.set()

        for _prompt in session.prompts():
            outcome.append(session.say(tokens()))
            app.calls.append(session.last_interrupt.utterance)
            session.say("ok")

    url, signature = signed(server, "relay", new_call_sid())
    with RelayCaller(url, None, signature=signature) as caller:
        caller.say("tell me everything")
        first = caller.receive()
        assert first is not None and first["token"] == "t0 "
        caller.interrupt("t0", 40)
        # Tokens already in flight may still arrive; then "ok" ends the next answer.
        assert caller.answer().endswith("ok")
    app.wait_ended()
    assert outcome == [False]
    assert generator_closed.is_set()
    assert app.calls == ["t0"]
    sent_tokens = [m for m in caller.received if m.get("type") == "text"]
    assert len(sent_tokens) < 1000
    assert not any(m.get("last") for m in sent_tokens[:-1])


def test_end_with_handoff_data(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent

    @app.hooks.relay()
    def transfer(session: Any) -> None:
        session.play("https://example.com/hold.mp3", loop=2)
        session.send_digits("12#")
        session.language(tts="fr-FR", transcription="fr-FR")
        for prompt in session.prompts():
            session.end({"reason": "agent", "said": prompt.text})

    url, signature = signed(server, "relay", new_call_sid())
    with RelayCaller(url, None, signature=signature) as caller:
        caller.say("a human please")
        messages = [caller.receive() for _ in range(4)]
    assert [m and m["type"] for m in messages] == ["play", "sendDigits", "language", "end"]
    assert messages[0] == {"type": "play", "source": "https://example.com/hold.mp3", "loop": 2}
    assert messages[1] == {"type": "sendDigits", "digits": "12#"}
    assert messages[2] == {
        "type": "language",
        "ttsLanguage": "fr-FR",
        "transcriptionLanguage": "fr-FR",
    }
    assert messages[3] == {
        "type": "end",
        "handoffData": '{"reason":"agent","said":"a human please"}',
    }
    (record,) = app.wait_ended()
    assert record.close_reason == "end"
    assert record.handoff_data == '{"reason":"agent","said":"a human please"}'
    assert app.hooks.registry.store.get(record.call_sid) == record


def test_handler_error_recorded_and_closed_1011(
    agent: tuple[Agent, LiveServer], caplog: pytest.LogCaptureFixture
) -> None:
    app, server = agent

    @app.hooks.relay()
    def broken(session: Any) -> None:
        raise RuntimeError("model unavailable")

    url, signature = signed(server, "relay", new_call_sid())
    with (
        caplog.at_level(logging.ERROR, "twhooks.realtime"),
        RelayCaller(url, None, signature=signature) as caller,
    ):
        closed = caller.wait_closed()
    assert closed.code == 1011
    (record,) = app.wait_ended()
    assert record.close_reason == "error"
    assert record.errors == ["handler: RuntimeError: model unavailable"]
    assert "relay handler failed" in caplog.text


def test_public_url_is_what_is_signed(live_server: Callable[[Any], LiveServer]) -> None:
    app = Agent(public_url="https://voice.example.com")
    server = live_server(app.app)
    app.hooks.relay()(lambda session: app.calls.append(session.call_sid))
    call_sid = new_call_sid()
    url = relay_url(server, call_sid)
    with pytest.raises(UpgradeRefused):
        # Signed over the local URL: not what Twilio signs behind the public one.
        RelayCaller(url, None, signature=signed(server, "relay", call_sid)[1]).open()
    public = official(f"wss://voice.example.com/twilio/relay/{call_sid}")
    with RelayCaller(url, None, signature=public):
        pass
    app.wait_ended()
    assert app.calls == [call_sid]


def test_media_stream_echo_marks_and_clear(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent
    seen: list[Any] = []

    @app.hooks.stream()
    def echo(stream: Any) -> None:
        seen.append((stream.start.custom_parameters, stream.start.media_format))
        for message in stream.events():
            kind = type(message).__name__
            if kind == "Media":
                stream.send_audio(message.payload[::-1])
            elif kind == "Dtmf":
                stream.clear()
                stream.mark(f"after-{message.digit}")
            seen.append(kind)

    call_sid = new_call_sid()
    url, signature = signed(server, "stream", call_sid)
    frame = bytes(range(160))
    with StreamCaller(url, None, signature=signature, custom_parameters={"lang": "fr"}) as caller:
        for _ in range(5):
            caller.send_audio(frame)
            assert caller.audio() == frame[::-1]
        caller.press("5")
        assert caller.receive() == {"event": "clear", "streamSid": caller.stream_sid}
        assert caller.receive() == {
            "event": "mark",
            "streamSid": caller.stream_sid,
            "mark": {"name": "after-5"},
        }
        caller.played("after-5")
        caller.stop()
        caller.wait_closed()
    (record,) = app.wait_ended()
    params, media_format = seen[0]
    assert params == {"lang": "fr"}
    assert (media_format.encoding, media_format.sample_rate, media_format.channels) == (
        "audio/x-mulaw",
        8000,
        1,
    )
    assert seen[1:] == ["Media"] * 5 + ["Dtmf", "Mark", "Stop"]
    assert record.close_reason == "stop"
    assert record.kind == "stream"


def test_stream_start_for_another_call_refused(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent
    app.hooks.stream()(lambda stream: app.calls.append("ran"))
    url, signature = signed(server, "stream", new_call_sid())
    with StreamCaller(url, None, signature=signature, call_sid=new_call_sid()) as caller:
        assert caller.wait_closed().code == 1008
    app.wait_ended()
    assert app.calls == []


def test_no_handler_is_404(agent: tuple[Agent, LiveServer]) -> None:
    _app, server = agent
    url, signature = signed(server, "stream", new_call_sid())
    with pytest.raises(UpgradeRefused) as refused:
        StreamCaller(url, None, signature=signature).open()
    assert refused.value.status == 404


def test_drain_lets_calls_finish_then_cancels_with_teardown(
    agent: tuple[Agent, LiveServer],
) -> None:
    app, server = agent
    teardown: list[str] = []
    started = threading.Barrier(3, timeout=_WAIT)

    @app.hooks.relay()
    def long_call(session: Any) -> None:
        started.wait()
        try:
            for prompt in session.prompts():
                session.say(prompt.text)
        finally:
            teardown.append(session.call_sid)

    sids = [new_call_sid(), new_call_sid()]
    callers = []
    for sid in sids:
        url, signature = signed(server, "relay", sid)
        callers.append(RelayCaller(url, None, signature=signature).__enter__())
    started.wait()
    # The first call hangs up within the grace period; the second does not.
    threading.Timer(0.1, callers[0].close).start()
    drained: list[int] = []
    drainer = threading.Thread(target=lambda: drained.append(app.hooks.drain(grace=0.6)))
    drainer.start()
    time.sleep(0.2)
    with pytest.raises(UpgradeRefused) as refused:  # draining: no new sockets
        url, signature = signed(server, "relay", new_call_sid())
        RelayCaller(url, None, signature=signature).open()
    assert refused.value.status == 503
    drainer.join(_WAIT)
    assert drained == [1]
    assert callers[1].wait_closed().code == 1001
    records = {r.call_sid: r for r in app.wait_ended(2)}
    assert sorted(teardown) == sorted(sids)
    assert records[sids[0]].close_reason == "closed"
    assert records[sids[1]].close_reason == "shutdown"


def test_session_closed_after_hangup_raises_for_receive(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent
    errors: list[BaseException] = []

    @app.hooks.relay()
    def waits(session: Any) -> None:
        try:
            session.receive(timeout=_WAIT)
        except SessionClosed as closed:
            errors.append(closed)

    url, signature = signed(server, "relay", new_call_sid())
    with RelayCaller(url, None, signature=signature):
        pass
    app.wait_ended()
    assert len(errors) == 1


def test_stream_frame_is_decoded_bytes(agent: tuple[Agent, LiveServer]) -> None:
    app, server = agent
    got: list[bytes] = []

    @app.hooks.stream()
    def collect(stream: Any) -> None:
        got.extend(stream.audio())

    url, signature = signed(server, "stream", new_call_sid())
    audio = [bytes([i]) * 160 for i in range(3)]
    with StreamCaller(url, None, signature=signature) as caller:
        for chunk in audio:
            caller.send_audio(chunk)
        caller.send({"event": "media", "media": {"payload": "not base64!"}})
        caller.stop()
        caller.wait_closed()
    (record,) = app.wait_ended()
    assert got == audio
    assert record.errors == ["protocol: a media payload that is not base64"]
    assert base64.b64encode(got[1]) == base64.b64encode(b"\x01" * 160)
