"""Background handlers on the thread runner, through real HTTP servers: the webhook is
answered while its handler still runs, the handler runs once per webhook however often the
webhook comes, its states are in the history, a failure is a dead letter that a re-run runs
again, and a runner that cannot take the job makes the answer 503."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from _hypercorn import HypercornServer
from _servers import LiveServer
from _signing import TOKEN, official_signature
from flask import Flask

from twhooks import HandlerError, TwilioHooks
from twhooks.background import Job, ThreadRunner, hooks_for, run_job
from twhooks.background.jobs import job_id
from twhooks.rerun import rerun_request

ACCOUNT = "AC" + "1" * 32
WAIT = 10.0


def sms(sid: str, body: str = "hello") -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "MessageSid": sid,
        "From": "+15550001111",
        "To": "+15550002222",
        "Body": body,
    }


def post(url: str, params: dict[str, str], token: str | None = None) -> requests.Response:
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    if token is not None:
        headers["I-Twilio-Idempotency-Token"] = token
    return requests.post(url, data=params, headers=headers, timeout=30)


def wait_for(check: Callable[[], Any], timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Runs:
    """What the handlers of a test app did, for the test to read."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[str, str]] = []
        self.release = threading.Event()
        self.started = threading.Event()

    def add(self, what: str, value: str) -> None:
        with self.lock:
            self.calls.append((what, value))


def make_app(runs: Runs, **config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, TWILIO_AUTH_TOKEN=TOKEN, **config)
    hooks = TwilioHooks(app)

    @hooks.message(keyword="wait", background=True)
    def slow(msg: Any) -> None:
        runs.started.set()
        assert runs.release.wait(WAIT)
        runs.add("slow", msg.sid)

    @hooks.message(keyword="boom", background=True)
    def boom(msg: Any) -> None:
        runs.add("boom", msg.sid)
        if not runs.release.is_set():
            raise RuntimeError("the ERP is down")

    @hooks.message(background=True)
    def everything(msg: Any) -> None:
        runs.add("message", msg.sid)

    @hooks.message_status(background=True)
    def status(event: Any) -> None:
        runs.add("status", f"{event.sid} {event.status}")

    @hooks.call()
    def call(event: Any) -> str:
        return "hello"

    return app


@pytest.fixture
def runs() -> Runs:
    return Runs()


@pytest.fixture
def app(runs: Runs) -> Flask:
    return make_app(runs)


@pytest.fixture
def server(app: Flask, live_server: Callable[[Any], LiveServer]) -> LiveServer:
    return live_server(app)


def test_the_webhook_is_answered_while_the_handler_runs(
    server: LiveServer, runs: Runs
) -> None:
    answer = post(server.url + "/twilio/messages", sms("SM1", "wait"))
    # Answered before the handler could finish: it waits for this test to release it.
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/xml")
    assert b"<Message" not in answer.content and b"<Response" in answer.content
    assert runs.started.wait(WAIT)
    assert runs.calls == []
    runs.release.set()
    wait_for(lambda: runs.calls)
    assert runs.calls == [("slow", "SM1")]


def test_a_status_callback_is_answered_204_and_recorded_when_queued(
    app: Flask, server: LiveServer, runs: Runs
) -> None:
    url = server.url + "/twilio/messages/status"
    params = {"AccountSid": ACCOUNT, "MessageSid": "SM2", "MessageStatus": "delivered"}
    answer = post(url, params)
    assert answer.status_code == 204 and answer.content == b""
    wait_for(lambda: ("status", "SM2 delivered") in runs.calls)
    hooks = hooks_for(app)
    with app.app_context():
        assert hooks.deliveries.get("SM2").status == "delivered"
    # A late "sent" is recorded and answered as ever, and queues no job.
    late = post(url, {**params, "MessageStatus": "sent"})
    assert late.status_code == 204
    time.sleep(0.3)
    assert [c for c in runs.calls if c[0] == "status"] == [("status", "SM2 delivered")]


def test_the_handler_runs_once_however_often_the_webhook_comes(
    server: LiveServer, runs: Runs
) -> None:
    url = server.url + "/twilio/messages"
    params = sms("SM3")
    # Twilio's retries (one token, at once), and the same webhook again without a token.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda t: post(url, params, t), ["tok-3"] * 3 + [None]))
    assert [a.status_code for a in answers] == [200] * 4
    wait_for(lambda: runs.calls)
    time.sleep(0.3)
    assert runs.calls == [("message", "SM3")]


def test_job_states_are_in_the_history(app: Flask, server: LiveServer, runs: Runs) -> None:
    post(server.url + "/twilio/messages", sms("SM4"))
    hooks = hooks_for(app)

    def states() -> list[str]:
        with app.app_context():
            return [r.why or "" for r in hooks.history.recent(sid="SM4") if r.method == "JOB"]

    assert wait_for(lambda: "job done" in states())
    assert states() == ["job done", "job running"]
    with app.app_context():
        webhook = [r for r in hooks.history.recent(sid="SM4") if r.method == "POST"]
    assert webhook[0].why == "catch-all; job queued (thread)"


def test_a_failed_job_is_a_dead_letter_and_a_rerun_runs_it_again(
    app: Flask, server: LiveServer, runs: Runs
) -> None:
    hooks = hooks_for(app)
    post(server.url + "/twilio/messages", sms("SM5", "boom"))

    def failed() -> list[Any]:
        with app.app_context():
            return hooks.history.failed()

    dead = wait_for(failed)[0]
    assert dead.handler == "make_app.<locals>.boom"
    assert "RuntimeError: the ERP is down" in dead.error
    assert "raise RuntimeError" in dead.traceback
    with app.app_context():
        states = [r for r in hooks.history.recent(sid="SM5") if r.method == "JOB"]
    assert states[0].why == "job failed" and states[0].status == 500
    assert "RuntimeError: the ERP is down" in states[0].reply
    # The ERP is back: a re-run of the webhook runs the job again (it never finished).
    runs.release.set()
    again = rerun_request(dead, TOKEN)
    answer = requests.post(
        server.url + again.path, data=again.body, headers=again.headers, timeout=10
    )
    assert answer.status_code == 200
    wait_for(lambda: len(runs.calls) == 2)
    wait_for(lambda: not failed())
    assert runs.calls == [("boom", "SM5"), ("boom", "SM5")]


def test_a_finished_job_is_skipped(app: Flask, runs: Runs) -> None:
    hooks = hooks_for(app)
    params = tuple(sms("SM6").items())
    job = Job(
        id=job_id("message", "test_background:make_app.<locals>.everything", params),
        kind="message",
        handler="test_background:make_app.<locals>.everything",
        url="http://localhost/twilio/messages",
        params=params,
    )
    with app.app_context():
        assert run_job(hooks, job) == "done"
        assert run_job(hooks, Job.from_json(job.to_json())) == "skipped"
    assert runs.calls == [("message", "SM6")]


def test_a_runner_that_cannot_take_the_job_answers_503(
    app: Flask, server: LiveServer, runs: Runs, caplog: pytest.LogCaptureFixture
) -> None:
    class Down:
        name = "down"

        def submit(self, job: Job) -> None:
            raise ConnectionError("the queue's Redis is down")

        def close(self, timeout: float | None = None) -> None:
            pass

    app.extensions["twhooks"].dispatcher.runner = Down()
    with caplog.at_level(logging.ERROR, "twhooks.background"):
        answer = post(server.url + "/twilio/messages", sms("SM7"))
    assert answer.status_code == 503
    assert "could not be queued (ConnectionError: the queue's Redis is down)" in caplog.text
    assert runs.calls == []


def test_a_full_thread_runner_answers_503(runs: Runs, live_server: Any) -> None:
    app = make_app(runs, TWHOOKS_RUNNER_THREADS=1, TWHOOKS_RUNNER_QUEUE=1)
    runner = app.extensions["twhooks"].dispatcher.runner
    assert isinstance(runner, ThreadRunner)
    url = live_server(app).url + "/twilio/messages"
    assert post(url, sms("SM8", "wait")).status_code == 200
    assert runs.started.wait(WAIT)  # the one thread is busy
    assert post(url, sms("SM9")).status_code == 200  # waits in the one slot
    assert post(url, sms("SM10")).status_code == 503
    runs.release.set()
    wait_for(lambda: len(runs.calls) == 2)


@pytest.mark.parametrize(
    "register",
    [
        pytest.param(lambda h: h.call(background=True), id="call"),
        pytest.param(lambda h: h.call("menu", background=True), id="call-step"),
        pytest.param(lambda h: h.conversation_event(background=True), id="conversation_event"),
        pytest.param(lambda h: h.assignment(background=True), id="assignment"),
        pytest.param(lambda h: h.on("assignment", background=True), id="on-assignment"),
    ],
)
def test_handlers_whose_answer_twilio_reads_cannot_be_background(register: Any) -> None:
    hooks = TwilioHooks()
    with pytest.raises(HandlerError, match="cannot run in the background"):
        register(hooks)


def test_every_callback_can_be_background() -> None:
    hooks = TwilioHooks()

    def on_callback(event: Any) -> None:
        pass

    for decorator in (
        hooks.message_status(background=True),
        hooks.call_status(background=True),
        hooks.recording_status(background=True),
        hooks.transcription(background=True),
        hooks.conference_status(background=True),
        hooks.amd(background=True),
        hooks.taskrouter_event(background=True),
        hooks.alert(background=True),
        hooks.on("call_status", "completed", background=True),
    ):
        decorator(on_callback)
    assert hooks.background_handlers == {
        "test_background:test_every_callback_can_be_background.<locals>.on_callback": on_callback
    }
    assert hooks.is_background(on_callback)


def test_two_background_handlers_of_one_name_are_refused() -> None:
    hooks = TwilioHooks()
    hooks.message_status(background=True)(lambda event: None)
    with pytest.raises(HandlerError, match="two background handlers are named"):
        hooks.call_status(background=True)(lambda event: None)
