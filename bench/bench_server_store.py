"""Status callbacks on a real server with each store: gunicorn, 2 sync workers, wrk.

Every request is a message status callback of a new message (a wrk Lua script makes a new
``MessageSid`` and idempotency token each time; unsigned, with the signature check off for
every store alike — see below), so each one records its delivery in the store (the furthest status
and the status history, one transaction or one round trip; a status callback takes no
idempotency claim when its delivery record de-duplicates it) and queues its webhook-history
record, which the worker writes with the others of the last 100 ms. The same app runs with
``TWHOOKS_STORE`` set to:

* ``memory://`` — nothing shared (each worker keeps its own): the server without a store;
* an SQLite file (the default backend);
* Redis on 127.0.0.1.

Rounds alternate between the three; each figure is the median of the rounds. Afterwards the
SQLite and Redis stores are read back: every answered callback must be recorded exactly once
(0 lost, 0 duplicated).

Signing per request in Lua would need an HMAC library; instead the app under test runs with
``TWHOOKS_VALIDATE = False`` for all three stores alike, since the signature check is the same
work in each and this benchmark measures the store.

Needs ``wrk`` (Debian: ``apt-get install wrk``), gunicorn and Redis (the test extra).
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
from typing import Any

from _gunicorn import start_gunicorn
from _wrk import run_wrk

HERE = Path(__file__).resolve().parent
PATH = "/twilio/messages/status"

LUA = """
counter = 0
local prefix = "{run}"
request = function()
  counter = counter + 1
  local sid = string.format("SM%s%024d", prefix, counter)
  wrk.headers["I-Twilio-Idempotency-Token"] = "bench-" .. sid
  local body = "AccountSid=AC0123456789abcdef0123456789abcdef&MessageStatus=delivered"
    .. "&To=%2B15005550006&From=%2B14155550100&MessageSid=" .. sid
  return wrk.format("POST", "{path}", nil, body)
end
"""


def status_app():  # type: ignore[no-untyped-def]
    from flask import Flask

    from twhooks import MessageStatus, TwilioHooks

    app = Flask("bench_store_server")
    app.config.update(TWHOOKS_VALIDATE=False, TWHOOKS_STORE=opened(os.environ["BENCH_STORE"]))
    hooks = TwilioHooks(app)

    @hooks.message_status()
    def on_status(status: MessageStatus) -> None:
        return None

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(HERE), "BENCH_STORE": store}
    return start_gunicorn(
        "bench_server_store:status_app()", port, env, what=f"the server with {store}"
    )


_runs = iter(range(1, 10**6))


def load(port: int, seconds: int) -> tuple[float, float, int, int]:
    """``(requests/s, p99 ms, requests answered, non-2xx)`` of one wrk run."""
    # A prefix of its own for every run: each callback is of a new message.
    run = run_wrk(port, seconds, LUA.replace("{path}", PATH).replace("{run}", f"{next(_runs):08d}"))
    return run.rate, run.p99, run.done, run.bad


def opened(store_url: str) -> Any:
    """The store at *store_url*; Redis under this run's own key prefix (``BENCH_PREFIX``): the
    server is shared, so the bench deletes only its own keys, never a whole database."""
    if store_url.startswith("redis"):
        from twhooks.store.redis import RedisStore

        return RedisStore(store_url, prefix=os.environ["BENCH_PREFIX"])
    from twhooks.store import open_store

    return open_store(store_url, instance_path=tempfile.gettempdir())


def recorded(store_url: str, instance: str) -> int:
    """How many distinct messages the store holds."""
    store = opened(store_url)
    try:
        return len(store.recent_messages(10**7, None))
    finally:
        store.close()


def main(rounds: int = 3, seconds: int = 4) -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): skipped")
        return
    work = tempfile.mkdtemp(prefix="twhooks-bench-")
    redis_url = os.environ.get("TWHOOKS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ["BENCH_PREFIX"] = f"twhooks-bench:{uuid.uuid4().hex[:8]}:"
    stores = {
        "no store (memory://)": "memory://",
        "SQLite": f"sqlite:///{work}/bench.sqlite3",
        "Redis": redis_url,
    }
    servers = {}
    results: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in stores}
    warm: dict[str, tuple[float, float, int, int]] = {}
    try:
        for name, url in stores.items():
            port = free_port()
            servers[name] = (port, serve(url, port))
        for name, (port, _) in servers.items():
            warm[name] = load(port, 1)  # warm up; its callbacks are recorded too
        for _ in range(rounds):
            for name, (port, _) in servers.items():
                results[name].append(load(port, seconds))
    finally:
        for _, process in servers.values():
            process.terminate()
            process.wait(10)
    print(f"status callbacks, gunicorn 2 sync workers, wrk -c4, {rounds} rounds of {seconds} s")
    print(f"{'store':22} {'req/s':>8} {'p99 ms':>8} {'errors':>7} {'answered':>9} {'recorded':>9}")
    base = statistics.median(r[0] for r in results["no store (memory://)"])
    for name, runs in results.items():
        rate = statistics.median(r[0] for r in runs)
        p99 = statistics.median(r[1] for r in runs)
        errors = sum(r[3] for r in runs)
        answered = sum(r[2] - r[3] for r in [*runs, warm[name]])
        kept = "-" if name.startswith("no store") else str(recorded(stores[name], work))
        ratio = f"  {rate / base:.2f}x" if not name.startswith("no store") else ""
        print(f"{name:22} {rate:8.0f} {p99:8.2f} {errors:7d} {answered:9d} {kept:>9}{ratio}")
    print(
        "(answered and recorded include the 1 s warm-up; recorded may exceed answered by the"
        " requests in flight when wrk stopped: at most 4 a run, one per connection)"
    )
    store = opened(redis_url)
    store.delete_all()
    store.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
