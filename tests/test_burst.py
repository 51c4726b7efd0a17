"""A burst of one webhook: Twilio's retries, or anyone replaying one captured request, arrive
at once. The handler runs once, every copy gets the same bytes, and the server keeps answering
other webhooks meanwhile — on a real Hypercorn worker (Quart) and on gunicorn (Flask), with
each shared store behind it.

On 0.2 a Hypercorn worker lost this: each waiting copy held a worker thread while it waited
for the first one's reply, until the pool (6 threads on 2 cores) had none left for the first
request to store that reply; the handler ran again, with other replies, and an unrelated
webhook waited 15 to 30 s.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from _servers import Gunicorn, Hypercorn, ServerProcess
from _signing import TOKEN, official_signature
from _stores import POSTGRESQL_URL, REDIS_URL, new_prefix, remove

COPIES = 16
SMS = {
    "AccountSid": "AC" + "1" * 32,
    "MessageSid": "SM" + "2" * 32,
    "From": "+14155550100",
    "To": "+14155550199",
    "Body": "SLOW burst",
    "NumMedia": "0",
}
OTHER = dict(SMS, MessageSid="SM" + "3" * 32, From="+14155550111", Body="other")


@pytest.fixture(params=["sqlite", "redis", "postgresql"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The store of one test, named for it alone (tables or keys with its own prefix),
    removed after it."""
    prefix = new_prefix("burst")
    if request.param == "sqlite":
        yield {"TEST_STORE": f"sqlite:///{tmp_path}/store.sqlite3", "TEST_PREFIX": prefix}
        return
    url = REDIS_URL if request.param == "redis" else POSTGRESQL_URL
    yield {"TEST_STORE": url, "TEST_PREFIX": prefix}
    remove(url, prefix)


@pytest.mark.parametrize("server", ["hypercorn", "gunicorn"])
def test_a_burst_of_one_webhook_runs_its_handler_once(
    server: str, store_env: dict[str, str], tmp_path: Path
) -> None:
    runs = tmp_path / "runs.txt"
    runs.touch()
    env = {"TEST_TWILIO_AUTH_TOKEN": TOKEN, "TEST_RUNS": str(runs), "TEST_SLOW": "0.5"}
    env.update(store_env)
    process: ServerProcess
    if server == "hypercorn":
        process = Hypercorn("burst_app:quart_app()", env, tmp_path / "hypercorn.log")
    else:
        process = Gunicorn("burst_app:flask_app()", 4, env, tmp_path / "gunicorn.log")
    try:
        url = process.url + "/twilio/messages"

        def post(params: dict[str, str], token: str) -> tuple[int, bytes, float]:
            headers = {
                "X-Twilio-Signature": official_signature(url, params),
                "I-Twilio-Idempotency-Token": token,
            }
            started = time.monotonic()
            answer = requests.post(url, data=params, headers=headers, timeout=20)
            return answer.status_code, answer.content, time.monotonic() - started

        # Warm up: the store's tables, connections and the workers' first requests.
        for n in range(4):
            assert post(dict(OTHER, Body=f"warm {n}"), f"warm-{n}")[0] == 200

        with concurrent.futures.ThreadPoolExecutor(COPIES + 1) as pool:
            copies = [pool.submit(post, SMS, "burst-token") for _ in range(COPIES)]
            time.sleep(0.15)  # the copies are in: the first runs, the others wait for it
            other = pool.submit(post, OTHER, "other-token").result()
            answers = [copy.result() for copy in copies]

        assert other[0] == 200, other
        assert b"other: reply" in other[1]
        assert other[2] < 1.0, f"an unrelated webhook waited {other[2]:.2f} s"
        assert [status for status, _, _ in answers] == [200] * COPIES, answers
        bodies = {body for _, body, _ in answers}
        assert len(bodies) == 1, bodies
        assert b"SLOW burst: reply" in bodies.pop()
        burst_runs = [line for line in runs.read_text().splitlines() if " SLOW " in line]
        assert len(burst_runs) == 1, burst_runs
        log = process.output()
        assert "still runs after" not in log and "running it anyway" not in log
    finally:
        process.stop()
