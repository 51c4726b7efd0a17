"""An Event Streams batch in the inspector: its row names the events, its replay sends the
batch again as JSON signed through ``bodySHA256`` (issue 22)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from browser import webhook_app
from twilio.request_validator import RequestValidator

from twhooks import CloudEvent, payloads

P = "/twilio/_inspector"


def test_a_batch_has_its_row_and_is_replayed() -> None:
    app, hooks = webhook_app()
    token = app.config["TWILIO_AUTH_TOKEN"]
    handled: list[str] = []

    @hooks.event_stream()
    def every(event: CloudEvent) -> None:
        handled.append(event.id)

    client = app.test_client()
    events = [payloads.cloud_event(), payloads.cloud_event(), payloads.cloud_event("x.y")]
    body = json.dumps(events)
    validator = RequestValidator(token)
    query = f"bodySHA256={validator.compute_hash(body)}"
    signature = validator.compute_signature(f"http://localhost/twilio/events?{query}", {})
    answer = client.post(
        "/twilio/events",
        query_string=query,
        data=body,
        content_type="application/json",
        headers={"X-Twilio-Signature": signature},
    )
    assert answer.status_code == 204
    feed: Any = client.get(P + "/feed.json").get_json()
    [row] = [r for r in feed["rows"] if r["kind"] == "event_stream"]
    assert row["verdict"] == "valid" and row["status"] == 204
    assert row["body"] == "3 events: com.twilio.messaging.message.delivered (2), x.y"
    assert row["why"] == "3 events: 3 handled"

    page = client.get(P + f"/r/{row['id']}").get_data(as_text=True)
    # "twhooks send" cannot send a batch whole: both buttons copy the curl command.
    assert page.count("Content-Type: application/json") >= 2
    assert "twhooks send event_stream" not in page
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    replayed = client.post(P + f"/r/{row['id']}/replay", data={"csrf_token": match.group(1)})
    assert replayed.status_code == 200
    # Signed again and accepted: each event's id was handled already, so nothing runs twice.
    assert handled == [e["id"] for e in events]
    with app.app_context():
        latest = hooks.history.recent(1)[0]
    assert latest.kind == "event_stream" and latest.verdict == "valid"
    assert latest.why == "3 events: 0 handled; 3 duplicate"


@pytest.mark.parametrize(
    ("kind", "path", "fields"),
    [
        ("alert", "/twilio/alerts", {}),
        ("conversation_event", "/twilio/conversations", {"event_type": "onMessageAdded"}),
        ("taskrouter_event", "/twilio/taskrouter/events", {"event_type": "task.created"}),
        ("assignment", "/twilio/taskrouter/assignment", {}),
    ],
)
def test_the_other_surfaces_have_their_rows(kind: str, path: str, fields: dict[str, str]) -> None:
    from twhooks.flask.testing import TwilioTestClient

    app, _ = webhook_app()
    reply = TwilioTestClient(app).webhook(kind, **fields)
    assert reply.status_code is not None and reply.status_code < 300
    client = app.test_client()
    feed: Any = client.get(P + "/feed.json").get_json()
    [row] = feed["rows"]
    assert (row["kind"], row["verdict"], row["status"]) == (kind, "valid", reply.status_code)
    assert path in client.get(row["detail"]).get_data(as_text=True)
