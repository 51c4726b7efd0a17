"""Background handlers on real queues: gunicorn with 4 workers on Redis answers the webhook,
an RQ worker process (``twhooks worker rq``) or a Celery worker process (``celery -A …
worker``, the app's own Celery app) runs the handler, and its reply goes to a fake Twilio API
(a real HTTP server) — exactly once, when Twilio retries the webhook and when the worker is
killed mid-job.

Each test has its own queue, store prefix and RQ/Celery key prefixes in the machine's Redis,
deleted after it (nothing else is).
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests
from _servers import Gunicorn
from _signing import TOKEN, official_signature
from _stores import REDIS_URL, remove
from _workers import WorkerProcess

from twhooks.testing import FakeTwilioApi

pytestmark = pytest.mark.timeout(240)

ACCOUNT_SID = "AC" + "0" * 32
APP_NUMBER = "+15550000000"
#: The handler's sleep: a slow model, a slow ERP.
SLOW = 2.0


def sms(sid: str, sender: str, body: str) -> dict[str, str]:
    return {"AccountSid": ACCOUNT_SID, "MessageSid": sid, "To": APP_NUMBER, "From": sender,
            "Body": body}  # fmt: skip


@dataclass
class Deployment:
    """The web app on gunicorn, its queue's worker, the fake Twilio API, the handler's trace."""

    kind: str
    server: Gunicorn
    api: FakeTwilioApi
    runs: Path
    env: dict[str, str]
    tmp_path: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def start_worker(self) -> WorkerProcess:
        app = "queue_app:celery_app" if self.kind == "celery" else "queue_app:app"
        log = self.tmp_path / f"{self.kind}-worker-{len(self.workers)}.log"
        worker = WorkerProcess(self.kind, app, self.env["TEST_QUEUE"], self.env, log)
        self.workers.append(worker)
        return worker

    def post(self, params: dict[str, str], token: str | None = None) -> requests.Response:
        url = self.server.url + "/twilio/messages"
        headers = {"X-Twilio-Signature": official_signature(url, params)}
        if token:
            headers["I-Twilio-Idempotency-Token"] = token
        return requests.post(url, data=params, headers=headers, timeout=30)

    def run_lines(self) -> list[list[str]]:
        """Each run of the handler: ``[pid, body]``."""
        return [line.split(" ", 1) for line in self.runs.read_text().splitlines()]

    def logs(self) -> str:
        workers = "\n".join(w.output()[-4000:] for w in self.workers)
        return f"worker:\n{workers}\ngunicorn:\n{self.server.output()[-3000:]}"


@pytest.fixture
def names() -> Iterator[dict[str, str]]:
    """This test's queue and key prefixes; its keys deleted after it (ask for it before
    ``gunicorn``: the servers then stop, and flush their history, before the keys go)."""
    tag = uuid.uuid4().hex[:8]
    found = {
        "TEST_QUEUE": f"q{tag}",
        "TEST_PREFIX": f"qs{tag}_",
        "RQ_KEY_PREFIX": f"rq{tag}",
        "TEST_CELERY_PREFIX": f"cel{tag}_",
    }
    yield found
    remove(REDIS_URL, found["TEST_PREFIX"])
    client = redis.Redis.from_url(REDIS_URL)
    # Celery's keys: under its prefix; those of twhooks' own Celery app name the queue.
    patterns = (found["RQ_KEY_PREFIX"] + ":*", found["TEST_CELERY_PREFIX"] + "*")
    for pattern in (*patterns, f"*{found['TEST_QUEUE']}*"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)
    client.close()


@pytest.fixture
def fake_api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(account_sid=ACCOUNT_SID, auth_token=TOKEN, statuses=()) as api:
        yield api


@pytest.fixture(params=["rq", "celery"])
def deployment(
    request: pytest.FixtureRequest,
    names: dict[str, str],
    gunicorn: Callable[..., Gunicorn],
    fake_api: FakeTwilioApi,
    tmp_path: Path,
) -> Iterator[Deployment]:
    runs = tmp_path / "runs.txt"
    runs.touch()
    env = {
        **names,
        "TEST_RUNNER": "rq" if request.param == "rq" else "celery",
        "TEST_STORE": REDIS_URL,
        "TEST_API": fake_api.url,
        "TEST_RUNS": str(runs),
        "TEST_SLOW": str(SLOW),
    }
    if request.param == "twhooks-celery":
        env["TEST_OWN_CELERY"] = "1"
    server = gunicorn("queue_app:app", workers=4, env=env)
    deployment = Deployment(request.param, server, fake_api, runs, env, tmp_path)
    try:
        deployment.start_worker()
        yield deployment
    finally:
        for worker in deployment.workers:
            worker.stop()


def settle(api: FakeTwilioApi, count: int, deployment: Deployment) -> list[str]:
    """The bodies sent, once *count* arrived and a while passed in which a duplicate (a job
    run twice) would have arrived too."""
    try:
        api.wait_for_messages(count, timeout=90)
    except TimeoutError:
        pytest.fail(f"{len(api.messages)} messages sent, not {count}\n{deployment.logs()}")
    time.sleep(SLOW + 2)
    return sorted(m.body or "" for m in api.messages)


def test_a_slow_handler_is_answered_at_once_and_replies_through_the_api(
    deployment: Deployment,
) -> None:
    # One webhook first: each gunicorn worker then has its connections open.
    deployment.post(sms("SM" + "a" * 32, "+15551110000", "warm"))
    times = []
    for n in range(4):
        started = time.perf_counter()
        answer = deployment.post(sms(f"SM{n:032d}", f"+1555222000{n}", f"hello {n}"))
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, deployment.logs()
        assert b"<Message" not in answer.content  # the reply goes through the API
    print(f"{deployment.kind}: answered in {[f'{t * 1000:.0f} ms' for t in times]}")
    # The handler sleeps 2 s: the webhook was answered without waiting for it.
    assert max(times) < 1.0, times
    assert statistics.median(times) <= 0.1, times
    bodies = settle(deployment.api, 5, deployment)
    assert bodies == sorted(["You said warm"] + [f"You said hello {n}" for n in range(4)])
    by_number = {m.to: m for m in deployment.api.messages}
    assert by_number["+15552220003"].body == "You said hello 3"
    assert by_number["+15552220003"].from_ == APP_NUMBER
    assert len(deployment.run_lines()) == 5


@pytest.mark.parametrize("same_token", [True, False], ids=["same-token", "new-tokens"])
def test_a_webhook_retried_3_times_at_once_replies_once(
    deployment: Deployment, same_token: bool
) -> None:
    # Twilio's retries carry the webhook's idempotency token; with new tokens each retry is
    # a request of its own, and three jobs of one id reach the queue.
    params = sms("SM" + "b" * 32, "+15553330000", "retried")

    def send(n: int) -> requests.Response:
        return deployment.post(params, "tok-retried" if same_token else f"tok-{n}")

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(send, range(3)))
    assert [a.status_code for a in answers] == [200] * 3, deployment.logs()
    assert settle(deployment.api, 1, deployment) == ["You said retried"]
    assert len(deployment.run_lines()) == 1, deployment.run_lines()


def test_a_worker_killed_mid_job_sends_each_message_once(deployment: Deployment) -> None:
    # The handler sends a message of its own, then is killed (SIGKILL) while it sleeps: the
    # queue runs the job again; the message already sent is not sent again, the reply is.
    params = sms("SM" + "c" * 32, "+15554440000", "SEND then die")
    assert deployment.post(params).status_code == 200
    pid_file = Path(f"{deployment.runs}.pid")
    deadline = time.monotonic() + 30
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid_file.exists(), deployment.logs()
    deployment.api.wait_for_messages(1, timeout=10)
    Path(f"{deployment.runs}.fast").touch()  # the next run is quick
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    bodies = settle(deployment.api, 2, deployment)
    assert bodies == ["You said SEND then die", "first of SEND then die"], deployment.logs()
    runs = deployment.run_lines()
    assert len(runs) == 2, runs
    assert runs[0][0] != runs[1][0]  # run again by another process


@pytest.mark.parametrize("deployment", ["twhooks-celery"], indirect=True)
def test_twhooks_worker_celery_runs_the_jobs_of_twhooks_own_celery_app(
    deployment: Deployment,
) -> None:
    # No TWHOOKS_CELERY: twhooks makes a Celery app on the Redis store, and its worker is
    # ``twhooks worker celery --app queue_app:app``.
    answer = deployment.post(sms("SM" + "d" * 32, "+15556660000", "own celery"))
    assert answer.status_code == 200, deployment.logs()
    assert settle(deployment.api, 1, deployment) == ["You said own celery"]
    assert "twhooks.run_job" in deployment.workers[0].output()
