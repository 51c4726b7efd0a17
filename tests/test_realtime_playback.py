"""Barge-in by what the caller heard: :class:`~twhooks.realtime.playback.Playback` alone, and
``stream.barge_in()`` over real servers (flask-sock on werkzeug, Quart on Hypercorn) with
Twilio's side played by :class:`~twhooks.realtime.testing.StreamCaller`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from _hypercorn import HypercornServer
from _servers import LiveServer
from _signing import TOKEN
from flask import Flask
from quart import Quart
from twilio.request_validator import RequestValidator

from twhooks.flask.sockets import mount_flask
from twhooks.quart.sockets import mount_quart
from twhooks.realtime.handlers import RealtimeHandlers
from twhooks.realtime.playback import Heard, Playback
from twhooks.realtime.testing import StreamCaller, new_call_sid

FRAME = b"\xff" * 160  # 20 ms
WORDS = ["one ", "two ", "three ", "four ", "five "]


def test_played_ms_follows_the_marks_echoed_not_the_audio_sent() -> None:
    playback = Playback()
    names = []
    for word in WORDS:
        playback.sent(FRAME, word)
        names.append(playback.mark())
    assert (playback.sent_ms, playback.played_ms, playback.pending_marks) == (100, 0, 5)
    assert playback.heard() == Heard(0, "", 100)
    playback.echoed(names[1])  # echoes come in order; a skipped one changes nothing
    playback.echoed(names[0])
    assert playback.played_ms == 40
    assert playback.heard() == Heard(40, "one two ", 100)
    assert playback.heard().interrupted


def test_a_clear_starts_over_and_late_echoes_move_nothing() -> None:
    playback = Playback()
    playback.sent(FRAME * 2, "Hello there")
    first = playback.mark()
    playback.sent(FRAME, "how are you")
    late = playback.mark()
    playback.echoed(first)
    assert playback.cleared() == Heard(40, "Hello there", 60)
    playback.echoed(late)  # Twilio echoes the marks a clear dropped
    assert playback.heard() == Heard(0, "", 0)
    playback.sent(FRAME, "Sure")
    playback.echoed(playback.mark())
    assert playback.heard() == Heard(20, "Sure", 20)
    assert not playback.heard().interrupted


def test_audio_without_text_counts_time_only() -> None:
    playback = Playback()
    playback.sent(FRAME)
    playback.sent(FRAME, "words")
    playback.echoed(playback.mark("end"))
    assert playback.heard() == Heard(40, "words", 40)


class Streams:
    """A stream handler that speaks WORDS on DTMF 1, barges in on DTMF 2 and notes what was
    heard, and the played time once the stream stops."""

    def __init__(self, framework: str, start: Callable[[Any], Any]) -> None:
        self.hooks = RealtimeHandlers()
        self.heard: list[Heard] = []
        self.after_stop: list[int] = []
        if framework == "flask":
            app: Any = Flask(__name__)

            @self.hooks.stream()
            def talk(stream: Any) -> None:
                for message in stream.events():
                    digit = getattr(message, "digit", None)
                    if digit == "1":
                        for word in WORDS:
                            stream.send_audio(FRAME, text=word)
                            stream.mark()
                    elif digit == "2":
                        self.heard.append(stream.barge_in())
                self.after_stop.append(stream.played_ms)

            mount: Any = mount_flask
        else:
            app = Quart(__name__)

            @self.hooks.stream()
            async def atalk(stream: Any) -> None:
                async for message in stream.events():
                    digit = getattr(message, "digit", None)
                    if digit == "1":
                        for word in WORDS:
                            await stream.send_audio(FRAME, text=word)
                            await stream.mark()
                    elif digit == "2":
                        self.heard.append(await stream.barge_in())
                self.after_stop.append(stream.played_ms)

            mount = mount_quart
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        mount(app, self.hooks)
        self.server = start(app)

    def caller(self) -> StreamCaller:
        path = f"/twilio/stream/{new_call_sid()}"
        signed = f"wss://127.0.0.1:{self.server.port}{path}"
        signature = str(RequestValidator(TOKEN).compute_signature(signed, {}))
        return StreamCaller(f"ws://127.0.0.1:{self.server.port}{path}", None, signature=signature)


@pytest.fixture(params=["flask", "quart"])
def streams(
    request: pytest.FixtureRequest,
    live_server: Callable[[Any], LiveServer],
    serve: Callable[[Any], HypercornServer],
) -> Streams:
    return Streams(request.param, live_server if request.param == "flask" else serve)


def test_barge_in_clears_and_says_what_was_heard(streams: Streams) -> None:
    with streams.caller() as caller:
        caller.press("1")
        sent = [caller.receive() for _ in range(2 * len(WORDS))]
        marks = [m["mark"]["name"] for m in sent if m and m["event"] == "mark"]
        assert len(marks) == len(WORDS)
        # Twilio played two words, then the caller spoke over the third.
        caller.played(marks[0])
        caller.played(marks[1])
        caller.press("2")
        assert caller.receive() == {"event": "clear", "streamSid": caller.stream_sid}
        for name in marks[2:]:  # the marks the clear dropped, echoed late
            caller.played(name)
        caller.stop()
        caller.wait_closed()
    deadline = time.monotonic() + 5
    while not streams.after_stop and time.monotonic() < deadline:
        time.sleep(0.01)
    assert streams.heard == [Heard(ms=40, text="one two ", sent_ms=100)]
    assert streams.after_stop == [0]  # late echoes moved nothing
