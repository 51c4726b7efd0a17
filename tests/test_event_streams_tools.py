"""Event Streams in the tools: ``twhooks send event_stream``, the test clients, Quart's
``async def`` handlers, the glob routing and the parsing of CloudEvents (issue 22)."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timezone
from typing import Any

import pytest
from _signing import TOKEN
from flask import Flask
from quart import Quart
from twilio.request_validator import RequestValidator

from twhooks import CallStatusEvent, CloudEvent, MessageStatusEvent, payloads
from twhooks.cli import main
from twhooks.cloudevents import EventRouter, parse_batch
from twhooks.exceptions import HandlerError
from twhooks.flask import TwilioHooks
from twhooks.flask.testing import TwilioTestClient
from twhooks.quart import TwilioHooks as QuartHooks


def flask_sink() -> tuple[Flask, list[CloudEvent]]:
    app = Flask("sink")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    seen: list[CloudEvent] = []

    @hooks.event_stream("com.twilio.messaging.message.failed", "com.twilio.messaging.*.undelivered")
    def failures(event: MessageStatusEvent) -> None:
        seen.append(event)

    @hooks.event_stream()
    def rest(event: CloudEvent) -> None:
        seen.append(event)

    return app, seen


def test_twhooks_send_event_stream_signs_a_batch_the_sdk_accepts(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, seen = flask_sink()
    url = live_server(app).url + "/twilio/events"
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    status = main(
        ["send", "event_stream", url, "type=com.twilio.messaging.message.failed", "errorCode=30008"]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "HTTP 204" in out
    [event] = seen
    assert isinstance(event, MessageStatusEvent)
    assert event.type == "com.twilio.messaging.message.failed"
    assert event.status.status == "failed" and event.status.error_code == 30008


def test_the_test_client_signs_as_the_official_sdk_expects() -> None:
    app, _ = flask_sink()
    client = TwilioTestClient(app)
    body = json.dumps([payloads.cloud_event()]).encode()
    request = client.build_json_request("/twilio/events", body)
    validator = RequestValidator(TOKEN)
    assert validator.validate(request.url, body.decode(), request.headers["X-Twilio-Signature"])


def test_globs_route_by_type_first_match_then_the_catch_all() -> None:
    app, seen = flask_sink()
    client = TwilioTestClient(app)
    events = [
        payloads.cloud_event("com.twilio.messaging.message.undelivered"),
        payloads.cloud_event("com.twilio.messaging.message.delivered"),
        payloads.cloud_event("com.twilio.voice.status-callback.call.answered"),
    ]
    reply = client.send_events(events)
    assert reply.document is not None and reply.document.status_code == 204
    assert [e.id for e in seen] == [e["id"] for e in events]
    call = seen[2]
    assert isinstance(call, CallStatusEvent)
    assert call.status.status == "in-progress"  # "answered" is the callback's in-progress


def test_async_handlers_on_quart(serve: Any) -> None:
    import requests

    app = Quart("quart_sink")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = QuartHooks(app)
    seen: list[str] = []

    @hooks.event_stream("com.twilio.messaging.message.*")
    async def status(event: MessageStatusEvent) -> None:
        seen.append(event.id)

    @hooks.event_stream()
    def rest(event: CloudEvent) -> None:
        seen.append(event.id)

    base = serve(app).url
    events = [payloads.cloud_event(), payloads.cloud_event("com.twilio.eventstreams.test-event")]
    body = json.dumps(events).encode()
    validator = RequestValidator(TOKEN)
    url = f"{base}/twilio/events?bodySHA256={validator.compute_hash(body.decode())}"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": validator.compute_signature(url, {}),
    }
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 204
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 204
    assert seen == [e["id"] for e in events]  # the second delivery ran nothing


def test_cloudevents_attributes_and_bad_entries() -> None:
    good = {
        "specversion": "1.0",
        "type": "com.twilio.eventstreams.test-event",
        "source": "Sink",
        "id": "AC11111111111111111111111111111111",
        "dataschema": "https://events-schemas.twilio.com/EventStreams.TestSink/1.json",
        "datacontenttype": "application/json",
        "time": "2026-06-10T06:02:54.377Z",
        "data": {"test_id": "cae2f9e2-c277-4612-8ad3-93c1a7a3ef88"},
    }
    events, bad = parse_batch(json.dumps([good, 3, {"id": "x"}, {"type": "t"}]).encode())
    [event] = events
    assert (event.id, event.type, event.source) == (good["id"], good["type"], "Sink")
    assert event.time == datetime(2026, 6, 10, 6, 2, 54, 377000, tzinfo=timezone.utc)
    assert event.data == good["data"] and event.dataschema == good["dataschema"]
    assert [(b.index, b.id) for b in bad] == [(1, None), (2, "x"), (3, None)]
    with pytest.raises(ValueError, match="not an array"):
        parse_batch(b"12")


def test_a_second_catch_all_is_an_error() -> None:
    router = EventRouter()
    router.add(print, ())
    with pytest.raises(HandlerError, match="already registered"):
        router.add(print, ())


def test_the_quickstart_route_table_is_the_registry() -> None:
    from pathlib import Path

    from twhooks.kinds import route_table

    quickstart = Path(__file__).parent.parent / "docs" / "quickstart.rst"
    assert route_table(prefix="") in quickstart.read_text()


@pytest.mark.parametrize("include_stale", [False, True], ids=["late skipped", "include_stale"])
def test_a_late_status_event_runs_no_handler_unless_asked(include_stale: bool) -> None:
    """The status callbacks' rule: ``sent`` after ``delivered`` is recorded, not handled;
    the handler sees ``previous`` and ``advanced`` as a callback's would."""
    app = Flask("late_events")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    seen: list[tuple[str, str | None, bool | None]] = []

    @hooks.event_stream("com.twilio.messaging.message.*", include_stale=include_stale)
    def on_status(event: MessageStatusEvent) -> None:
        seen.append((event.status.status, event.status.previous, event.status.advanced))

    client = TwilioTestClient(app)
    sid = "SM" + "b" * 32

    def event(status: str) -> dict[str, Any]:
        return payloads.cloud_event(f"com.twilio.messaging.message.{status}", messageSid=sid)

    reply = client.send_events([event("delivered"), event("sent")])
    assert reply.document is not None and reply.document.status_code == 204
    expected = [("delivered", None, True)]
    if include_stale:
        expected.append(("sent", "delivered", False))
    assert seen == expected
    with app.app_context():
        delivery = hooks.deliveries.get(sid)
    assert delivery is not None and delivery.status == "delivered"
