"""``twhooks relay URL`` and ``twhooks stream URL``: be the caller in the terminal.

::

    twhooks relay ws://127.0.0.1:5000/twilio/relay/CA0123…   # type what you say
    twhooks stream ws://127.0.0.1:5000/twilio/stream/CA0123… --play hello.wav --save reply.wav

``relay`` plays Twilio's part of a ConversationRelay session: each line typed is a prompt;
the agent's answer is printed as its tokens stream in. Typing while it answers interrupts it,
as a caller speaking over the agent does. ``/press 12#`` presses keys, ``/interrupt``
interrupts, ``/quit`` hangs up. When stdin is not a terminal, each line waits for the answer
before the next, so sessions can be scripted.

``stream`` plays Twilio's part of a Media Stream: it sends a WAV file's audio (mono 8 kHz)
at real-time pace, echoes the app's marks and saves the audio the app sends back.

The upgrade is signed like Twilio's, over the ``wss://`` form of *URL*, or of the same path
under ``--public-url`` (the app's ``TWHOOKS_PUBLIC_URL``), or over ``--signed-url``. The
CallSid is the URL's last segment, or a new one.
"""

from __future__ import annotations

import argparse
import base64
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ..realtime.audio import FRAME_BYTES, SAMPLE_RATE, frames, read_wav, write_wav
from ..realtime.errors import RealtimeError, SessionClosed, UpgradeRefused
from ..realtime.testing import RelayCaller, StreamCaller
from ..realtime.verify import websocket_base

__all__ = ["add_cli_commands", "run", "run_relay", "run_stream"]

#: ``run(args, auth_token, stdin, stdout) -> exit status``, set as the parsers' ``realtime``.
Runner = Callable[[argparse.Namespace, "str | None", TextIO, TextIO], int]


def add_cli_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``relay`` and ``stream`` subcommands to the ``twhooks`` parser.

    :param commands: the parser's subparsers.
    :param common: the parent parser with ``--auth-token``, ``--unsigned``, ``--timeout``.

    Each sets ``args.realtime`` to its runner: ``args.realtime(args, token, stdin, stdout)``.
    """
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument(
        "url", metavar="URL", help="the session's URL (ws://host/twilio/relay/CA...)"
    )
    shared.add_argument(
        "--signed-url",
        metavar="URL",
        help="the URL to sign when the app sees another one (its public wss:// URL)",
    )
    shared.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a custom parameter, as a <Parameter> in the TwiML (repeatable)",
    )
    relay = commands.add_parser(
        "relay",
        parents=[common, shared],
        help="talk to a ConversationRelay agent (each input line is what you say)",
    )
    relay.set_defaults(realtime=run_relay)
    stream = commands.add_parser(
        "stream",
        parents=[common, shared],
        help="send audio to a Media Streams handler and save what comes back",
    )
    stream.add_argument("--play", metavar="FILE.wav", help="mono 8 kHz WAV to send")
    stream.add_argument("--save", metavar="FILE.wav", help="save the audio the app sends")
    stream.add_argument(
        "--linger",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="keep listening this long after the file ends (default: 1)",
    )
    stream.set_defaults(realtime=run_stream)


#: Seconds of silence from the agent after the input ends before hanging up.
_QUIET = 0.5


def _signed_url(args: argparse.Namespace) -> str | None:
    """What to sign: ``--signed-url``, else the URL's path under ``--public-url``."""
    if args.signed_url:
        return str(args.signed_url)
    public = getattr(args, "public_url", None)
    if not public:
        return None
    rest = args.url.partition("://")[2]
    path = rest[rest.find("/") :] if "/" in rest else "/"
    return websocket_base(public) + path


def _params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise RealtimeError(f"--param {pair!r}: expected NAME=VALUE")
        params[name] = value
    return params


class _RelayPrinter(threading.Thread):
    """Prints what the agent sends as it comes; notes when an answer ends."""

    def __init__(self, caller: RelayCaller, out: TextIO) -> None:
        super().__init__(daemon=True)
        self.caller = caller
        self.out = out
        self.answering = False
        self.answered = threading.Event()
        self.closed: SessionClosed | None = None
        self.last_activity = time.monotonic()

    def run(self) -> None:
        out = self.out
        while True:
            try:
                message = self.caller.receive(timeout=3600)
            except SessionClosed as closed:
                self.closed = closed
                self.answered.set()
                return
            if message is None:
                continue
            self.last_activity = time.monotonic()
            kind = message.get("type")
            if kind == "text":
                if not self.answering:
                    out.write("agent: ")
                    self.answering = True
                out.write(str(message.get("token", "")))
                if message.get("last"):
                    out.write("\n")
                    self.answering = False
                    self.answered.set()
            elif kind == "end":
                out.write(f"[end] handoffData: {message.get('handoffData', '')}\n")
                self.answered.set()
            else:
                details = {k: v for k, v in message.items() if k != "type"}
                out.write(f"[{kind}] {details}\n")
            out.flush()


def run_relay(args: argparse.Namespace, token: str | None, stdin: TextIO, stdout: TextIO) -> int:
    """The ``twhooks relay`` command."""
    caller = RelayCaller(
        args.url,
        None if args.unsigned else token,
        signed_url=_signed_url(args),
        custom_parameters=_params(args.param),
        timeout=args.timeout,
    )
    with caller:
        stdout.write(f"connected: call {caller.call_sid}; type what you say (/quit to hang up)\n")
        stdout.flush()
        printer = _RelayPrinter(caller, stdout)
        printer.start()
        scripted = not stdin.isatty()
        for raw in stdin:
            line = raw.strip()
            if printer.closed is not None:
                break
            if not line:
                continue
            if line == "/quit":
                break
            printer.last_activity = time.monotonic()  # the agent's quiet is counted from here
            if line == "/interrupt":
                caller.interrupt()
                continue
            if line.startswith("/press"):
                for digit in line[6:].strip():
                    caller.press(digit)
                continue
            if printer.answering:
                caller.interrupt()  # speaking over the agent
            printer.answered.clear()
            caller.say(line)
            if scripted and not printer.answered.wait(args.timeout):
                stdout.write("[no answer]\n")
        else:
            # The input ended: show what the agent still sends, until it is quiet.
            while printer.closed is None and time.monotonic() - printer.last_activity < _QUIET:
                time.sleep(0.05)
        closed = printer.closed
    if closed is not None:
        stdout.write(f"[closed {closed.code}] {closed.reason}\n")
        return 0 if closed.code in (1000, None) else 1
    return 0


def run_stream(args: argparse.Namespace, token: str | None, stdin: TextIO, stdout: TextIO) -> int:
    """The ``twhooks stream`` command."""
    audio = read_wav(args.play) if args.play else b""
    received: list[bytes] = []
    caller = StreamCaller(
        args.url,
        None if args.unsigned else token,
        signed_url=_signed_url(args),
        custom_parameters=_params(args.param),
        timeout=args.timeout,
    )
    closed: SessionClosed | None = None
    with caller:
        stdout.write(f"streaming call {caller.call_sid}: {len(audio) / SAMPLE_RATE:.2f} s\n")
        done = threading.Event()

        def listen() -> None:
            nonlocal closed
            while not done.is_set():
                try:
                    message = caller.receive(timeout=0.1)
                except SessionClosed as error:
                    closed = error
                    return
                if message is None:
                    continue
                event = message.get("event")
                if event == "media":
                    received.append(base64.b64decode(message["media"]["payload"]))
                elif event == "mark":
                    try:
                        caller.played(message["mark"]["name"])  # at once: no speaker here
                    except SessionClosed as error:
                        closed = error
                        return
                    stdout.write(f"[mark] {message['mark']['name']}\n")
                elif event == "clear":
                    stdout.write("[clear]\n")

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        start = time.monotonic()
        for i, frame in enumerate(frames(audio)):
            # Real-time pace, without drift: frame i leaves at start + 20 ms * i.
            delay = start + i * FRAME_BYTES / SAMPLE_RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if closed is not None:
                break
            caller.send_audio(frame)
        time.sleep(max(0.0, args.linger))
        if closed is None:
            caller.stop()
        done.set()
        listener.join(5)
    data = b"".join(received)
    if args.save:
        write_wav(args.save, data)
    stdout.write(f"received {len(data) / SAMPLE_RATE:.2f} s of audio\n")
    if closed is not None and closed.code not in (1000, None):
        stdout.write(f"[closed {closed.code}] {closed.reason}\n")
        return 1
    return 0


def run(
    args: argparse.Namespace, token: str | None, stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    """Run ``args.realtime``; a refused upgrade or a bad file is one line on *stderr*."""
    try:
        runner: Runner = args.realtime
        return runner(args, token, stdin, stdout)
    except UpgradeRefused as refused:
        hint = (
            " (check the auth token, and --signed-url if the app has a public URL)"
            if refused.status == 403
            else ""
        )
        stderr.write(f"twhooks: error: the app refused the WebSocket: {refused.reason}{hint}\n")
        return 1
    except (RealtimeError, OSError) as error:
        stderr.write(f"twhooks: error: {error}\n")
        return 1
