"""Jobs as JSON, their exactly-once key, and the runners ``TWHOOKS_RUNNER`` names."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from twhooks import ConfigurationError, RunnerUnavailable
from twhooks.background import Job, JobFormatError, Runner, ThreadRunner, runner_for
from twhooks.background.jobs import job_id

pytestmark = pytest.mark.core

PARAMS = (("MessageSid", "SM1"), ("Body", "héllo \u2603"), ("MediaUrl0", "a"), ("MediaUrl0", "b"))


def a_job(**changes: Any) -> Job:
    fields: dict[str, Any] = {
        "id": job_id("message", "app:reply", PARAMS),
        "kind": "message",
        "handler": "app:reply",
        "url": "https://example.com/twilio/messages",
        "params": PARAMS,
        "account_sid": "AC1",
        "carrier": {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
        "queued_at": 1700000000.5,
        "origin": {"method": "POST", "path": "/twilio/messages", "body": "MessageSid=SM1"},
    }
    fields.update(changes)
    return Job(**fields)


def test_a_job_is_json_and_back() -> None:
    job = a_job()
    again = Job.from_json(job.to_json())
    assert again == job
    assert again.params == PARAMS  # order and repeated names kept
    assert again.carrier == job.carrier and again.origin == job.origin
    assert Job.from_json(job.to_json().encode()) == job


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("not json", "is JSON text", id="not-json"),
        pytest.param("[1, 2]", "format None", id="not-an-object"),
        pytest.param('{"v": 99, "id": "x"}', "format 99", id="other-version"),
        pytest.param('{"v": 1, "kind": "message"}', "malformed field", id="no-id"),
        pytest.param(
            '{"v": 1, "id": "", "kind": "m", "handler": "h", "url": "u", "params": []}',
            "malformed field",
            id="empty-id",
        ),
        pytest.param(
            '{"v": 1, "id": "i", "kind": "m", "handler": "h", "url": "u", "params": [1]}',
            "malformed field",
            id="bad-params",
        ),
    ],
)
def test_what_is_not_a_job_is_refused(text: str, message: str) -> None:
    with pytest.raises(JobFormatError, match=message):
        Job.from_json(text)


def test_the_job_id_is_the_webhooks() -> None:
    same = job_id("message", "app:reply", list(reversed(PARAMS)))
    assert same == job_id("message", "app:reply", PARAMS)  # a retry: the same parameters
    other = [("MessageSid", "SM2"), *PARAMS[1:]]
    assert job_id("message", "app:reply", other) != same  # another message
    assert job_id("message", "app:other", PARAMS) != same  # another handler
    status = [("MessageSid", "SM1"), ("MessageStatus", "sent")]
    delivered = [("MessageSid", "SM1"), ("MessageStatus", "delivered")]
    assert job_id("message_status", "h", status) != job_id("message_status", "h", delivered)


def test_the_thread_runner_runs_jobs_and_closes_after_the_queued_ones() -> None:
    done: list[str] = []
    gate = threading.Event()

    def work(job: Job) -> str:
        gate.wait(5)
        done.append(job.id)
        return "done"

    runner = ThreadRunner(work, threads=2, size=10)
    assert isinstance(runner, Runner)
    for n in range(5):
        runner.submit(a_job(id=f"job-{n}"))
    assert done == []
    gate.set()
    runner.close(timeout=5)
    assert sorted(done) == [f"job-{n}" for n in range(5)]
    with pytest.raises(RunnerUnavailable, match="closed"):
        runner.submit(a_job())


def test_a_job_that_raises_does_not_stop_the_thread_runner() -> None:
    done: list[str] = []

    def work(job: Job) -> str:
        if job.id == "bad":
            raise RuntimeError("boom")
        done.append(job.id)
        return "done"

    runner = ThreadRunner(work, threads=1, size=10)
    runner.submit(a_job(id="bad"))
    runner.submit(a_job(id="good"))
    deadline = time.monotonic() + 5
    while not done and time.monotonic() < deadline:
        time.sleep(0.01)
    runner.close(timeout=5)
    assert done == ["good"]


class Mine:
    name = "mine"

    def __init__(self, hooks: Any = None, settings: Any = None) -> None:
        self.hooks, self.settings = hooks, settings

    def submit(self, job: Job) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        pass


def make_runner(hooks: Any, settings: Any) -> Mine:
    return Mine(hooks, settings)


def make_nothing(hooks: Any, settings: Any) -> Any:
    return object()


def test_runner_for() -> None:
    def work(job: Job) -> str:
        return "done"

    assert isinstance(runner_for("thread", None, work=work), ThreadRunner)
    assert isinstance(runner_for(None, None, work=work), ThreadRunner)
    mine = Mine()
    assert runner_for(mine, None) is mine
    made = runner_for(f"{__name__}:make_runner", "hooks", settings="settings")
    assert isinstance(made, Mine) and (made.hooks, made.settings) == ("hooks", "settings")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("threads", "TWHOOKS_RUNNER must be", id="typo"),
        pytest.param(42, "TWHOOKS_RUNNER must be", id="a-number"),
        pytest.param("no.such.module:factory", "cannot be imported", id="no-module"),
        pytest.param(f"{__name__}:nothing", "cannot be imported", id="no-factory"),
        pytest.param(f"{__name__}:make_nothing", "TWHOOKS_RUNNER must be", id="not-a-runner"),
    ],
)
def test_runner_for_refuses_what_names_no_runner(value: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        runner_for(value, None, work=lambda job: "done")
