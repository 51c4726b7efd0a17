"""Soak the voice sockets: does one worker's memory level off under rounds of connects?

    python bench/soak_sockets.py [--rounds 10] [--connects 1000] [--minutes 8] [quart flask]

For each framework, one server process with one worker — Quart on Hypercorn, Flask on
gunicorn (``gthread``, one worker) — serving the relay agent of ``bench_realtime.py``. Each
round opens *connects* sockets, 50 at a time: half are refused (unsigned: 403 before the
socket opens), half are signed calls that send ``setup`` and a prompt, read the 50-token
answer and hang up. After each round the worker's RSS (``VmRSS``) is printed; the verdict
compares each round from the third on with the second (flat within 10 %). The whole run
stops at *minutes* (a partial table is still printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_realtime import TOKEN, _call_sid  # noqa: E402

CONCURRENCY = 50


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


class _Process:
    """A voice server in a process of its own, its log (a line per refusal) dropped."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{command[:3]} did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Hypercorn(_Process):
    """The Quart voice app of ``bench_realtime.py`` on Hypercorn, in one process."""

    def __init__(self) -> None:
        self.port = _free_port()
        super().__init__(
            [sys.executable, str(HERE / "bench_realtime.py"), "--serve", str(self.port)]
        )
        self.worker = self.process.pid


class _Gunicorn(_Process):
    """The Flask voice app on gunicorn, one gthread worker."""

    def __init__(self) -> None:
        self.port = _free_port()
        super().__init__(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bench_realtime:_flask_server_app()",
                "--chdir",
                str(HERE),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                str(CONCURRENCY * 2),
                "--log-level",
                "warning",
            ]
        )
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for _ in range(100):
            pids = children.read_text().split()
            if pids:
                self.worker = int(pids[0])
                return
            time.sleep(0.05)
        raise RuntimeError("gunicorn has no worker")


async def _one(port: int, index: int, signed: bool) -> str:
    from twilio.request_validator import RequestValidator
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    sid = _call_sid(index)
    path = f"/twilio/relay/{sid}"
    headers = {}
    if signed:
        url = f"wss://127.0.0.1:{port}{path}"
        headers["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(url, {})
    try:
        async with connect(f"ws://127.0.0.1:{port}{path}", additional_headers=headers) as ws:
            await ws.send(json.dumps({"type": "setup", "callSid": sid, "customParameters": {}}))
            await ws.send(json.dumps({"type": "prompt", "voicePrompt": "hi", "last": True}))
            while not json.loads(await ws.recv()).get("last"):
                pass
        return "served"
    except InvalidStatus as error:
        return f"refused {error.response.status_code}"


async def _round(port: int, connects: int, first: int) -> dict[str, int]:
    gate = asyncio.Semaphore(CONCURRENCY)
    outcomes: dict[str, int] = {}

    async def one(i: int) -> None:
        async with gate:
            try:
                outcome = await _one(port, first + i, signed=i % 2 == 0)
            except Exception as error:  # counted, not fatal: the soak goes on
                outcome = type(error).__name__
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    await asyncio.gather(*(one(i) for i in range(connects)))
    return outcomes


def soak(framework: str, rounds: int, connects: int, deadline: float) -> list[float]:
    server = _Gunicorn() if framework == "flask" else _Hypercorn()
    pid = server.worker
    rss: list[float] = []
    try:
        print(f"{framework}: worker {pid}, RSS at start {_rss_mb(pid):.1f} MB")
        for n in range(rounds):
            if time.monotonic() > deadline:
                print(f"{framework}: out of time after {n} rounds")
                break
            started = time.monotonic()
            outcomes = asyncio.run(_round(server.port, connects, n * connects))
            time.sleep(0.5)  # let the last sessions end
            rss.append(_rss_mb(pid))
            print(
                f"{framework}: round {n + 1:2d}  {time.monotonic() - started:5.1f} s  "
                f"RSS {rss[-1]:6.1f} MB  {dict(sorted(outcomes.items()))}"
            )
    finally:
        server.stop()
    if len(rss) >= 3:
        base = rss[1]
        worst = max(abs(r - base) / base for r in rss[2:])
        verdict = "flat" if worst <= 0.10 else "GROWS"
        print(
            f"{framework}: after round 2 ({base:.1f} MB) the RSS moved at most "
            f"{worst * 100:.1f} %: {verdict} (within 10 %)"
        )
    return rss


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("frameworks", nargs="*", default=["quart", "flask"])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--connects", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=8.0)
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.minutes * 60
    for framework in args.frameworks:
        soak(framework, args.rounds, args.connects, deadline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
