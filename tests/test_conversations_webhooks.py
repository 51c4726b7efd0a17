"""Conversations pre- and post-action webhooks at ``/twilio/conversations`` through a real
HTTP server (issue 22): form-encoded like Twilio's ``onMessageAdded`` example, signed with
the official SDK's ``RequestValidator``; a pre-action handler allows (200), blocks (any
other status) or changes fields (200 and JSON); a tampered request runs nothing."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from typing import Any

import pytest
import requests
from _signing import TOKEN, official_signature
from flask import Flask

from twhooks import ConversationEvent, ModifyAction, RejectAction, TwilioHooks, payloads
from twhooks.cli import main
from twhooks.exceptions import HandlerError

# The onMessageAdded example of a Conversations post-action webhook (values shortened).
ADDED = {
    "MessagingServiceSid": "MG" + "1" * 32,
    "EventType": "onMessageAdded",
    "Attributes": "{}",
    "DateCreated": "2022-05-18T13:42:17.312Z",
    "Index": "4",
    "MessageSid": "IM" + "2" * 32,
    "AccountSid": "AC" + "3" * 32,
    "Source": "SMS",
    "RetryCount": "0",
    "Author": "+447700900123",
    "ParticipantSid": "MB" + "4" * 32,
    "Body": "This is the actual message content",
    "ConversationSid": "CH" + "5" * 32,
}


def pre(body: str) -> dict[str, str]:
    params = {k: v for k, v in ADDED.items() if k not in ("MessageSid", "Index")}
    return {**params, "EventType": "onMessageAdd", "Body": body}


def make_app() -> tuple[Flask, list[ConversationEvent]]:
    app = Flask("conversations")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    seen: list[ConversationEvent] = []

    @hooks.conversation_event("onMessageAdd")
    def moderate(event: ConversationEvent) -> Any:
        seen.append(event)
        body = event.body or ""
        if "spam" in body:
            return RejectAction("looks like spam")
        if "darn" in body:
            return ModifyAction(body=body.replace("darn", "****"), attributes={"moderated": True})
        if body == "slow":
            time.sleep(0.3)
        return None

    @hooks.conversation_event("onMessageAdded", "onParticipantAdded")
    def archive(event: ConversationEvent) -> None:
        seen.append(event)

    return app, seen


def post(base: str, params: dict[str, str], *, tamper: dict[str, str] | None = None) -> Any:
    url = base + "/twilio/conversations"
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    return requests.post(url, data={**params, **(tamper or {})}, headers=headers, timeout=10)


@pytest.fixture
def sink(live_server: Any) -> tuple[str, list[ConversationEvent]]:
    app, seen = make_app()
    return live_server(app).url, seen


def test_a_post_action_event_is_a_typed_notification(
    sink: tuple[str, list[ConversationEvent]],
) -> None:
    base, seen = sink
    answer = post(base, ADDED)
    assert answer.status_code == 200
    [event] = seen
    assert event.event_type == "onMessageAdded" and not event.is_pre_action
    assert event.message_sid == ADDED["MessageSid"] and event.index == 4
    assert event.body == ADDED["Body"] and event.author == ADDED["Author"]
    assert event.date_created is not None and event.date_created.year == 2022


def test_a_pre_action_is_allowed_with_a_200(sink: tuple[str, list[ConversationEvent]]) -> None:
    base, seen = sink
    answer = post(base, pre("hello"))
    assert (answer.status_code, answer.content) == (200, b"")
    assert seen[0].is_pre_action


def test_a_pre_action_is_blocked_by_another_status(
    sink: tuple[str, list[ConversationEvent]],
) -> None:
    base, _ = sink
    answer = post(base, pre("buy spam now"))
    assert answer.status_code == 403
    assert "looks like spam" in answer.text


def test_a_pre_action_is_changed_by_a_json_body(sink: tuple[str, list[ConversationEvent]]) -> None:
    base, _ = sink
    answer = post(base, pre("darn it"))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {"body": "**** it", "attributes": '{"moderated": true}'}


def test_an_event_without_a_handler_is_allowed(sink: tuple[str, list[ConversationEvent]]) -> None:
    base, seen = sink
    answer = post(base, {**pre("x"), "EventType": "onConversationAdd"})
    assert answer.status_code == 200  # not 204: any status but 200 would block the action
    assert seen == []


def test_a_tampered_event_runs_nothing(sink: tuple[str, list[ConversationEvent]]) -> None:
    base, seen = sink
    assert post(base, pre("hello"), tamper={"Body": "hello spam"}).status_code == 403
    assert seen == []


def test_a_handler_over_the_budget_is_logged(
    sink: tuple[str, list[ConversationEvent]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import twhooks.conversations_webhooks as answers

    monkeypatch.setattr(answers, "BUDGET", 0.1)
    base, _ = sink
    with caplog.at_level(logging.WARNING, logger="twhooks.dispatch"):
        assert post(base, pre("slow")).status_code == 200
    assert "over Twilio's 0.1 s budget" in caplog.text
    assert "moderate took 0.3 s on onMessageAdd" in caplog.text
    assert "Twilio went on with the action unchanged" in caplog.text


def test_twhooks_send_and_the_test_client(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, seen = make_app()
    url = live_server(app).url + "/twilio/conversations"
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["send", "conversation_event", url, "EventType=onMessageAdd", "Body=spam"]) == 1
    assert "HTTP 403" in capsys.readouterr().out
    from twhooks.flask.testing import TwilioTestClient

    reply = TwilioTestClient(app).webhook("conversation_event", event_type="onMessageAdd")
    assert reply.status_code == 200
    assert [e.event_type for e in seen] == ["onMessageAdd", "onMessageAdd"]
    assert payloads.conversation_event()["EventType"] == "onMessageAdded"


def test_answers_that_are_not_answers() -> None:
    with pytest.raises(HandlerError, match="not a 200"):
        RejectAction(status=200)
    from twhooks.conversations_webhooks import answer_for

    with pytest.raises(HandlerError, match="not str"):
        answer_for("yes")
    assert json.loads(answer_for({"author": "bot"}).body) == {"author": "bot"}


@pytest.mark.parametrize(
    ("event_type", "answer", "sent", "dropped"),
    [
        ("onMessageAdd", {"body": "b", "author": "a", "attributes": {"k": 1}}, None, ""),
        ("onMessageUpdate", {"body": "b", "friendly_name": "x"}, {"body": "b"}, "friendly_name"),
        ("onConversationAdd", {"friendly_name": "n", "body": "b"}, {"friendly_name": "n"}, "body"),
        ("onParticipantAdd", {"attributes": "{}"}, {}, "attributes"),
    ],
    ids=["message fields", "not a message's", "a conversation's name", "no field at all"],
)
def test_only_the_fields_twilio_lets_an_event_change_are_sent(
    live_server: Any,
    caplog: pytest.LogCaptureFixture,
    event_type: str,
    answer: dict[str, Any],
    sent: dict[str, Any] | None,
    dropped: str,
) -> None:
    """The "Modifiable Fields" of Twilio's Conversations webhooks page: body, author and
    attributes of onMessageAdd/onMessageUpdate, friendly_name of onConversationAdd/Update."""
    app = Flask("modify")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    hooks.conversation_event(event_type)(lambda event: ModifyAction(answer))
    base = live_server(app).url
    with caplog.at_level(logging.WARNING, logger="twhooks.dispatch"):
        reply = post(base, {**pre("hi"), "EventType": event_type})
    assert reply.status_code == 200
    if sent is None:  # all of it, attributes as JSON text
        assert reply.json() == {**answer, "attributes": '{"k": 1}'}
        assert "left out" not in caplog.text
    else:
        assert (reply.json() if reply.content else {}) == sent
        assert f"{event_type}: {dropped} left out of the answer" in caplog.text
