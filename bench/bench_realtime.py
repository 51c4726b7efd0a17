"""Quart webhooks and the voice sockets: twhooks against hand-written equivalents.

Three measurements, each in one run:

* ``quart sms``: a whole signed 20-field inbound SMS through a Quart app's ASGI callable
  (in-process, a fresh scope and idempotency token each time, the whole response read):
  ``twhooks.quart.TwilioHooks`` with an ``async def`` catch-all handler (on a memory store,
  and on an SQLite file: the default store, its calls in worker threads), against a
  hand-written Quart view using the official SDK (``RequestValidator.validate`` over
  ``request.url`` and ``await request.form``, and its ``MessagingResponse``), a bare view
  that only reads the form, a view that only reads the body bytes and answers a constant
  (the floor of anything that checks a signature over the body: it must read it), and a
  constant view that reads nothing (Quart's own per-request floor). Best of several repeats,
  µs per request.
* ``relay``: a Quart app on Hypercorn (its own process, 127.0.0.1) with a twhooks
  ``@hooks.relay()`` agent that answers each prompt with N tokens of an async generator (a
  model's stream) through ``session.say(...)``, and on the same server a bare WebSocket
  route that answers each message with the same N frames, pre-built. A client sends a
  prompt and reads the answer to its last token; the time per token is the round's time
  / N. Rounds alternate between the two; the figure is the added time per token (twhooks
  minus bare) at p50 and p99.
* ``streams``: 100 concurrent Media Streams on one Hypercorn process (twhooks, then a bare
  hand-written Quart echo on the same server for comparison), each sending a 160-byte
  μ-law frame every 20 ms (50 frames/s) for a few seconds to a twhooks ``@hooks.stream()``
  echo handler; the client (another process) measures each frame's echo delay and whether
  the delays grow (falling behind real time) from the first second to the last.
* ``audio``: the cost of one 20 ms frame of audio in pure Python (no ``audioop``): the
  G.711 codec (160 μ-law bytes to 16-bit PCM and back), and beside it the resampler
  (:mod:`twhooks.realtime.resample`): a call's frame to the 16/24 kHz PCM of a speech model
  (codec included), and 20 ms of the model's speech to a μ-law frame (codec and re-framing
  included). Best of several repeats, µs per frame, and the share of one core that 50
  frames a second (one call, one way) take.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any
from urllib.parse import urlencode

from bench_request import PATH as SMS_PATH  # the same signed SMS as the Flask benchmark
from bench_request import SMS, TOKEN

TOKENS = 50
STREAMS = 100
STREAM_SECONDS = 6.0


# -- quart sms --------------------------------------------------------------------------------


def _quart_apps() -> dict[str, Any]:
    from quart import Quart, request
    from twilio.request_validator import RequestValidator
    from twilio.twiml.messaging_response import MessagingResponse

    from twhooks.quart import TwilioHooks

    def twhooks_app(store: str) -> Any:
        app = Quart("twhooks")
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        app.config["TWHOOKS_STORE"] = store
        hooks = TwilioHooks(app)

        @hooks.message()
        async def reply(msg: Any) -> str:
            return f"You said {msg.body}"

        return app

    # The request path, not a database (as bench_request): the default store is a file.
    ours = twhooks_app("memory://")
    folder = tempfile.mkdtemp(prefix="twhooks-bench-")
    on_sqlite = twhooks_app(f"sqlite:///{os.path.join(folder, 'store.sqlite3')}")

    sdk = Quart("sdk")
    validator = RequestValidator(TOKEN)

    @sdk.post(SMS_PATH)
    async def sdk_view() -> Any:
        form = await request.form
        if not validator.validate(request.url, form, request.headers.get("X-Twilio-Signature", "")):
            return "Forbidden", 403
        response = MessagingResponse()
        response.message(f"You said {form['Body']}")
        return str(response), 200, {"Content-Type": "text/xml"}

    bare = Quart("bare")

    @bare.post(SMS_PATH)
    async def bare_view() -> Any:
        return (await request.form)["Body"]

    body_only = Quart("body")

    @body_only.post(SMS_PATH)
    async def body_view() -> Any:
        await request.get_data()
        return "<Response/>", 200, {"Content-Type": "text/xml"}

    constant = Quart("constant")

    @constant.post(SMS_PATH)
    async def constant_view() -> Any:
        return "ok"  # Quart's own floor: no body read, nothing parsed

    return {
        "twhooks": ours,
        "twhooks, SQLite store": on_sqlite,
        "official SDK view": sdk,
        "bare Quart view": bare,
        "body-reading Quart view": body_only,
        "constant Quart view": constant,
    }


# Fresh in every round too: a token seen before would be answered as a retry.
_TOKENS = itertools.count()


async def _sms_round(app: Any, count: int) -> float:
    from twilio.request_validator import RequestValidator

    body = urlencode(SMS).encode()
    url = f"http://localhost{SMS_PATH}"
    signature = RequestValidator(TOKEN).compute_signature(url, SMS)
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    started = time.perf_counter()
    for _ in range(count):
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": SMS_PATH,
            "raw_path": SMS_PATH.encode(),
            "query_string": b"",
            "root_path": "",
            "server": ("localhost", 80),
            "client": ("127.0.0.1", 5000),
            "headers": [
                (b"host", b"localhost"),
                (b"content-type", b"application/x-www-form-urlencoded; charset=UTF-8"),
                (b"content-length", str(len(body)).encode()),
                (b"x-twilio-signature", signature.encode()),
                (b"i-twilio-idempotency-token", f"tok-{next(_TOKENS)}".encode()),
            ],
        }
        delivered = False

        async def receive() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        sent.clear()
        await app(scope, receive, send)
        assert sent[0]["status"] == 200, sent[0]
    return (time.perf_counter() - started) / count * 1e6


def bench_quart_sms(repeats: int = 5, count: int = 2000) -> None:
    apps = _quart_apps()

    async def run() -> dict[str, float]:
        for app in apps.values():
            await app.startup()
            await _sms_round(app, 200)  # warm up
        best = dict.fromkeys(apps, float("inf"))
        for _ in range(repeats):
            for name, app in apps.items():
                best[name] = min(best[name], await _sms_round(app, count))
        return best

    best = asyncio.run(run())
    ours = best["twhooks"]
    print(f"{'quart sms (µs/request)':32} {'µs':>8} {'x twhooks':>10}")
    for name, value in best.items():
        print(f"  {name:30} {value:8.1f} {value / ours:10.2f}")
    sdk = best["official SDK view"]
    print(f"  twhooks / official SDK view = {ours / sdk:.2f} (goal ≤ 0.5)")
    print(f"  constant Quart view / official SDK view = {best['constant Quart view'] / sdk:.2f}")
    print(
        "  body-reading Quart view / official SDK view = "
        f"{best['body-reading Quart view'] / sdk:.2f} (what is left of the goal for twhooks' "
        f"own work: {0.5 * sdk - best['body-reading Quart view']:.1f} µs)"
    )


# -- the server for relay and streams ---------------------------------------------------------


def _server_app() -> Any:
    from quart import Quart, websocket

    from twhooks.quart import TwilioHooks

    app = Quart("voice")
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    hooks = TwilioHooks(app)
    tokens = [f"w{i} " for i in range(TOKENS)]

    async def model() -> Any:  # a language model's stream, minus the model
        for token in tokens:
            yield token

    @hooks.relay()
    async def agent(session: Any) -> None:
        async for _prompt in session.prompts():
            await session.say(model())

    @hooks.stream()
    async def echo(stream: Any) -> None:
        async for chunk in stream.audio():
            await stream.send_audio(chunk)

    frames = [json.dumps({"type": "text", "token": t, "last": False}) for t in tokens]
    frames.append(json.dumps({"type": "text", "token": "", "last": True}))

    @app.websocket("/bare-stream/<sid>")
    async def bare_stream(sid: str) -> None:
        # A hand-written echo: what an app without twhooks would do, minus any check.
        stream_sid = ""
        while True:
            message = json.loads(await websocket.receive())
            if message.get("event") == "start":
                stream_sid = message["start"]["streamSid"]
            elif message.get("event") == "media":
                payload = message["media"]["payload"]
                await websocket.send(
                    json.dumps(
                        {"event": "media", "streamSid": stream_sid, "media": {"payload": payload}}
                    )
                )
            elif message.get("event") == "stop":
                return

    @app.websocket("/bare")
    async def bare() -> None:
        while True:
            await websocket.receive()
            for frame in frames:
                await websocket.send(frame)

    return app


def _flask_server_app() -> Any:
    from flask import Flask
    from flask_sock import Sock

    from twhooks.flask.sockets import mount_flask
    from twhooks.realtime.handlers import RealtimeHandlers

    app = Flask("voice")
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    handlers = RealtimeHandlers()
    tokens = [f"w{i} " for i in range(TOKENS)]

    def model() -> Any:
        yield from tokens

    @handlers.relay()
    def agent(session: Any) -> None:
        for _prompt in session.prompts():
            session.say(model())

    mount_flask(app, handlers)
    frames = [json.dumps({"type": "text", "token": t, "last": False}) for t in tokens]
    frames.append(json.dumps({"type": "text", "token": "", "last": True}))
    sock = Sock(app)

    @sock.route("/bare")
    def bare(ws: Any) -> None:
        ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as twhooks does
        while True:
            ws.receive()
            for frame in frames:
                ws.send(frame)

    return app


def serve_flask(port: int) -> None:
    """Run the Flask voice app on a threaded werkzeug server (in its own process)."""
    from werkzeug.serving import make_server

    make_server("127.0.0.1", port, _flask_server_app(), threaded=True).serve_forever()


def serve(port: int) -> None:
    """Run the voice server on 127.0.0.1:*port* until killed (in its own process)."""
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    config.errorlog = None
    config.websocket_ping_interval = None
    asyncio.run(hypercorn_serve(_server_app(), config))  # type: ignore[arg-type]


class _Server:
    def __init__(self, mode: str = "--serve") -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, __file__, mode, str(self.port)],
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the voice server did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _call_sid(i: int) -> str:
    return f"CA{i:032x}"


def _signed(port: int, path: str) -> dict[str, str]:
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(TOKEN).compute_signature(f"wss://127.0.0.1:{port}{path}", {})
    return {"X-Twilio-Signature": signature}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- relay ------------------------------------------------------------------------------------


async def _relay_rounds(port: int, rounds: int) -> tuple[list[float], list[float]]:
    from websockets.asyncio.client import connect

    path = f"/twilio/relay/{_call_sid(1)}"
    url = f"ws://127.0.0.1:{port}"
    prompt = json.dumps({"type": "prompt", "voicePrompt": "hi", "lang": "en-US", "last": True})
    setup = json.dumps({"type": "setup", "callSid": _call_sid(1), "customParameters": {}})
    ours: list[float] = []
    bare: list[float] = []
    async with (
        connect(
            url + path, additional_headers=_signed(port, path), proxy=None, compression=None
        ) as agent,
        connect(url + "/bare", proxy=None, compression=None) as echo,
    ):
        await agent.send(setup)

        async def round_trip(ws: Any) -> float:
            started = time.perf_counter()
            await ws.send(prompt)
            while True:
                if json.loads(await ws.recv()).get("last"):
                    return (time.perf_counter() - started) / TOKENS * 1e6

        for _ in range(50):  # warm up
            await round_trip(agent)
            await round_trip(echo)
        for _ in range(rounds):
            ours.append(await round_trip(agent))
            bare.append(await round_trip(echo))
    return ours, bare


def bench_relay(rounds: int = 2000) -> None:
    for mode, title in (
        ("--serve", "Hypercorn + Quart"),
        ("--serve-flask", "werkzeug + flask-sock"),
    ):
        server = _Server(mode)
        try:
            ours, bare = asyncio.run(_relay_rounds(server.port, rounds))
        finally:
            server.stop()
        _relay_report(rounds, title, ours, bare)


def _relay_report(rounds: int, title: str, ours: list[float], bare: list[float]) -> None:
    print(f"relay: {rounds} answers of {TOKENS} tokens, µs per token ({title})")
    for name, values in (("twhooks session.say", ours), ("bare WebSocket echo", bare)):
        print(
            f"  {name:30} p50 {_percentile(values, 0.5):7.1f}  p99 {_percentile(values, 0.99):7.1f}"
        )
    p50 = _percentile(ours, 0.5) - _percentile(bare, 0.5)
    p99 = _percentile(ours, 0.99) - _percentile(bare, 0.99)
    print(
        f"  added per token: p50 {p50 / 1000:.4f} ms, p99 {p99 / 1000:.4f} ms (goal ≤ 0.2 ms p99)"
    )


# -- streams ----------------------------------------------------------------------------------


async def _one_stream(
    port: int,
    index: int,
    delays: list[tuple[float, float]],
    start: float,
    lateness: list[float],
    bare: bool = False,
) -> int:
    from websockets.asyncio.client import connect

    sid = _call_sid(1000 + index)
    path = f"/bare-stream/{sid}" if bare else f"/twilio/stream/{sid}"
    sent_at: dict[int, float] = {}
    echoed = 0
    async with connect(
        f"ws://127.0.0.1:{port}{path}",
        additional_headers=_signed(port, path),
        proxy=None,
        compression=None,
    ) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(
            json.dumps(
                {
                    "event": "start",
                    "streamSid": f"MZ{index:032x}",
                    "start": {
                        "streamSid": f"MZ{index:032x}",
                        "callSid": sid,
                        "tracks": ["inbound"],
                    },
                }
            )
        )

        async def reader() -> None:
            nonlocal echoed
            async for frame in ws:
                payload = json.loads(frame)["media"]["payload"]
                number = int.from_bytes(base64.b64decode(payload)[:4], "big")
                now = time.perf_counter()
                delays.append((now - start, now - sent_at.pop(number)))
                echoed += 1

        task = asyncio.ensure_future(reader())
        frames = int(STREAM_SECONDS * 50)
        for i in range(frames):
            due = start + i * 0.02
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            chunk = i.to_bytes(4, "big") + b"\xff" * 156
            sent_at[i] = time.perf_counter()
            lateness.append(sent_at[i] - due)
            message = {
                "event": "media",
                "media": {
                    "track": "inbound",
                    "chunk": str(i),
                    "timestamp": str(i * 20),
                    "payload": base64.b64encode(chunk).decode(),
                },
            }
            await ws.send(json.dumps(message))
        await asyncio.sleep(0.5)
        await ws.send(json.dumps({"event": "stop", "stop": {"callSid": sid}}))
        await asyncio.wait_for(task, 60)
    return echoed


async def _streams(
    port: int, bare: bool = False
) -> tuple[list[tuple[float, float]], list[int], list[float]]:
    delays: list[tuple[float, float]] = []
    lateness: list[float] = []
    start = time.perf_counter() + 1.0  # every stream connected before the first frame
    echoed = await asyncio.gather(
        *(_one_stream(port, i, delays, start, lateness, bare) for i in range(STREAMS))
    )
    return delays, list(echoed), lateness


def bench_streams() -> None:
    for bare in (False, True):
        _bench_streams(bare)


def _bench_streams(bare: bool) -> None:
    server = _Server()
    try:
        cpu_before = _cpu_seconds(server.process.pid)
        wait_before = _waiting_seconds(server.process.pid)
        client_wait_before = _waiting_seconds("self")
        client_before = time.process_time()
        wall = time.perf_counter()
        delays, echoed, lateness = asyncio.run(_streams(server.port, bare))
        wall = time.perf_counter() - wall
        cpu = _cpu_seconds(server.process.pid) - cpu_before
        waited = _waiting_seconds(server.process.pid) - wait_before
        client_waited = _waiting_seconds("self") - client_wait_before
        client_cpu = time.process_time() - client_before
    finally:
        server.stop()
    expected = int(STREAM_SECONDS * 50)
    values = [d * 1000 for _, d in delays]
    first = [d * 1000 for t, d in delays if t < 1.0]
    last = [d * 1000 for t, d in delays if t > STREAM_SECONDS - 1.0]
    who = "a bare hand-written Quart echo" if bare else "twhooks @hooks.stream() echo"
    print(f"streams, {who}: {STREAMS} streams, 50 frames/s each, {STREAM_SECONDS:.0f} s")
    print(f"  frames echoed: {sum(echoed)} of {STREAMS * expected}")
    print(
        f"  echo delay ms: p50 {_percentile(values, 0.5):.2f}  p99 {_percentile(values, 0.99):.2f}"
        f"  max {max(values):.2f}"
    )
    print(
        f"  first second p99 {_percentile(first, 0.99):.2f} ms, last second p99 "
        f"{_percentile(last, 0.99):.2f} ms (growing = falling behind)"
    )
    print(
        f"  CPU: server {cpu:.2f} s, load generator {client_cpu:.2f} s, over {wall:.1f} s of "
        f"wall time; waiting for a CPU held by other processes: server {waited:.2f} s, load "
        f"generator {client_waited:.2f} s; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )
    print(f"  mean echo delay {statistics.fmean(values):.2f} ms")
    late = [x * 1000 for x in lateness]
    print(
        f"  the client's own lateness sending frames: p50 {_percentile(late, 0.5):.2f} ms, "
        f"p99 {_percentile(late, 0.99):.2f} ms (if large, the load generator is the limit)"
    )


def _waiting_seconds(pid: int | str) -> float:
    """Seconds *pid* was runnable but waiting for a CPU (other processes held them)."""
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[1]) / 1e9


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


# -- audio ------------------------------------------------------------------------------------


def bench_audio(repeats: int = 5, count: int = 2000) -> None:
    import math
    from array import array

    from twhooks.realtime.audio import pcm16_to_ulaw, ulaw_to_pcm16
    from twhooks.realtime.resample import FromTwilio, ToTwilio

    def speech(rate: int) -> bytes:  # 20 ms of a 440 Hz tone
        n = rate // 50
        return array(
            "h", (round(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n))
        ).tobytes()

    pcm8 = speech(8000)
    ulaw = pcm16_to_ulaw(pcm8)
    pcm16, pcm24 = speech(16000), speech(24000)
    from16, from24 = FromTwilio(16000), FromTwilio(24000)
    to16, to24 = ToTwilio(16000), ToTwilio(24000)
    rows = [
        ("codec: μ-law -> PCM 8 kHz", lambda: ulaw_to_pcm16(ulaw)),
        ("codec: PCM 8 kHz -> μ-law", lambda: pcm16_to_ulaw(pcm8)),
        ("resampler: μ-law -> PCM 16 kHz", lambda: from16.convert(ulaw)),
        ("resampler: μ-law -> PCM 24 kHz", lambda: from24.convert(ulaw)),
        ("resampler: PCM 16 kHz -> μ-law frame", lambda: to16.frames(pcm16)),
        ("resampler: PCM 24 kHz -> μ-law frame", lambda: to24.frames(pcm24)),
    ]
    print(f"audio, per 20 ms frame (best of {repeats} x {count}):")
    for label, work in rows:
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            for _ in range(count):
                work()
            best = min(best, (time.perf_counter() - started) / count * 1e6)
        print(f"  {label:<38} {best:7.1f} µs   {best * 50 / 1e4:5.2f} % of a core per call")


def main() -> None:
    bench_quart_sms()
    bench_relay()
    bench_streams()
    bench_audio()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--serve-flask":
        serve_flask(int(sys.argv[2]))
    elif sys.argv[1:] == ["audio"]:
        bench_audio()
    else:
        main()
