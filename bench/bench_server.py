"""A real server: gunicorn with 2 sync workers on 127.0.0.1, loaded by wrk, the apps in turn.

* ``default (SQLite file)``: the app of :mod:`bench_request` as a new app gets it — no
  ``TWHOOKS_STORE``: an SQLite file in the instance folder, which both workers share;
* ``default, a file with 4 KiB pages``: the same on a file made beforehand with SQLite's usual
  pages (as an earlier twhooks made it: the default now makes 1 KiB pages);
* ``SQLAlchemy store, SQLite file``: the same on the SQL store through SQLAlchemy
  (``sqlite+pysqlite:///…``; 0.2's default store, today's code);
* ``memory://``: the same, its state in each worker's memory (nothing shared);
* ``redis://``, ``postgresql://``: the same on Redis and PostgreSQL (127.0.0.1, under a
  prefix of the run's own, removed at the end);
* ``floor in a request``: the ``memory://`` app plus the claim and its completion as two
  bare ``sqlite3`` writes on one file that both workers share
  (:func:`bench_request.floor_app`): the least an SQLite-backed exactly-once costs here;
* ``SDK view``: the hand-written view with the official SDK;
* ``constant view``: a bare Flask view answering a constant without reading the request —
  the server's floor.

Every request is a signed 20-field SMS with a fresh ``I-Twilio-Idempotency-Token`` (a wrk Lua
script), as Twilio's webhooks are, so twhooks claims and stores each one. Rounds alternate
between the apps so that machine noise hits them alike; each figure is the median of the
rounds, p99 included (Twilio waits 15 s at most). Load is bounded: 4 connections, a few
seconds per round, 127.0.0.1 only. The goals of issue 24 are printed with whether each is met.

Needs ``wrk`` (Debian: ``apt-get install wrk``) and gunicorn (the test extra).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode

from _gunicorn import start_gunicorn
from _wrk import run_wrk
from bench_request import (
    IN_REQUEST,
    OLD,
    PAGES_4K,
    PATH,
    POSTGRESQL_URL,
    REDIS_URL,
    SMS,
    TOKEN,
    goal,
)
from twilio.request_validator import RequestValidator

HERE = Path(__file__).resolve().parent

DEFAULT, SDK, CONSTANT = "default (SQLite file)", "SDK view", "constant view"
#: name: (gunicorn's target, BENCH_STORE).
APPS = {
    DEFAULT: ("bench_request:twhooks_app()", "default"),
    PAGES_4K: ("bench_request:twhooks_app()", "default:4096"),
    OLD: ("bench_request:twhooks_app()", "sqlite+pysqlite:///{work}/old.sqlite3"),
    "memory://": ("bench_request:twhooks_app()", "memory://"),
    "redis://": ("bench_request:twhooks_app()", REDIS_URL),
    "postgresql://": ("bench_request:twhooks_app()", POSTGRESQL_URL),
    IN_REQUEST: ("bench_request:floor_app()", "memory://"),
    SDK: ("bench_request:official_app()", None),
    CONSTANT: ("bench_request:constant_app()", None),
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


def serve(
    target: str, port: int, store: str | None = None, *, instance: str = "", prefix: str = ""
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    if store:
        env.update(BENCH_STORE=store, BENCH_INSTANCE=instance, BENCH_PREFIX=prefix)
    return start_gunicorn(target, port, env)


def load(port: int, seconds: int) -> tuple[float, float, int]:
    """``(requests/s, p99 in ms, non-2xx answers)`` of one wrk run."""
    url = f"http://127.0.0.1:{port}{PATH}"
    signature = RequestValidator(TOKEN).compute_signature(url, SMS)
    script = LUA.replace("{path}", PATH).replace("{body}", urlencode(SMS))
    run = run_wrk(port, seconds, script, [f"X-Twilio-Signature: {signature}"])
    return run.rate, run.p99, run.bad


def main(rounds: int = 3, seconds: int = 4) -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): skipped")
        return
    from twhooks.store.redis import RedisStore
    from twhooks.store.sql import SQLStore

    run = uuid.uuid4().hex[:8]
    prefixes = {"redis://": f"twhooks-bench:{run}:", "postgresql://": f"bench{run}_"}
    servers = {}
    work = tempfile.mkdtemp(prefix="twhooks-bench-")
    try:
        for name, (target, store) in APPS.items():
            port = free_port()
            if store is not None:
                store = store.replace("{work}", work)
            process = serve(target, port, store, instance=work, prefix=prefixes.get(name, ""))
            servers[name] = (port, process)
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
        redis_store = RedisStore(REDIS_URL, prefix=prefixes["redis://"])
        redis_store.delete_all()
        redis_store.close()
        SQLStore(POSTGRESQL_URL, prefix=prefixes["postgresql://"]).drop_tables()
    print(
        f"gunicorn, 2 sync workers, wrk -c4, {rounds} alternating rounds of {seconds} s, "
        f"a fresh idempotency token on every request"
    )
    print(f"{'app':42} {'req/s':>8} {'÷ SDK':>6} {'p99 ms':>8} {'errors':>7}")
    rates = {name: statistics.median(r[0] for r in runs) for name, runs in results.items()}
    sdk = rates[SDK]
    for name, runs in results.items():
        p99 = statistics.median(r[1] for r in runs)
        errors = sum(r[2] for r in runs)
        print(f"{name:42} {rates[name]:8.0f} {rates[name] / sdk:6.2f} {p99:8.2f} {errors:7d}")
    print("goals (issue 24):")
    print(goal("default / SDK view (req/s)", rates[DEFAULT] / sdk, 1.2, at_most=False))
    print(
        goal(
            "default / constant view (req/s)", rates[DEFAULT] / rates[CONSTANT], 0.7, at_most=False
        )
    )
    print(
        f"  the floor in a request (memory:// + 2 sqlite3 writes): {rates[IN_REQUEST] / sdk:.2f}x "
        f"the SDK view, {rates[IN_REQUEST] / rates[CONSTANT]:.2f}x the constant view; "
        f"memory:// alone {rates['memory://'] / sdk:.2f}x and "
        f"{rates['memory://'] / rates[CONSTANT]:.2f}x"
    )
    print(goal("redis:// / SDK view (req/s)", rates["redis://"] / sdk, 1.1, at_most=False))
    print(
        goal("postgresql:// / SDK view (req/s)", rates["postgresql://"] / sdk, 1.0, at_most=False)
    )


if __name__ == "__main__":
    main()
