"""Event Streams batches on a real server: gunicorn, 2 sync workers, Redis.

``tests/streams_app.py`` serves ``/twilio/events``; each batch holds N message status events
(``payloads.cloud_event``), signed as Twilio signs a JSON body (``bodySHA256`` in the URL, by
the official SDK's ``RequestValidator``). Every event's ``id`` is claimed in Redis before its
handler runs and its delivery recorded, so the figure is per event: the median time of a
first delivery, then of the same batches delivered again (every event a duplicate, skipped
by its ``id``). Afterwards the trace file must show each event handled exactly once.

Usage (from the repository root; Redis on 127.0.0.1, the test extra installed)::

    python bench/bench_event_streams.py [events per batch] [batches]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from _servers import free_port  # noqa: E402
from _stores import REDIS_URL, remove  # noqa: E402

from twhooks import payloads  # noqa: E402

TOKEN = "bench-event-streams-token"


def main(size: int = 50, batches: int = 20) -> None:
    prefix = f"bench{uuid.uuid4().hex[:8]}_"
    port = free_port()
    runs = Path(tempfile.mkdtemp()) / "runs"
    env = {
        **os.environ,
        "PYTHONPATH": str(TESTS),
        "TEST_TWILIO_AUTH_TOKEN": TOKEN,
        "TEST_STORE": REDIS_URL,
        "TEST_PREFIX": prefix,
        "TEST_RUNS": str(runs),
    }
    command = [sys.executable, "-m", "gunicorn", "streams_app:create()", "--chdir", str(TESTS)]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.get(base, timeout=0.2)
                break
            except requests.RequestException:
                time.sleep(0.05)
        validator = RequestValidator(TOKEN)
        session = requests.Session()

        def deliver(body: bytes) -> float:
            url = f"{base}/twilio/events?bodySHA256={validator.compute_hash(body.decode())}"
            headers = {
                "Content-Type": "application/json",
                "X-Twilio-Signature": validator.compute_signature(url, {}),
            }
            started = time.perf_counter()
            answer = session.post(url, data=body, headers=headers, timeout=30)
            assert answer.status_code == 204, answer.text
            return (time.perf_counter() - started) * 1000

        def batch() -> bytes:
            return json.dumps([payloads.cloud_event() for _ in range(size)]).encode()

        deliver(batch())  # warm-up
        bodies = [batch() for _ in range(batches)]
        first = statistics.median(deliver(body) for body in bodies)
        again = statistics.median(deliver(body) for body in bodies)
        handled = runs.read_text().splitlines()
        print(
            f"{size} events a batch, {batches} batches: first delivery {first:.1f} ms "
            f"({first / size:.2f} ms an event), delivered again {again:.1f} ms; "
            f"{len(handled)} handler runs for {size * (batches + 1)} events"
        )
        assert len(handled) == size * (batches + 1)
    finally:
        server.terminate()
        server.wait(10)
        remove(REDIS_URL, prefix)
        shutil.rmtree(runs.parent, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
