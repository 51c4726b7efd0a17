"""Background handlers under load: how fast Twilio gets its answer when the handler waits
200 ms (a model, an ERP), run in the request or with ``background=True``.

gunicorn with 2 sync workers on 127.0.0.1, loaded by wrk with 4 connections, the apps in
turn, on the default store (an SQLite file in the instance folder):

* ``in request, 200 ms``: ``@hooks.message()`` whose handler sleeps 200 ms, then replies;
* ``background, 200 ms``: ``@hooks.message(background=True)``, the same handler on the
  default runner (``TWHOOKS_RUNNER = "thread"``: 4 threads and 1,000 waiting jobs per
  worker); the webhook is answered at once, the job runs after;
* ``background, queue 100k``: the same with ``TWHOOKS_RUNNER_QUEUE = 100000`` (not the
  default: the 1,000 jobs of the default fill in a second at this load, and the webhooks
  beyond are answered 503, counted in *errors*);
* ``no handler work``: the catch-all replying at once, in the request: the floor.

Every request is a different signed SMS (its own ``MessageSid`` and ``I-Twilio-Idempotency-
Token``, signed beforehand: a wrk Lua script cycles through them), so every job is a new one.
Each figure is the median of the alternating rounds: requests per second, the p99 of the
answer in ms, the non-2xx answers, and the jobs run during the load (read from a file each
job appends to). Needs ``wrk`` and gunicorn.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _gunicorn import start_gunicorn
from _wrk import run_wrk
from bench_request import PATH, SMS, TOKEN
from bench_server import free_port
from twilio.request_validator import RequestValidator

HERE = Path(__file__).resolve().parent
WAIT = 0.2

#: name: (BENCH_MODE, extra environment).
APPS = {
    "in request, 200 ms": ("request", {}),
    "background, 200 ms": ("background", {}),
    "background, queue 100k": ("background", {"BENCH_QUEUE": "100000"}),
    "no handler work": ("floor", {}),
}


def app() -> Any:
    """The bench's app (gunicorn ``bench_background:app()``), as ``BENCH_MODE`` says."""
    from flask import Flask

    from twhooks import IncomingMessage, TwilioHooks

    flask_app = Flask("bench_background", instance_path=os.environ["BENCH_INSTANCE"])
    flask_app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    if os.environ.get("BENCH_QUEUE"):
        flask_app.config["TWHOOKS_RUNNER_QUEUE"] = int(os.environ["BENCH_QUEUE"])
    hooks = TwilioHooks(flask_app)
    mode, runs = os.environ["BENCH_MODE"], os.environ["BENCH_RUNS"]

    def work(msg: IncomingMessage) -> str:
        time.sleep(WAIT)
        with open(runs, "a") as done:
            done.write(".")
        return f"You said {msg.body}"

    if mode == "floor":

        @hooks.message()
        def echo(msg: IncomingMessage) -> str:
            return f"You said {msg.body}"

    elif mode == "request":
        hooks.message()(work)
    else:

        @hooks.message(background=True)
        def in_background(msg: IncomingMessage) -> None:
            work(msg)  # no reply: the bench has no REST API to send it to

    return flask_app


def script(port: int, first: int, count: int) -> str:
    """A wrk Lua script cycling through *count* SMS, each signed, numbered from *first*."""
    url = f"http://127.0.0.1:{port}{PATH}"
    validator = RequestValidator(TOKEN)
    rows = []
    for n in range(first, first + count):
        sms = {**SMS, "MessageSid": f"SM{n:032x}", "SmsSid": f"SM{n:032x}"}
        body = urlencode(sms)
        signature = validator.compute_signature(url, sms)
        rows.append(f'{{"{body}","{signature}"}}')
    return (
        "local bodies = {" + ",".join(rows) + "}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local item = bodies[(n - 1) % #bodies + 1]\n"
        '  wrk.headers["X-Twilio-Signature"] = item[2]\n'
        '  wrk.headers["I-Twilio-Idempotency-Token"] = "bench-" .. n .. "-" .. item[2]\n'
        f'  return wrk.format("POST", "{PATH}", nil, item[1])\n'
        "end\n"
    )


def load(port: int, seconds: int, first: int, count: int) -> tuple[float, float, int]:
    run = run_wrk(port, seconds, script(port, first, count))
    return run.rate, run.p99, run.bad


def serve(mode: str, extra: dict[str, str], port: int, work: str, runs: str) -> Any:
    env = {**os.environ, "PYTHONPATH": str(HERE), **extra}
    env.update(BENCH_MODE=mode, BENCH_INSTANCE=work, BENCH_RUNS=runs)
    # stderr dropped: one log line per 503 of a full queue, counted from wrk's output
    return start_gunicorn("bench_background:app()", port, env, what=mode, stderr=subprocess.DEVNULL)


def main(rounds: int = 3, seconds: int = 4) -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): skipped")
        return
    count = 8000  # distinct SMS per round: more than a round sends
    servers = {}
    results: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in APPS}
    with tempfile.TemporaryDirectory(prefix="twhooks-bench-bg-") as work:
        try:
            for name, (mode, extra) in APPS.items():
                folder = Path(work) / str(len(servers))
                folder.mkdir()
                runs = folder / "runs"
                runs.touch()
                port = free_port()
                servers[name] = (port, serve(mode, extra, port, str(folder), str(runs)), runs)
            first = 0
            for port, _, _ in servers.values():
                load(port, 1, first, 200)  # warm up
                first += 200
            for _ in range(rounds):
                for name, (port, _, runs) in servers.items():
                    before = runs.stat().st_size
                    rate, p99, errors = load(port, seconds, first, count)
                    first += count
                    results[name].append((rate, p99, errors, runs.stat().st_size - before))
        finally:
            for _, process, _ in servers.values():
                process.terminate()
                process.wait(10)
    print(
        f"gunicorn, 2 sync workers, default store (SQLite file), wrk -c4, {rounds} "
        f"alternating rounds of {seconds} s, every request a new signed SMS; the handler "
        f"waits {WAIT * 1000:.0f} ms"
    )
    print(f"{'app':26} {'req/s':>8} {'p99 ms':>8} {'errors':>7} {'jobs run':>9}")
    for name, runs_of in results.items():
        rate = statistics.median(r[0] for r in runs_of)
        p99 = statistics.median(r[1] for r in runs_of)
        errors = sum(r[2] for r in runs_of)
        done = sum(r[3] for r in runs_of)
        print(f"{name:26} {rate:8.0f} {p99:8.2f} {errors:7d} {done:9d}")


if __name__ == "__main__":
    main()
