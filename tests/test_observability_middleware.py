"""The signature middlewares' refusals, observed as the dispatcher's are: log fields, a span
(``twhooks <kind>`` or ``twhooks refused``, outcome ``refused``) and the metrics; the
``/metrics`` page they serve. WSGI on gunicorn (2 workers, multiprocess metrics), ASGI on
Hypercorn."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from _hypercorn import HypercornServer
from _logs import Capture
from _servers import Gunicorn
from _signing import TOKEN, official_signature
from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware as AsgiTracing
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from twhooks import ConfigurationError
from twhooks.asgi import TwilioSignatureMiddleware as AsgiMiddleware
from twhooks.middleware import TwilioSignatureMiddleware as WsgiMiddleware
from twhooks.observability import store as store_watch
from twhooks.observability.metrics import Metrics
from twhooks.observability.tracing import Tracing

SMS = {
    "AccountSid": "AC" + "a" * 32,
    "MessageSid": "SM" + "b" * 32,
    "From": "+15550001111",
    "To": "+15550002222",
    "Body": "hi",
}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PASSWORD = "s3cret-url-pass"
METRICS_AUTH = ("prometheus", "metrics-pass")


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples of metric *name* in a scrape, by their sorted labels."""
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


# -- WSGI, on gunicorn -------------------------------------------------------------------------


def read_lines(folder: Path, prefix: str) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(folder.glob(f"{prefix}-*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def test_wsgi_refusals_on_gunicorn_are_logged_traced_and_counted(
    tmp_path: Path, gunicorn: Callable[..., Gunicorn]
) -> None:
    output, metrics = tmp_path / "output", tmp_path / "prometheus"
    output.mkdir()
    metrics.mkdir()
    server = gunicorn(
        "observability_app:middleware_app()",
        workers=2,
        env={
            "TEST_TWILIO_AUTH_TOKEN": TOKEN,
            "TEST_OUTPUT": str(output),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        },
    )
    messages, sms = server.url + "/twilio/messages", server.url + "/twilio/sms"
    body = urlencode(SMS)
    sent_signatures = []

    def post(url: str, signature: str | None, data: str = body) -> int:
        headers = dict(FORM)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
            sent_signatures.append(signature)
        return requests.post(url, data=data, headers=headers, timeout=15).status_code

    assert post(messages, official_signature(messages, SMS)) == 200
    assert post(messages, official_signature(messages, SMS, "another-token-0123456789")) == 403
    assert post(sms, None) == 403  # unsigned, at a path of no twhooks route
    assert post(sms, "x" * 28, data="Body=" + "x" * 5000) == 413
    # The metrics: every worker's, at /metrics, behind the password.
    assert requests.get(server.url + "/metrics", timeout=15).status_code == 401
    text = requests.get(server.url + "/metrics", auth=METRICS_AUTH, timeout=15).text
    assert samples(text, "twhooks_refusals_total") == {
        (("reason", "invalid_signature"),): 1.0,
        (("reason", "missing_signature"),): 1.0,
        (("reason", "status_413"),): 1.0,
    }
    assert samples(text, "twhooks_webhooks_total") == {
        (("kind", "message"), ("outcome", "refused")): 1.0,
        (("kind", "unknown"), ("outcome", "refused")): 2.0,
    }
    server.stop()  # every span and record written
    # The spans: one per refusal, a child of the HTTP span; none for the accepted request
    # (the app behind has no twhooks extension to report it).
    spans = read_lines(output, "spans")
    http = {s["span_id"]: s for s in spans if s["kind"] == "SERVER"}
    refused = [s for s in spans if s["name"].startswith("twhooks ")]
    assert sorted(s["name"] for s in refused) == [
        "twhooks message",
        "twhooks refused",
        "twhooks refused",
    ]
    reasons = {}
    for span in refused:
        attributes = span["attributes"]
        assert attributes["twhooks.outcome"] == "refused"
        assert "twilio.message_sid" not in attributes  # claimed, never verified
        assert span["parent_id"] in http
        assert http[span["parent_id"]]["trace_id"] == span["trace_id"]
        reasons[attributes["twhooks.refusal"]] = attributes["http.response.status_code"]
        assert ("twhooks.kind" in attributes) == (span["name"] == "twhooks message")
    assert reasons == {"invalid_signature": 403, "missing_signature": 403, "status_413": 413}
    # The log records: the warning and the closing line of each refusal share its fields.
    lines = read_lines(output, "log")
    warnings = [line for line in lines if line["logger"] == "twhooks.middleware"]
    ends = [line for line in lines if line["logger"] == "twhooks.webhooks"]
    assert len(warnings) == len(ends) == 3
    for warning in warnings:
        [end] = [line for line in ends if line["request_id"] == warning["request_id"]]
        assert warning["outcome"] == end["outcome"] == "refused"
        assert warning.get("kind") == end.get("kind")
        assert "message_sid" not in end and "account_sid" not in end
    assert sorted(end["status"] for end in ends) == [403, 403, 413]
    # No secret in any record: the auth token, a signature, the metrics' password.
    everything = "\n".join(path.read_text() for path in output.glob("*.jsonl"))
    for secret in (TOKEN, "metrics-pass", *sent_signatures):
        assert secret not in everything


def test_the_wsgi_middleware_checks_its_settings() -> None:
    def app(environ: Any, start_response: Any) -> Any:
        return []

    with pytest.raises(ConfigurationError, match="metrics_route= is set without metrics_password="):
        WsgiMiddleware(app, TOKEN, metrics=True, metrics_route="/metrics")
    with pytest.raises(ConfigurationError, match="metrics_route= is set but metrics= is off"):
        WsgiMiddleware(app, TOKEN, metrics_route="/metrics", metrics_password="p")
    with pytest.raises(ConfigurationError, match="tracing= must be True, False, None"):
        WsgiMiddleware(app, TOKEN, tracing="on")


# -- ASGI, on Hypercorn ------------------------------------------------------------------------


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    exporter.provider = provider  # type: ignore[attr-defined]
    yield exporter
    store_watch.unwatch(Tracing(provider))
    provider.shutdown()


@pytest.fixture
def registry() -> Iterator[CollectorRegistry]:
    registry = CollectorRegistry()
    yield registry
    store_watch.unwatch(Metrics(registry))


async def accepted(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app that answers 200 to anything it is handed."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"accepted"})


def servers(exporter: InMemorySpanExporter) -> dict[int, ReadableSpan]:
    """The HTTP spans of OpenTelemetry's ASGI middleware, by id."""
    return {
        s.context.span_id: s
        for s in exporter.get_finished_spans()
        if s.kind == trace.SpanKind.SERVER
    }


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]


def test_asgi_refusals_on_hypercorn_are_logged_traced_and_counted(
    exporter: InMemorySpanExporter,
    registry: CollectorRegistry,
    capture: Capture,
    serve: Callable[[Any], HypercornServer],
) -> None:
    # The public URL has a password in it (Twilio's basic-auth webhook URLs): never logged.
    middleware = AsgiMiddleware(
        accepted,
        TOKEN,
        protect=["/twilio"],
        public_url=f"http://twilio:{PASSWORD}@127.0.0.1",
        max_body_size=4096,
        tracing=exporter.provider,  # type: ignore[attr-defined]
        metrics=registry,
        metrics_route="/metrics",
        metrics_password="metrics-pass",
    )
    # OpenTelemetry's ASGI middleware outside: the HTTP span, parent of the refusals'.
    server = serve(AsgiTracing(middleware, tracer_provider=exporter.provider))  # type: ignore[attr-defined]
    public = f"http://twilio:{PASSWORD}@127.0.0.1/twilio/messages"
    messages = server.url + "/twilio/messages"
    good = official_signature(public, SMS)
    wrong = official_signature(public, SMS, "another-token-0123456789")
    ok = requests.post(messages, data=SMS, headers={"X-Twilio-Signature": good}, timeout=10)
    assert ok.status_code == 200
    forged = requests.post(messages, data=SMS, headers={"X-Twilio-Signature": wrong}, timeout=10)
    assert forged.status_code == 403
    assert requests.post(server.url + "/twilio/sms", data=SMS, timeout=10).status_code == 403
    big = requests.post(
        messages,
        data="Body=" + "x" * 5000,
        headers={**FORM, "X-Twilio-Signature": good},
        timeout=10,
    )
    assert big.status_code == 413
    # Spans: each a child of its request's HTTP span (which ends after the answer is sent).
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(servers(exporter)) < 4:
        time.sleep(0.01)
    https = servers(exporter)
    [message_403, message_413] = named(exporter, "twhooks message")
    [other] = named(exporter, "twhooks refused")
    for span, reason, status in (
        (message_403, "invalid_signature", 403),
        (message_413, "status_413", 413),
        (other, "missing_signature", 403),
    ):
        attributes = dict(span.attributes or {})
        assert attributes["twhooks.outcome"] == "refused"
        assert attributes["twhooks.refusal"] == reason
        assert attributes["http.response.status_code"] == status
        assert "twilio.message_sid" not in attributes
        assert span.parent is not None and span.parent.span_id in https
        assert https[span.parent.span_id].context.trace_id == span.context.trace_id
    assert dict(other.attributes or {}).get("twhooks.kind") is None
    # Metrics, in the registry and at /metrics.
    assert registry.get_sample_value("twhooks_refusals_total", {"reason": "status_413"}) == 1
    text = requests.get(server.url + "/metrics", auth=METRICS_AUTH, timeout=10).text
    assert samples(text, "twhooks_webhooks_total") == {
        (("kind", "message"), ("outcome", "refused")): 2.0,
        (("kind", "unknown"), ("outcome", "refused")): 1.0,
    }
    assert samples(text, "twhooks_refusals_total") == {
        (("reason", "invalid_signature"),): 1.0,
        (("reason", "missing_signature"),): 1.0,
        (("reason", "status_413"),): 1.0,
    }
    assert requests.get(server.url + "/metrics", timeout=10).status_code == 401
    # Log records: the warning and the closing line of each refusal share its fields.
    warnings = capture.of("twhooks.middleware")
    ends = capture.of("twhooks.webhooks")
    assert len(warnings) == len(ends) == 3
    assert {(w["request_id"], w.get("kind"), w["outcome"]) for w in warnings} == {
        (e["request_id"], e.get("kind"), e["outcome"]) for e in ends
    }
    # No secret in any record, attribute or JSON line.
    for record, line in zip(capture.records, capture.lines, strict=True):
        text = line + repr(record.__dict__) + record.getMessage()
        for secret in (TOKEN, PASSWORD, "metrics-pass", good, wrong):
            assert secret not in text, (secret, line)


def test_the_asgi_middleware_serves_metrics_even_under_a_protected_prefix(
    registry: CollectorRegistry, serve: Callable[[Any], HypercornServer]
) -> None:
    # protect=["/"] (the default) covers /metrics; the route is the middleware's own.
    middleware = AsgiMiddleware(
        accepted,
        TOKEN,
        tracing=False,
        metrics=registry,
        metrics_route="/metrics",
        metrics_password="metrics-pass",
    )
    server = serve(middleware)
    assert requests.post(server.url + "/anything", data=SMS, timeout=10).status_code == 403
    response = requests.get(server.url + "/metrics", auth=METRICS_AUTH, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert samples(response.text, "twhooks_refusals_total") == {
        (("reason", "missing_signature"),): 1.0
    }


def test_refusals_without_tracing_or_metrics_still_carry_their_fields(
    capture: Capture, serve: Callable[[Any], HypercornServer]
) -> None:
    server = serve(AsgiMiddleware(accepted, TOKEN, protect=["/twilio"], tracing=False))
    assert requests.post(server.url + "/twilio/voice", data=SMS, timeout=10).status_code == 403
    [warning] = capture.of("twhooks.middleware")
    [end] = capture.of("twhooks.webhooks")
    assert warning["kind"] == end["kind"] == "call"
    assert warning["request_id"] == end["request_id"]
    assert os.environ.get("PROMETHEUS_MULTIPROC_DIR") is None  # not leaked by another test


def test_asgi_websocket_refusals_are_observed(
    exporter: InMemorySpanExporter,
    registry: CollectorRegistry,
    capture: Capture,
    serve: Callable[[Any], HypercornServer],
) -> None:
    from twhooks.realtime.errors import UpgradeRefused
    from twhooks.realtime.testing import RelayCaller, new_call_sid

    middleware = AsgiMiddleware(
        accepted,
        TOKEN,
        protect=["/twilio"],
        tracing=exporter.provider,  # type: ignore[attr-defined]
        metrics=registry,
    )
    server = serve(middleware)
    url = f"ws://127.0.0.1:{server.port}/twilio/relay/{new_call_sid()}"
    with pytest.raises(UpgradeRefused):
        RelayCaller(url, None, signature=None).open()
    with pytest.raises(UpgradeRefused):
        RelayCaller(url, None, signature="x" * 28).open()
    spans = named(exporter, "twhooks relay")
    assert sorted(str((s.attributes or {})["twhooks.refusal"]) for s in spans) == [
        "invalid_signature",
        "missing_signature",
    ]
    for span in spans:
        assert (span.attributes or {})["twhooks.outcome"] == "refused"
        assert (span.attributes or {})["http.response.status_code"] == 403
    total = registry.get_sample_value(
        "twhooks_webhooks_total", {"kind": "relay", "outcome": "refused"}
    )
    assert total == 2
    assert registry.get_sample_value("twhooks_refusals_total", {"reason": "missing_signature"})
    warnings = capture.of("twhooks.middleware")
    assert [(w["kind"], w["outcome"]) for w in warnings] == [("relay", "refused")] * 2
