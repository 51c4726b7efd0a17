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
from twhooks.background import Job, ThreadRunner, hooks_for, run_in_app, run_job
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


def test_the_webhook_is_answered_while_the_handler_runs(server: LiveServer, runs: Runs) -> None:
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
    # A worker that imported the app, with no context pushed: the app's is.
    assert run_job(hooks, Job.from_json(job.to_json())) == "skipped"
    assert run_in_app(app, job.to_json()) == "skipped"
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
    hooks = hooks_for(app)
    with app.app_context():
        (dead,) = hooks.history.failed()
    assert dead.params["MessageSid"] == "SM7" and "ConnectionError" in dead.error


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


def test_quart_background_handlers(serve: Callable[[Any], HypercornServer]) -> None:
    from quart import Quart

    from twhooks.quart import TwilioHooks as QuartHooks

    app = Quart(__name__)
    app.config.update(TESTING=True, TWILIO_AUTH_TOKEN=TOKEN)
    hooks = QuartHooks(app)
    runs = Runs()

    @hooks.message(background=True)
    async def reply(msg: Any) -> None:
        from quart import current_app

        runs.add("message", f"{msg.sid} {current_app.name}")

    @hooks.call_status(background=True)
    def status(event: Any) -> None:
        assert runs.release.wait(WAIT)
        runs.add("call_status", f"{event.sid} {event.status}")

    server = serve(app)
    answer = post(server.url + "/twilio/messages", sms("SM20"))
    assert answer.status_code == 200 and b"<Message" not in answer.content
    wait_for(lambda: runs.calls)
    assert runs.calls == [("message", f"SM20 {app.name}")]
    params = {"AccountSid": ACCOUNT, "CallSid": "CA1", "CallStatus": "completed"}
    params["SequenceNumber"] = "3"
    answer = post(server.url + "/twilio/voice/status", params)
    assert answer.status_code == 204  # while the handler waits
    runs.release.set()
    wait_for(lambda: len(runs.calls) == 2)
    assert runs.calls[1] == ("call_status", "CA1 completed")


@pytest.mark.parametrize("blocking", [None, False])
def test_quart_submits_to_a_queue_off_the_event_loop(
    serve: Callable[[Any], HypercornServer], blocking: bool | None
) -> None:
    # On the memory store (no worker thread for the store), a runner whose submit may wait on
    # I/O (a queue's: one that does not say) is given the job in a worker thread, never on
    # the event loop; one that says it does not block (the thread runner) keeps the loop.
    import asyncio

    from quart import Quart

    from twhooks.quart import TwilioHooks as QuartHooks

    on_loop: list[bool] = []

    class Queue:
        name = "queue"

        def submit(self, job: Job) -> None:
            try:
                asyncio.get_running_loop()
                on_loop.append(True)
            except RuntimeError:
                on_loop.append(False)

        def close(self, timeout: float | None = None) -> None:
            pass

    runner: Any = Queue()
    if blocking is not None:
        runner.blocking = blocking
    app = Quart(__name__)
    app.config.update(TESTING=True, TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_RUNNER=runner)
    hooks = QuartHooks(app)

    @hooks.message(background=True)
    def reply(msg: Any) -> None:
        raise AssertionError("the queue runs no job here")

    server = serve(app)
    answer = post(server.url + "/twilio/messages", sms("SM21"))
    assert answer.status_code == 200
    assert on_loop == [blocking is False]


def test_the_job_span_is_in_the_webhooks_trace(live_server: Any) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from twhooks.observability import store as store_watch
    from twhooks.observability.tracing import Tracing

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        runs = Runs()
        app = make_app(runs, TWHOOKS_TRACING=provider)
        url = live_server(app).url
        post(url + "/twilio/messages", sms("SM30", "boom"))
        post(url + "/twilio/messages", sms("SM31"))
        wait_for(lambda: len(runs.calls) == 2)

        def spans() -> dict[str, list[Any]]:
            found: dict[str, list[Any]] = {}
            for span in exporter.get_finished_spans():
                found.setdefault(span.name, []).append(span)
            return found

        wait_for(lambda: len(spans().get("twhooks job message", [])) == 2)
        webhooks = {s.attributes["twilio.message_sid"]: s for s in spans()["twhooks message"]}
        jobs = {s.attributes["twilio.message_sid"]: s for s in spans()["twhooks job message"]}
        for sid in ("SM30", "SM31"):
            job, webhook = jobs[sid], webhooks[sid]
            assert job.context.trace_id == webhook.context.trace_id
            assert job.parent is not None and job.parent.span_id == webhook.context.span_id
            assert job.attributes["twhooks.handler"].startswith("test_background:make_app")
        assert jobs["SM30"].status.status_code.name == "ERROR"
        assert jobs["SM31"].status.status_code.name == "UNSET"
    finally:
        store_watch.unwatch(Tracing(provider))
        provider.shutdown()


def test_the_inspector_shows_a_failed_job(runs: Runs, live_server: Any) -> None:
    app = make_app(runs, TWHOOKS_INSPECTOR=True, TWHOOKS_INSPECTOR_PASSWORD="pw")
    hooks = hooks_for(app)
    url = live_server(app).url
    post(url + "/twilio/messages", sms("SM40", "boom"))

    def failed_record() -> Any:
        with app.app_context():
            found = [r for r in hooks.history.recent(sid="SM40") if r.why == "job failed"]
        return found[0] if found else None

    record = wait_for(failed_record)
    page = requests.get(f"{url}/twilio/_inspector/r/{record.id}", auth=("", "pw"), timeout=10)
    assert page.status_code == 200
    assert "Background job" in page.text and "job failed" in page.text
    assert "RuntimeError: the ERP is down" in page.text
    assert "-X POST" in page.text
    listing = requests.get(f"{url}/twilio/_inspector/?sid=SM40", auth=("", "pw"), timeout=10)
    assert listing.status_code == 200 and "job failed" in listing.text


def test_a_job_held_by_a_dead_worker_is_taken_over_and_one_held_by_a_live_one_waited_for(
    runs: Runs,
) -> None:
    from twhooks.background.execute import DONE, job_key

    app = make_app(runs, TWHOOKS_REPLAY_LEASE=0.3)
    hooks = hooks_for(app)
    store = app.extensions["twhooks"].facades.store

    def job_of(sid: str) -> Job:
        params = tuple(sms(sid).items())
        handler = "test_background:make_app.<locals>.everything"
        return Job(job_id("message", handler, params), "message", handler, "http://x/", params)

    dead = job_of("SM50")
    assert store.claim(job_key(dead), "a-worker-that-died", 0.3) is True  # never renewed
    assert run_job(hooks, dead) == "done"
    live = job_of("SM51")
    assert store.claim(job_key(live), "a-live-worker", 5.0) is True
    finisher = threading.Timer(0.3, store.finish, (job_key(live), "a-live-worker", DONE, 60.0))
    finisher.start()
    assert run_job(hooks, live) == "skipped"
    finisher.join()
    assert runs.calls == [("message", "SM50")]


def test_quart_job_spans_are_in_the_webhooks_trace(serve: Callable[[Any], HypercornServer]) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from quart import Quart

    from twhooks.observability import store as store_watch
    from twhooks.observability.tracing import Tracing
    from twhooks.quart import TwilioHooks as QuartHooks

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        app = Quart(__name__)
        app.config.update(TESTING=True, TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_TRACING=provider)
        hooks = QuartHooks(app)

        @hooks.message(background=True)
        async def reply(msg: Any) -> None:
            pass

        post(serve(app).url + "/twilio/messages", sms("SM60"))

        def named(name: str) -> list[Any]:
            return [s for s in exporter.get_finished_spans() if s.name == name]

        (job,) = wait_for(lambda: named("twhooks job message"))
        (webhook,) = named("twhooks message")
        assert job.context.trace_id == webhook.context.trace_id
        assert job.parent is not None and job.parent.span_id == webhook.context.span_id
    finally:
        store_watch.unwatch(Tracing(provider))
        provider.shutdown()


def test_a_failed_jobs_log_line_carries_its_webhooks_fields(
    server: LiveServer, runs: Runs, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, "twhooks.background"):
        post(server.url + "/twilio/messages", sms("SM70", "boom"))
        wait_for(lambda: any("failed" in r.getMessage() for r in caplog.records))
    (record,) = [r for r in caplog.records if "failed" in r.getMessage()]
    assert record.message_sid == "SM70"  # type: ignore[attr-defined]
    assert record.kind == "message"  # type: ignore[attr-defined]
    assert record.handler.endswith("make_app.<locals>.boom")  # type: ignore[attr-defined]
