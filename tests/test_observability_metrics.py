"""Prometheus metrics: counted in a registry in-process, and added up across 4 gunicorn
workers in prometheus_client's multiprocess mode."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from _hypercorn import HypercornServer
from _outage import OwnRedis
from _servers import Gunicorn, LiveServer
from _signing import TOKEN, official_signature, signed_post
from flask import Flask
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from twhooks import ConfigurationError, TwilioHooks, current_webhook
from twhooks.observability import store as store_watch
from twhooks.observability.metrics import Metrics

SMS = {
    "AccountSid": "AC" + "a" * 32,
    "MessageSid": "SM" + "b" * 32,
    "From": "+15550001111",
    "To": "+15550002222",
}


@pytest.fixture
def registry() -> Any:
    registry = CollectorRegistry()
    yield registry
    store_watch.unwatch(Metrics(registry))


def make_app(registry: CollectorRegistry, **config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_METRICS=registry)
    app.config.update(config)
    hooks = TwilioHooks(app)

    @hooks.message()
    def reply(msg: Any) -> str:
        if msg.body == "boom":
            raise RuntimeError("boom")
        if msg.body == "slow":
            assert msg.conversation is not None
            msg.conversation.goto("slow")  # its first use: the conversation is locked
            time.sleep(0.5)
        elif msg.body == "second":
            assert msg.conversation is not None
            msg.conversation.goto("second")
        return "ok"

    return app


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


def test_webhooks_are_counted_by_kind_and_outcome(registry: CollectorRegistry) -> None:
    app = make_app(registry, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    retry = {"I-Twilio-Idempotency-Token": "tok-1"}
    assert signed_post(client, "/twilio/messages", {**SMS, "Body": "hi"}).status_code == 200
    assert (
        signed_post(client, "/twilio/messages", {**SMS, "Body": "a"}, headers=retry).status_code
        == 200
    )
    assert (
        signed_post(client, "/twilio/messages", {**SMS, "Body": "a"}, headers=retry).status_code
        == 200
    )
    assert signed_post(client, "/twilio/messages", {**SMS, "Body": "boom"}).status_code == 500
    forged = client.post("/twilio/messages", data=SMS, headers={"X-Twilio-Signature": "bad"})
    assert forged.status_code == 403
    unsigned = client.post("/twilio/messages/status", data=SMS)
    assert unsigned.status_code == 403
    total = "twhooks_webhooks_total"
    assert sample(registry, total, kind="message", outcome="handled") == 2
    assert sample(registry, total, kind="message", outcome="replayed") == 1
    assert sample(registry, total, kind="message", outcome="failed") == 1
    assert sample(registry, total, kind="message", outcome="refused") == 1
    assert sample(registry, total, kind="message_status", outcome="refused") == 1
    assert sample(registry, "twhooks_refusals_total", reason="invalid_signature") == 1
    assert sample(registry, "twhooks_refusals_total", reason="missing_signature") == 1
    count = sample(registry, "twhooks_webhook_duration_seconds_count", kind="message")
    assert count == 5


def test_a_conversation_waited_for_is_measured(
    registry: CollectorRegistry, live_server: Callable[[Any], LiveServer], tmp_path: Path
) -> None:
    # Two messages of one person at once: the second waits for the first one's conversation.
    app = make_app(registry, TWHOOKS_STORE=f"sqlite:///{tmp_path / 'store.db'}")
    server = live_server(app)
    url = server.url + "/twilio/messages"

    def send(body: str) -> None:
        params = {**SMS, "Body": body}
        signature = official_signature(url, params)
        requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)

    send("warm-up")  # the store's tables made, its connections opened
    first = threading.Thread(target=send, args=("slow",))
    first.start()
    time.sleep(0.15)
    send("second")
    first.join()
    assert sample(registry, "twhooks_conversation_wait_seconds_count") == 1
    assert sample(registry, "twhooks_conversation_wait_seconds_sum") > 0.2


def test_a_conversation_waited_for_on_quart_is_measured(
    registry: CollectorRegistry, serve: Callable[[Any], HypercornServer], tmp_path: Path
) -> None:
    # The event loop's driver tries the conversation's lock between pauses on the loop.
    from quart import Quart

    from twhooks.quart import TwilioHooks as QuartHooks

    app = Quart(__name__)
    app.config.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        TWHOOKS_METRICS=registry,
        TWHOOKS_STORE=f"sqlite:///{tmp_path / 'store.db'}",
    )
    hooks = QuartHooks(app)

    @hooks.message()
    async def reply(msg: Any) -> str:
        if msg.body == "slow":
            await asyncio.sleep(0.5)
        return "ok"

    url = serve(app).url + "/twilio/messages"

    def send(body: str) -> None:
        params = {**SMS, "Body": body}
        signature = official_signature(url, params)
        requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)

    send("warm-up")
    assert sample(registry, "twhooks_conversation_wait_seconds_count") == 0
    first = threading.Thread(target=send, args=("slow",))
    first.start()
    time.sleep(0.15)
    send("second")
    first.join()
    assert sample(registry, "twhooks_conversation_wait_seconds_count") == 1
    assert sample(registry, "twhooks_conversation_wait_seconds_sum") > 0.2


def test_a_conversation_held_too_long_is_busy(
    registry: CollectorRegistry, live_server: Callable[[Any], LiveServer], tmp_path: Path
) -> None:
    app = make_app(registry, TWHOOKS_STORE=f"sqlite:///{tmp_path / 'store.db'}")
    app.extensions["twhooks"].facades.conversations.lock_wait = 0.1
    url = live_server(app).url + "/twilio/messages"
    statuses: list[int] = []

    def send(body: str) -> None:
        params = {**SMS, "Body": body}
        signature = official_signature(url, params)
        response = requests.post(
            url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
        )
        statuses.append(response.status_code)

    send("warm-up")  # the store's tables made, its connections opened
    first = threading.Thread(target=send, args=("slow",))
    first.start()
    time.sleep(0.15)
    send("second")
    first.join()
    assert sorted(statuses) == [200, 200, 503]
    assert sample(registry, "twhooks_webhooks_total", kind="message", outcome="busy") == 1
    assert sample(registry, "twhooks_webhooks_total", kind="message", outcome="handled") == 2
    assert sample(registry, "twhooks_conversation_wait_seconds_count") == 1


def test_store_errors_are_counted_by_operation(registry: CollectorRegistry) -> None:
    redis = OwnRedis()
    try:
        app = make_app(registry, TWHOOKS_STORE=redis.url, PROPAGATE_EXCEPTIONS=False)
        client = app.test_client()
        token = {"I-Twilio-Idempotency-Token": "tok-down"}
        ok = signed_post(client, "/twilio/messages", {**SMS, "Body": "hi"}, headers=token)
        assert ok.status_code == 200
    finally:
        redis.stop()
    token = {"I-Twilio-Idempotency-Token": "tok-down-2"}
    down = signed_post(client, "/twilio/messages", {**SMS, "Body": "hi"}, headers=token)
    assert down.status_code == 500
    assert sample(registry, "twhooks_store_errors_total", operation="claim") >= 1
    # The request ended there, failed: counted, and its fields are no longer current.
    assert sample(registry, "twhooks_webhooks_total", kind="message", outcome="failed") == 1
    assert current_webhook() is None


def test_the_metrics_route_needs_its_password(registry: CollectorRegistry) -> None:
    app = make_app(
        registry, TWHOOKS_METRICS_ROUTE="/metrics", TWHOOKS_METRICS_PASSWORD="pw-metrics"
    )
    client = app.test_client()
    signed_post(client, "/twilio/messages", {**SMS, "Body": "hi"})
    assert client.get("/metrics").status_code == 401
    wrong = base64.b64encode(b"x:nope").decode()
    assert client.get("/metrics", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode(b"prometheus:pw-metrics").decode()
    response = client.get("/metrics", headers={"Authorization": f"Basic {right}"})
    assert response.status_code == 200
    assert 'twhooks_webhooks_total{kind="message",outcome="handled"} 1.0' in response.text


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"TWHOOKS_METRICS_ROUTE": "/metrics"}, "without TWHOOKS_METRICS_PASSWORD"),
        ({"TWHOOKS_METRICS_ROUTE": "metrics", "TWHOOKS_METRICS_PASSWORD": "p"}, "a path"),
        ({"TWHOOKS_METRICS": "yes"}, "CollectorRegistry"),
        ({"TWHOOKS_METRICS": False, "TWHOOKS_METRICS_ROUTE": "/m"}, "TWHOOKS_METRICS is off"),
        ({"TWHOOKS_TRACING": "on"}, "TracerProvider"),
    ],
    ids=[
        "route-without-password",
        "route-not-a-path",
        "metrics-not-a-registry",
        "route-without-metrics",
        "tracing-not-a-provider",
    ],
)
def test_malformed_settings_are_named(
    registry: CollectorRegistry, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make_app(registry, **config)


def test_counts_add_up_across_four_gunicorn_workers(
    tmp_path: Path, gunicorn: Callable[..., Gunicorn]
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    server = gunicorn(
        "observability_app:flask_app()",
        workers=4,
        env={"TEST_TWILIO_AUTH_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(folder)},
    )
    url = server.url + "/twilio/messages"
    pids: set[str] = set()
    lock = threading.Lock()

    def send(index: int) -> None:
        params = {**SMS, "Body": "boom" if index % 10 == 0 else f"m{index}"}
        headers = {
            "X-Twilio-Signature": official_signature(url, params),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response = requests.post(url, data=urlencode(params), headers=headers, timeout=15)
        if response.status_code == 200:
            with lock:
                pids.update(re.findall(r"pid (\d+)", response.text))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    forged = requests.post(url, data=SMS, headers={"X-Twilio-Signature": "bad"}, timeout=15)
    assert forged.status_code == 403
    assert len(pids) >= 2, "the webhooks all reached one worker: nothing to add up"
    auth = ("prometheus", "metrics-pass")
    assert requests.get(server.url + "/metrics", timeout=15).status_code == 401
    # Any worker answers the scrape with every worker's counts.
    for _ in range(4):
        text = requests.get(server.url + "/metrics", auth=auth, timeout=15).text
        counts = {
            (s.labels["kind"], s.labels["outcome"]): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name == "twhooks_webhooks_total"
        }
        assert counts == {
            ("message", "handled"): 54.0,
            ("message", "failed"): 6.0,
            ("message", "refused"): 1.0,
        }
    files = [name for name in os.listdir(folder) if name.startswith("counter_")]
    assert len(files) >= 2


def test_the_metrics_route_on_quart_needs_its_password(
    registry: CollectorRegistry, serve: Callable[[Any], HypercornServer]
) -> None:
    from quart import Quart

    from twhooks.quart import TwilioHooks as QuartHooks

    app = Quart(__name__)
    app.config.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        TWHOOKS_METRICS=registry,
        TWHOOKS_METRICS_ROUTE="/metrics",
        TWHOOKS_METRICS_PASSWORD="pw-metrics",
    )
    hooks = QuartHooks(app)

    @hooks.message()
    async def reply(msg: Any) -> str:
        return "ok"

    server = serve(app)
    url = server.url + "/twilio/messages"
    signed = {"X-Twilio-Signature": official_signature(url, SMS)}
    assert requests.post(url, data=SMS, headers=signed, timeout=10).status_code == 200
    forged = {"X-Twilio-Signature": "bad"}
    assert requests.post(url, data=SMS, headers=forged, timeout=10).status_code == 403
    metrics = server.url + "/metrics"
    refused = requests.get(metrics, timeout=10)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Basic realm="twhooks metrics"'
    assert requests.get(metrics, auth=("x", "nope"), timeout=10).status_code == 401
    response = requests.get(metrics, auth=("prometheus", "pw-metrics"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    counts = {
        (s.labels["kind"], s.labels["outcome"]): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
        if s.name == "twhooks_webhooks_total"
    }
    assert counts == {("message", "handled"): 1.0, ("message", "refused"): 1.0}


@pytest.mark.parametrize("framework", ["flask", "quart"])
def test_refused_voice_socket_upgrades_are_counted(
    registry: CollectorRegistry,
    framework: str,
    live_server: Callable[[Any], LiveServer],
    serve: Callable[[Any], HypercornServer],
) -> None:
    from twhooks.realtime.errors import UpgradeRefused
    from twhooks.realtime.testing import RelayCaller, new_call_sid

    config = {"TWILIO_AUTH_TOKEN": TOKEN, "TWHOOKS_METRICS": registry}
    if framework == "quart":
        from quart import Quart

        from twhooks.quart import TwilioHooks as QuartHooks

        quart = Quart(__name__)
        quart.config.update(config)
        hooks: Any = QuartHooks(quart)
        server: Any = serve(quart)
    else:
        app = Flask(__name__)
        app.config.update(config)
        hooks = TwilioHooks(app)
        server = live_server(app)
    if framework == "quart":

        @hooks.relay()
        async def agent(session: Any) -> None:
            return None

    else:
        hooks.relay()(lambda session: None)
    base = f"ws://127.0.0.1:{server.port}/twilio"
    with pytest.raises(UpgradeRefused):
        RelayCaller(f"{base}/relay/{new_call_sid()}", None, signature=None).open()
    with pytest.raises(UpgradeRefused):
        RelayCaller(f"{base}/relay/not-a-call", None, signature="x" * 28).open()
    refused = {"kind": "relay", "outcome": "refused"}
    assert sample(registry, "twhooks_webhooks_total", **refused) == 2
    assert sample(registry, "twhooks_refusals_total", reason="missing_signature") == 1
    assert sample(registry, "twhooks_refusals_total", reason="invalid_call_sid") == 1
