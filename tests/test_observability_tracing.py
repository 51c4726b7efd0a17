"""OpenTelemetry spans, read back with the SDK's in-memory exporter: one per webhook, named
``twhooks <kind>``, with its attributes, a child of the framework's HTTP span, parent of the
store's calls and of the handler's own spans."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from _hypercorn import HypercornServer
from _signing import TOKEN, official_signature, signed_post
from flask import Flask
from opentelemetry import trace
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from twhooks import TwilioHooks
from twhooks.observability import store as store_watch
from twhooks.observability.tracing import Tracing

ACCOUNT = "AC" + "a" * 32
MESSAGE = "SM" + "b" * 32
CALL = "CA" + "c" * 32
SMS = {"AccountSid": ACCOUNT, "MessageSid": MESSAGE, "From": "+15550001111", "To": "+15552"}


@pytest.fixture
def exporter() -> Any:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    exporter.provider = provider  # type: ignore[attr-defined]
    yield exporter
    store_watch.unwatch(Tracing(provider))
    provider.shutdown()


def make_app(exporter: Any, **config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, TWILIO_AUTH_TOKEN=TOKEN, SECRET_KEY="k")
    app.config.update({"TWHOOKS_TRACING": exporter.provider, **config})
    hooks = TwilioHooks(app)
    tracer = exporter.provider.get_tracer("myapp")

    @hooks.message()
    def reply(msg: Any) -> str:
        if msg.body == "boom":
            raise RuntimeError("boom")
        with tracer.start_as_current_span("send a REST request"):
            pass
        return "ok"

    @hooks.call()
    def answer(call: Any) -> str:
        return "hello"

    return app


def named(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    [span] = [s for s in exporter.get_finished_spans() if s.name == name]
    return span


def test_a_message_webhook_has_its_span_and_attributes(exporter: Any) -> None:
    app = make_app(exporter)
    assert signed_post(app.test_client(), "/twilio/messages", SMS).status_code == 200
    span = named(exporter, "twhooks message")
    attributes = dict(span.attributes or {})
    assert attributes["twhooks.kind"] == "message"
    assert attributes["twhooks.outcome"] == "handled"
    assert str(attributes["twhooks.handler"]).endswith("reply")
    assert attributes["twilio.account_sid"] == ACCOUNT
    assert attributes["twilio.message_sid"] == MESSAGE
    assert "twilio.call_sid" not in attributes
    assert attributes["http.response.status_code"] == 200
    assert span.parent is None  # no HTTP span: a root
    # The handler's own span is its child.
    own = named(exporter, "send a REST request")
    assert own.parent is not None and own.parent.span_id == span.context.span_id
    assert own.context.trace_id == span.context.trace_id


def test_a_call_has_its_call_sid(exporter: Any) -> None:
    app = make_app(exporter)
    params = {"AccountSid": ACCOUNT, "CallSid": CALL, "From": "+1555", "To": "+1556"}
    assert signed_post(app.test_client(), "/twilio/voice", params).status_code == 200
    attributes = dict(named(exporter, "twhooks call").attributes or {})
    assert attributes["twilio.call_sid"] == CALL
    assert "twilio.message_sid" not in attributes


@pytest.mark.parametrize(
    ("headers", "body", "outcome", "status"),
    [
        ({"X-Twilio-Signature": "forged"}, "hi", "refused", 403),
        ({}, "boom", "failed", 500),
    ],
    ids=["refused", "failed"],
)
def test_refused_and_failed_webhooks(
    exporter: Any, headers: dict[str, str], body: str, outcome: str, status: int
) -> None:
    app = make_app(exporter, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    if headers:
        response = client.post("/twilio/messages", data={**SMS, "Body": body}, headers=headers)
    else:
        response = signed_post(client, "/twilio/messages", {**SMS, "Body": body})
    assert response.status_code == status
    span = named(exporter, "twhooks message")
    assert span.attributes is not None and span.attributes["twhooks.outcome"] == outcome
    if outcome == "refused":
        assert span.attributes["twhooks.refusal"] == "invalid_signature"
        assert "twilio.message_sid" not in span.attributes  # claimed, never verified
    else:
        assert span.status.status_code == trace.StatusCode.ERROR


def test_a_retry_is_replayed(exporter: Any) -> None:
    app = make_app(exporter)
    client = app.test_client()
    token = {"I-Twilio-Idempotency-Token": "tok-trace"}
    signed_post(client, "/twilio/messages", SMS, headers=token)
    signed_post(client, "/twilio/messages", SMS, headers=token)
    outcomes = [
        (s.attributes or {})["twhooks.outcome"]
        for s in exporter.get_finished_spans()
        if s.name == "twhooks message"
    ]
    assert outcomes == ["handled", "replayed"]


def test_the_wsgi_middleware_span_is_the_parent(exporter: Any) -> None:
    app = make_app(exporter)
    app.wsgi_app = OpenTelemetryMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, tracer_provider=exporter.provider
    )
    assert signed_post(app.test_client(), "/twilio/messages", SMS).status_code == 200
    span = named(exporter, "twhooks message")
    [http] = [s for s in exporter.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
    assert span.parent is not None and span.parent.span_id == http.context.span_id


@pytest.mark.parametrize("instrument_first", [True, False], ids=["before", "after"])
def test_the_flask_instrumentation_span_is_the_parent(
    exporter: Any, instrument_first: bool
) -> None:
    # FlaskInstrumentor starts its span in a before_request function, called before twhooks'
    # whether it instruments the app before or after init_app.
    app = Flask(__name__)
    instrumentor = FlaskInstrumentor()
    if instrument_first:
        instrumentor.instrument_app(app, tracer_provider=exporter.provider)
    app.config.update(TESTING=True, TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_TRACING=exporter.provider)
    hooks = TwilioHooks(app)
    hooks.message()(lambda msg: "ok")
    if not instrument_first:
        instrumentor.instrument_app(app, tracer_provider=exporter.provider)
    try:
        client = app.test_client()
        for _ in range(2):
            assert signed_post(client, "/twilio/messages", SMS).status_code == 200
        webhooks = [s for s in exporter.get_finished_spans() if s.name == "twhooks message"]
        https = [s for s in exporter.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
        assert len(webhooks) == len(https) == 2
        for span, http in zip(webhooks, https, strict=True):
            assert span.parent is not None and span.parent.span_id == http.context.span_id
        # Nothing stays current after a request.
        assert not trace.get_current_span().get_span_context().is_valid
    finally:
        instrumentor.uninstrument_app(app)


def test_store_calls_are_children_of_the_webhook(exporter: Any, tmp_path: Path) -> None:
    app = make_app(exporter, TWHOOKS_STORE=f"sqlite:///{tmp_path / 'store.db'}")
    token = {"I-Twilio-Idempotency-Token": "tok-store"}
    assert signed_post(app.test_client(), "/twilio/messages", SMS, headers=token).status_code == 200
    span = named(exporter, "twhooks message")
    store = [s for s in exporter.get_finished_spans() if s.name.startswith("twhooks.store ")]
    names = {s.name for s in store}
    assert "twhooks.store claim" in names
    for child in store:
        if child.name == "twhooks.store claim":
            assert child.parent is not None and child.parent.span_id == span.context.span_id
            assert child.context.trace_id == span.context.trace_id


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_quart_webhooks_have_their_span(
    exporter: Any, store: str, tmp_path: Path, serve: Callable[[Any], HypercornServer]
) -> None:
    # With SQLite, the store's work (and the span's end) is in a worker thread.
    from quart import Quart

    from twhooks.quart import TwilioHooks as QuartHooks

    app = Quart(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_TRACING=exporter.provider)
    if store == "sqlite":
        app.config["TWHOOKS_STORE"] = f"sqlite:///{tmp_path / 'store.db'}"
    hooks = QuartHooks(app)

    @hooks.message()
    async def reply(msg: Any) -> str:
        return "ok"

    url = serve(app).url + "/twilio/messages"
    for _ in range(2):
        headers = {"X-Twilio-Signature": official_signature(url, SMS)}
        assert requests.post(url, data=SMS, headers=headers, timeout=10).status_code == 200
    spans = [s for s in exporter.get_finished_spans() if s.name == "twhooks message"]
    assert len(spans) == 2
    for span in spans:
        assert span.attributes is not None and span.attributes["twhooks.outcome"] == "handled"
        assert span.parent is None  # the first one is not the second one's parent


def test_off_nothing_is_traced(exporter: Any) -> None:
    app = make_app(exporter, TWHOOKS_TRACING=False)
    assert signed_post(app.test_client(), "/twilio/messages", SMS).status_code == 200
    names = [s.name for s in exporter.get_finished_spans()]
    assert names == ["send a REST request"]  # the app's own span, and none of twhooks'


def test_a_carrier_takes_the_webhook_trace_into_other_work(exporter: Any) -> None:
    # What a background job does: the handler injects the context into a dict (a job's
    # JSON), another thread extracts it later and starts its span in it.
    from twhooks.observability import extract, inject

    app = make_app(exporter)
    hooks: TwilioHooks = app.extensions["twhooks"].hooks
    carriers: list[dict[str, str]] = []

    @hooks.message(keyword="LATER")
    def later(msg: Any) -> str:
        carriers.append(inject())
        return "queued"

    response = signed_post(app.test_client(), "/twilio/messages", {**SMS, "Body": "LATER"})
    assert response.status_code == 200
    [carrier] = carriers
    assert set(carrier) <= {"traceparent", "tracestate"} and "traceparent" in carrier
    webhook = named(exporter, "twhooks message")
    assert carrier["traceparent"].split("-")[1] == f"{webhook.context.trace_id:032x}"

    def job() -> None:
        tracer = exporter.provider.get_tracer("jobs")
        with tracer.start_as_current_span("twhooks job message", context=extract(carrier)):
            pass

    worker = threading.Thread(target=job)
    worker.start()
    worker.join()
    span = named(exporter, "twhooks job message")
    assert span.context.trace_id == webhook.context.trace_id
    assert span.parent is not None and span.parent.span_id == webhook.context.span_id


@pytest.mark.parametrize(
    "carrier",
    [None, {}, {"traceparent": "not-a-traceparent"}, {"tracestate": "a=b"}],
    ids=["none", "empty", "malformed", "no-traceparent"],
)
def test_a_carrier_without_a_trace_context_extracts_none(carrier: Any) -> None:
    from twhooks.observability import extract

    assert extract(carrier) is None


def test_outside_a_span_the_carrier_is_empty(exporter: Any) -> None:
    from twhooks.observability import inject

    assert inject() == {}
    given = {"job": "kept"}
    assert inject(given) is given and given == {"job": "kept"}


def test_the_example_trace_of_the_docs(
    exporter: Any, live_server: Callable[[Any], Any], tmp_path: Path
) -> None:
    # docs/observability.rst's trace, for real: an instrumented app on a real server, a
    # handler that sends an SMS through an instrumented requests, the default store.
    from flask import request
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    api = Flask("api")
    traceparents: list[str | None] = []

    @api.post("/2010-04-01/Accounts/<sid>/Messages.json")
    def create(sid: str) -> Any:
        traceparents.append(request.headers.get("traceparent"))
        return {"sid": "SM" + "d" * 32}, 201

    messages_api = live_server(api).url + f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    app = Flask(__name__)
    app.config.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        SECRET_KEY="k",
        TWHOOKS_TRACING=exporter.provider,
        TWHOOKS_STORE=f"sqlite:///{tmp_path / 'store.db'}",
    )
    hooks = TwilioHooks(app)

    @hooks.message()
    def balance(msg: Any) -> None:
        msg.conversation.goto("asked")
        sent = requests.post(messages_api, data={"To": msg.from_, "Body": "$10"}, timeout=10)
        assert sent.status_code == 201

    app.wsgi_app = OpenTelemetryMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, tracer_provider=exporter.provider
    )
    url = live_server(app).url + "/twilio/messages"
    instrumentor = RequestsInstrumentor()
    instrumentor.instrument(tracer_provider=exporter.provider)
    try:
        headers = {
            "X-Twilio-Signature": official_signature(url, SMS),
            "I-Twilio-Idempotency-Token": "tok-example",
        }
        assert requests.post(url, data=SMS, headers=headers, timeout=10).status_code == 200
    finally:
        instrumentor.uninstrument()
    # The HTTP span ends as the server closes the response, after the client has it.
    spans = finished(exporter, lambda spans: sum(s.kind == trace.SpanKind.SERVER for s in spans))
    by_id = {s.context.span_id: s for s in spans}
    webhook = named(exporter, "twhooks message")
    assert webhook.parent is not None
    assert by_id[webhook.parent.span_id].kind == trace.SpanKind.SERVER  # the HTTP span
    children = [s for s in spans if s.parent and s.parent.span_id == webhook.context.span_id]
    names = {s.name for s in children}
    assert {"twhooks.store claim", "twhooks.store finish"} <= names
    [rest] = [
        s
        for s in children
        if s.kind == trace.SpanKind.CLIENT and "Messages.json" in str(s.attributes)
    ]
    assert rest.context.trace_id == webhook.context.trace_id
    # The trace went on to the API: its request carried the webhook's trace id.
    [traceparent] = traceparents
    assert traceparent is not None
    assert traceparent.split("-")[1] == f"{webhook.context.trace_id:032x}"


def test_the_asgi_instrumentation_span_is_the_parent_on_quart(
    exporter: Any, serve: Callable[[Any], HypercornServer]
) -> None:
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware as AsgiTracing
    from quart import Quart

    from twhooks.quart import TwilioHooks as QuartHooks

    app = Quart(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_TRACING=exporter.provider)
    hooks = QuartHooks(app)

    @hooks.message()
    async def reply(msg: Any) -> str:
        return "ok"

    server = serve(AsgiTracing(app, tracer_provider=exporter.provider))
    url = server.url + "/twilio/messages"
    for _ in range(2):
        headers = {"X-Twilio-Signature": official_signature(url, SMS)}
        assert requests.post(url, data=SMS, headers=headers, timeout=10).status_code == 200
    servers = finished(
        exporter, lambda spans: sum(s.kind == trace.SpanKind.SERVER for s in spans) >= 2
    )
    https = {s.context.span_id: s for s in servers if s.kind == trace.SpanKind.SERVER}
    webhooks = named_all(exporter, "twhooks message")
    assert len(webhooks) == 2 and len(https) == 2
    parents = set()
    for span in webhooks:
        assert span.parent is not None and span.parent.span_id in https
        assert https[span.parent.span_id].context.trace_id == span.context.trace_id
        parents.add(span.parent.span_id)
    assert len(parents) == 2  # each request its own


def finished(exporter: InMemorySpanExporter, ready: Callable[[Any], Any]) -> Any:
    """The finished spans once *ready* says they are all there (at most 5 s)."""
    deadline = time.monotonic() + 5
    while not ready(spans := exporter.get_finished_spans()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return spans


def named_all(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]
