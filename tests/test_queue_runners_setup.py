"""The RQ and Celery runners' setup and failures, in one process: their settings checked at
``init_app``, a queue that is down answering the webhook 503, the extras named when missing,
the worker command's errors, and RQ's duplicate jobs (on the machine's Redis)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from _blocked import run_blocked
from _servers import free_port
from _signing import TOKEN, signed_post
from _stores import REDIS_URL
from celery import Celery
from flask import Flask

from twhooks import ConfigurationError, IncomingMessage, TwilioHooks
from twhooks.background import Job
from twhooks.background.rq import RQRunner, rq_job_id
from twhooks.background.worker import load_app
from twhooks.settings import Settings

SMS = {
    "AccountSid": "AC1",
    "MessageSid": "SM1",
    "From": "+15551110000",
    "To": "+15550000000",
    "Body": "hi",
}


def app_with(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://", **config)
    hooks = TwilioHooks(app)

    @hooks.message(background=True)
    def reply(msg: IncomingMessage) -> str:
        return "later"

    return app


@pytest.mark.parametrize("runner", ["rq", "celery"])
def test_a_queue_that_is_down_answers_the_webhook_503(
    runner: str, caplog: pytest.LogCaptureFixture
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    if runner == "rq":
        app = app_with(TWHOOKS_RUNNER="rq", TWHOOKS_RQ_REDIS_URL=down)
    else:
        app = app_with(TWHOOKS_RUNNER="celery", TWHOOKS_CELERY=Celery("down", broker=down))
    answer = signed_post(app.test_client(), "/twilio/messages", SMS)
    assert answer.status_code == 503
    assert runner in caplog.text.lower()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"TWHOOKS_RUNNER": "rq"}, "set TWHOOKS_RQ_REDIS_URL"),
        ({"TWHOOKS_RUNNER": "rq", "TWHOOKS_RQ_REDIS_URL": 6379}, "TWHOOKS_RQ_REDIS_URL must be"),
        ({"TWHOOKS_RUNNER": "celery"}, "set TWHOOKS_CELERY"),
        ({"TWHOOKS_RUNNER": "celery", "TWHOOKS_CELERY": "proj"}, "TWHOOKS_CELERY must be"),
        ({"TWHOOKS_JOB_RETRIES": -1}, "TWHOOKS_JOB_RETRIES must be"),
        ({"TWHOOKS_RQ_QUEUE": ""}, "TWHOOKS_RQ_QUEUE must be"),
        ({"TWHOOKS_JOB_TIMEOUT": 0}, "TWHOOKS_JOB_TIMEOUT must be"),
    ],
    ids=["rq-no-redis", "rq-url", "celery-no-redis", "celery-app", "retries", "queue", "timeout"],
)
def test_a_queue_setting_that_cannot_work_stops_init_app(
    config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        app_with(**config)


def test_the_queue_settings_read() -> None:
    queues = Settings.from_config(
        {"TWILIO_AUTH_TOKEN": TOKEN, "TWHOOKS_RQ_QUEUE": "sms", "TWHOOKS_JOB_RETRIES": 0}
    ).queues
    assert (queues.rq_queue, queues.retries, queues.celery_queue) == ("sms", 0, "twhooks")


@pytest.mark.parametrize(("runner", "module"), [("rq", "rq"), ("celery", "celery")])
def test_a_runner_without_its_extra_names_the_install(runner: str, module: str) -> None:
    code = f"""
from flask import Flask
from twhooks import ConfigurationError, TwilioHooks

app = Flask(__name__)
app.config.update(TWILIO_AUTH_TOKEN="t" * 32, TWHOOKS_STORE="memory://",
                  TWHOOKS_RUNNER={runner!r})
try:
    TwilioHooks(app)
    out = "opened"
except ConfigurationError as error:
    out = str(error)
"""
    assert f"pip install 'twhooks[{runner}]'" in run_blocked(code, (module,))["out"]


def test_the_rq_runner_queues_one_job_for_its_retries_and_again_once_it_ended() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    name = f"q{uuid.uuid4().hex[:8]}"
    runner = RQRunner(client, name, retries=2)
    job = Job(
        id=f"message:{uuid.uuid4().hex}",
        kind="message",
        handler="app:reply",
        url="https://example.com/twilio/messages",
        params=tuple(SMS.items()),
    )
    try:
        for _ in range(3):
            runner.submit(job)
        assert runner.queue.job_ids == [rq_job_id(job)]
        queued = runner.queue.fetch_job(rq_job_id(job))
        assert queued is not None
        assert queued.args == [job.to_json()]
        assert queued.retries_left == 2
        # A job that ended (failed for good, here) is queued anew when submitted again: a
        # dead letter run again.
        runner.queue.remove(queued)
        queued.set_status("failed")
        runner.submit(job)
        assert runner.queue.job_ids == [rq_job_id(job)]
    finally:
        runner.queue.delete(delete_jobs=True)
        for key in client.scan_iter(match=f"rq:*{name}*", count=1000):
            client.delete(key)
        client.delete(f"rq:job:{rq_job_id(job)}")
        client.close()


def test_rq_job_ids_are_in_rqs_alphabet() -> None:
    job = Job(id="message:abc", kind="message", handler="a:b", url="u", params=())
    assert rq_job_id(job) == "twhooks-message-abc"
    odd = Job(id="message:a b/c", kind="message", handler="a:b", url="u", params=())
    assert rq_job_id(odd).startswith("twhooks-")
    assert " " not in rq_job_id(odd) and "/" not in rq_job_id(odd)


@pytest.fixture
def app_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"workerapp_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            """
            from flask import Flask
            from twhooks import TwilioHooks

            def create_app(name="made"):
                app = Flask(name)
                app.config.update(TWILIO_AUTH_TOKEN="t" * 32, TWHOOKS_STORE="memory://")
                TwilioHooks(app)
                return app

            app = create_app("module")
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("{m}", "module"),
        ("{m}:app", "module"),
        ("{m}:create_app()", "made"),
        ("{m}:create_app('given')", "given"),
    ],
    ids=["module", "attribute", "factory", "factory-arguments"],
)
def test_the_worker_loads_the_app_its_path_names(app_module: str, spec: str, expected: str) -> None:
    assert load_app(spec.format(m=app_module)).name == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_here:app", "no module 'no_such_module_here'"),
        ("{m}:nothing", "has no 'nothing'"),
        ("{m}:create_app(x)", "must be literals"),
    ],
    ids=["module", "attribute", "arguments"],
)
def test_an_app_path_that_names_no_app_says_why(app_module: str, spec: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_app(spec.format(m=app_module))


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        ([], 2, "name the app: --app module:app (or set TWHOOKS_APP)"),
        (["--app", "no_such_module_here:app"], 1, "no module 'no_such_module_here'"),
        (["--app", "flask:Flask"], 1, "is not an app with twhooks"),
    ],
    ids=["no-app", "no-module", "not-an-app"],
)
def test_the_worker_command_says_what_is_wrong(args: list[str], status: int, message: str) -> None:
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "twhooks.cli", "worker", "rq", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == status, done.stderr
    assert message in done.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/15"),
        ("redis://user:p%40ss@cache:6380/2", "redis://user:p%40ss@cache:6380/2"),
        ("rediss://:secret@cache:6379/0", "rediss://:secret@cache:6379/0"),
        ("unix:///tmp/redis.sock", None),
    ],
    ids=["plain", "user-password", "tls", "socket"],
)
def test_twhooks_own_celery_app_takes_the_redis_stores_server(
    url: str, expected: str | None
) -> None:
    from twhooks.background.celery import _redis_url

    client = redis.Redis.from_url(url)
    assert _redis_url(client.connection_pool) == expected


def test_rq_on_a_sentinels_master_follows_it_and_answers_503_while_it_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sentinels = f"127.0.0.1:{free_port()}"
    app = app_with(TWHOOKS_RUNNER="rq", TWHOOKS_RQ_REDIS_URL=f"redis+sentinel://{sentinels}/main/0")
    runner = app.extensions["twhooks"].dispatcher.runner
    assert runner.connection.connection_pool.service_name == "main"
    answer = signed_post(app.test_client(), "/twilio/messages", SMS)
    assert answer.status_code == 503
    assert "rq" in caplog.text.lower()


@pytest.mark.parametrize(
    "redis_url", ["redis+cluster://127.0.0.1:7000", "rediss+cluster://127.0.0.1:7000"]
)
def test_rq_refuses_a_redis_cluster(redis_url: str) -> None:
    with pytest.raises(ConfigurationError, match="does not run on a Redis Cluster"):
        app_with(TWHOOKS_RUNNER="rq", TWHOOKS_RQ_REDIS_URL=redis_url)
