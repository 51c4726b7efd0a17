"""``twhooks relay`` and ``twhooks stream`` against a Flask app on a real threaded server, and
the Flask extension that composes the voice sockets."""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _servers import LiveServer
from _signing import TOKEN
from flask import Flask

from twhooks import TwilioHooks
from twhooks.cli.voice import add_cli_commands, run
from twhooks.exceptions import ConfigurationError
from twhooks.realtime import audio
from twhooks.realtime.handlers import RealtimeHandlers
from twhooks.realtime.testing import RelayCaller, new_call_sid

# The Flask extension composes the voice sockets itself.
VoiceHooks: Any = TwilioHooks


def parse(*argv: str) -> argparse.Namespace:
    """The ``twhooks`` parser's shape: a common parent with the token options."""
    parser = argparse.ArgumentParser(prog="twhooks")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--auth-token")
    common.add_argument("--public-url")
    common.add_argument("--unsigned", action="store_true")
    common.add_argument("--timeout", type=float, default=15.0)
    add_cli_commands(parser.add_subparsers(dest="command", required=True), common)
    return parser.parse_args(argv)


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return False


def run_command(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    args = parse(*argv)
    out, err = io.StringIO(), io.StringIO()
    status = run(args, TOKEN, TTY(stdin), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def app_server(live_server: Callable[[Any], LiveServer]) -> tuple[VoiceHooks, LiveServer]:
    app = Flask(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    hooks = VoiceHooks(app)

    @hooks.relay()
    def agent(session: Any) -> None:
        for message in session.events():
            kind = type(message).__name__
            if kind == "Prompt":
                session.say(iter(["You ", "said ", message.text, "."]))
            elif kind == "Dtmf":
                session.end(f"pressed {message.digit}")

    @hooks.stream()
    def echo(stream: Any) -> None:
        for chunk in stream.audio():
            stream.send_audio(chunk)
        stream.mark("done")

    @hooks.message()
    def sms(msg: Any) -> str:
        return "webhooks still work"

    return hooks, live_server(app)


def test_relay_command_scripted(app_server: tuple[VoiceHooks, LiveServer]) -> None:
    _hooks, server = app_server
    url = f"ws://127.0.0.1:{server.port}/twilio/relay/{new_call_sid()}"
    status, out, err = run_command(["relay", url], "hello\nhow are you\n/press 7\n")
    assert err == ""
    assert "agent: You said hello.\n" in out
    assert "agent: You said how are you.\n" in out
    assert "[end] handoffData: pressed 7" in out
    assert status == 0


def test_relay_command_refused_with_wrong_token(app_server: tuple[VoiceHooks, LiveServer]) -> None:
    _hooks, server = app_server
    args = parse("relay", f"ws://127.0.0.1:{server.port}/twilio/relay/{new_call_sid()}")
    out, err = io.StringIO(), io.StringIO()
    assert run(args, "wrong-token", TTY("hi\n"), out, err) == 1
    assert "refused the WebSocket: the app answered HTTP 403" in err.getvalue()


def test_stream_command_plays_and_saves(
    app_server: tuple[VoiceHooks, LiveServer], tmp_path: Path
) -> None:
    _hooks, server = app_server
    sent = bytes(range(256)) * 10  # 0.32 s
    play, save = tmp_path / "in.wav", tmp_path / "out.wav"
    audio.write_wav(play, sent)
    url = f"ws://127.0.0.1:{server.port}/twilio/stream/{new_call_sid()}"
    started = time.monotonic()
    status, out, err = run_command(
        ["stream", url, "--play", str(play), "--save", str(save), "--linger", "0.3"]
    )
    elapsed = time.monotonic() - started
    assert (status, err) == (0, "")
    assert elapsed >= 0.3  # sent at real-time pace
    assert audio.ulaw_to_pcm16(audio.read_wav(save)) == audio.ulaw_to_pcm16(sent)
    assert "received 0.32 s of audio" in out


def test_extension_serves_webhooks_and_sockets(app_server: tuple[VoiceHooks, LiveServer]) -> None:
    hooks, server = app_server
    url = f"ws://127.0.0.1:{server.port}/twilio/relay/{new_call_sid()}"
    with RelayCaller(url, TOKEN) as caller:
        caller.say("x")
        assert caller.answer() == "You said x."
    deadline = time.monotonic() + 5
    while len(hooks.realtime.registry) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(hooks.realtime.registry) == 0


def test_without_flask_sock_registering_says_what_to_install() -> None:
    handlers = RealtimeHandlers()
    handlers.unavailable = "flask-sock is not installed: pip install 'twhooks[voice]'"
    with pytest.raises(ConfigurationError, match=r"pip install 'twhooks\[voice\]'"):
        handlers.relay()


def test_relay_command_signs_for_the_public_url(
    live_server: Callable[[Any], LiveServer],
) -> None:
    app = Flask(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    app.config["TWHOOKS_PUBLIC_URL"] = "https://voice.example.com"
    hooks = VoiceHooks(app)
    hooks.relay()(lambda session: [session.say(p.text) for p in session.prompts()])
    server = live_server(app)
    url = f"ws://127.0.0.1:{server.port}/twilio/relay/{new_call_sid()}"
    status, out, err = run_command(["relay", url], "hi\n")
    assert status == 1 and "HTTP 403" in err  # signed for the local URL: refused
    status, out, err = run_command(
        ["relay", url, "--public-url", "https://voice.example.com"], "hi\n"
    )
    assert (status, err) == (0, "")
    assert "agent: hi\n" in out
