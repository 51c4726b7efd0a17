"""A real server: gunicorn with 2 sync workers on 127.0.0.1, loaded by wrk, three apps in turn.

* ``twhooks``: the app of :mod:`bench_request` (verify, claim, parse, route, reply), its
  state in each worker's memory;
* ``twhooks, SQLite store``: the same with the default store, an SQLite file both workers
  share;
* ``official SDK view``: the hand-written view with the official SDK;
* ``constant``: a bare Flask view answering a constant without reading the request — the
  server's floor.

Every request is a signed 20-field SMS with a new ``I-Twilio-Idempotency-Token`` (a wrk Lua
script), so twhooks' retry handling claims and stores each one. Rounds alternate between the
apps so that machine noise hits them alike; each figure is the median of the rounds. Load is
bounded: 4 connections, a few seconds per round, 127.0.0.1 only.

Needs ``wrk`` (Debian: ``apt-get install wrk``) and gunicorn (the test extra).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench_request import PATH, SMS, TOKEN
from twilio.request_validator import RequestValidator

HERE = Path(__file__).resolve().parent

APPS = {
    "twhooks": "bench_request:twhooks_app()",
    "twhooks, SQLite store": "bench_request:twhooks_app()",
    "official SDK view": "bench_request:official_app()",
    "constant": "bench_request:constant_app()",
}

LUA = """
counter = 0
request = function()
  counter = counter + 1
  wrk.headers["I-Twilio-Idempotency-Token"] = "bench-" .. counter .. "-" .. math.random(1000000000)
  return wrk.format("POST", "{path}", nil, "{body}")
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(target: str, port: int, store: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    if store:
        env["BENCH_STORE"] = store
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", target, "--chdir", str(HERE), "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "error"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def load(port: int, seconds: int) -> tuple[float, float, int]:
    """``(requests/s, p99 in ms, non-2xx answers)`` of one wrk run."""
    url = f"http://127.0.0.1:{port}{PATH}"
    signature = RequestValidator(TOKEN).compute_signature(url, SMS)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.replace("{path}", PATH).replace("{body}", urlencode(SMS)))
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-s", script.name,
         "-H", f"X-Twilio-Signature: {signature}",
         "-H", "Content-Type: application/x-www-form-urlencoded; charset=UTF-8",
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99_value, p99_unit = re.search(r"99%\s+([\d.]+)(\w+)", out).groups()  # type: ignore[union-attr]
    p99 = float(p99_value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_unit]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, int(bad.group(1)) if bad else 0


def main(rounds: int = 3, seconds: int = 4) -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): skipped")
        return
    servers = {}
    try:
        work = tempfile.mkdtemp(prefix="twhooks-bench-")
        for name, target in APPS.items():
            port = free_port()
            store = f"sqlite:///{work}/bench.sqlite3" if "SQLite" in name else None
            servers[name] = (port, serve(target, port, store))
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in APPS}
        for port, _ in servers.values():
            load(port, 1)  # warm up
        for _ in range(rounds):
            for name, (port, _) in servers.items():
                results[name].append(load(port, seconds))
    finally:
        for _, process in servers.values():
            process.terminate()
            process.wait(10)
    print(f"gunicorn, 2 sync workers, wrk -c4, {rounds} alternating rounds of {seconds} s")
    print(f"{'app':20} {'req/s':>8} {'p99 ms':>8} {'errors':>7}")
    rates = {}
    for name, runs in results.items():
        rates[name] = statistics.median(r[0] for r in runs)
        p99 = statistics.median(r[1] for r in runs)
        errors = sum(r[2] for r in runs)
        print(f"{name:20} {rates[name]:8.0f} {p99:8.2f} {errors:7d}")
    ours = rates["twhooks"]
    print(
        f"twhooks / official SDK view: {ours / rates['official SDK view']:.2f}x req/s; "
        f"twhooks / constant (the floor): {ours / rates['constant']:.2f}x"
    )


if __name__ == "__main__":
    main()
