"""Conversations and TaskRouter webhooks (and Event Streams' status order) on Quart, through
a real Hypercorn server, signed with the official SDK's ``RequestValidator`` — the Flask
tests of ``test_conversations_webhooks.py`` and ``test_taskrouter.py`` on the asyncio
driver, with ``async def`` and plain handlers."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from typing import Any

import pytest
import requests
from _signing import TOKEN, official_signature
from quart import Quart
from test_conversations_webhooks import ADDED, pre
from test_taskrouter import ASSIGNMENT, QUEUE
from twilio.request_validator import RequestValidator

from twhooks import (
    Assignment,
    ConversationEvent,
    Instruction,
    MessageStatusEvent,
    ModifyAction,
    RejectAction,
    TaskRouterEvent,
    payloads,
)
from twhooks.quart import TwilioHooks


def post(base: str, path: str, params: dict[str, str], **tamper: str) -> requests.Response:
    url = base + path
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    return requests.post(url, data={**params, **tamper}, headers=headers, timeout=20)


def make_app() -> tuple[Quart, list[Any]]:
    app = Quart("products_quart")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    seen: list[Any] = []

    @hooks.conversation_event("onMessageAdd")
    async def moderate(event: ConversationEvent) -> Any:
        seen.append(("moderate", event.event_type, event.body))
        body = event.body or ""
        if "spam" in body:
            return RejectAction("looks like spam")
        if "darn" in body:
            return ModifyAction(body=body.replace("darn", "****"), friendly_name="not a message's")
        if body == "slow":
            await asyncio.sleep(0.3)
        return None

    @hooks.conversation_event("onMessageAdded")
    def archive(event: ConversationEvent) -> None:  # a plain handler, in a worker thread
        seen.append(("archive", event.event_type, event.message_sid))

    @hooks.taskrouter_event("task.*")
    async def on_task(event: TaskRouterEvent) -> None:
        seen.append(("task", event.event_type, event.task_sid))

    @hooks.taskrouter_event()
    def on_rest(event: TaskRouterEvent) -> None:
        seen.append(("rest", event.event_type, event.resource_sid))

    @hooks.assignment(QUEUE)
    def vip(assignment: Assignment) -> Instruction:
        seen.append(("vip", assignment.task_sid))
        return Instruction.call("https://example.com/agent", "+15005550006", accept=True)

    @hooks.assignment()
    async def assign(assignment: Assignment) -> Instruction | None:
        seen.append(("assign", assignment.task_attributes.get("type")))
        kind = assignment.task_attributes.get("type")
        if kind == "support_request":
            return Instruction.dequeue(post_work_activity_sid="WA" + "9" * 32)
        if kind == "later":
            return None
        return Instruction.reject("WA" + "1" * 32)

    return app, seen


@pytest.fixture
def server(serve: Any) -> tuple[str, list[Any]]:
    app, seen = make_app()
    return serve(app).url, seen


# -- Conversations ----------------------------------------------------------------------------


def test_conversations_allow_block_and_change(server: tuple[str, list[Any]]) -> None:
    base, seen = server
    path = "/twilio/conversations"
    allowed = post(base, path, pre("hello"))
    assert (allowed.status_code, allowed.content) == (200, b"")
    assert post(base, path, pre("spam here")).status_code == 403
    changed = post(base, path, pre("darn"))
    # Only what Twilio lets onMessageAdd change is sent.
    assert (changed.status_code, changed.json()) == (200, {"body": "****"})
    assert post(base, path, ADDED).status_code == 200
    assert seen[-1] == ("archive", "onMessageAdded", ADDED["MessageSid"])
    assert [s[2] for s in seen if s[0] == "moderate"] == ["hello", "spam here", "darn"]


def test_conversations_without_a_handler_or_signature(server: tuple[str, list[Any]]) -> None:
    base, seen = server
    none = post(base, "/twilio/conversations", {**pre("x"), "EventType": "onConversationAdd"})
    assert none.status_code == 200  # any other status would block the action
    forged = post(base, "/twilio/conversations", pre("hello"), Body="hello spam")
    assert forged.status_code == 403
    assert seen == []


def test_an_async_pre_action_over_the_budget_is_logged(
    server: tuple[str, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import twhooks.conversations_webhooks as answers

    monkeypatch.setattr(answers, "BUDGET", 0.1)
    base, _ = server
    with caplog.at_level(logging.WARNING, logger="twhooks.dispatch"):
        assert post(base, "/twilio/conversations", pre("slow")).status_code == 200
    assert "moderate took 0.3 s on onMessageAdd" in caplog.text
    assert "Twilio went on with the action unchanged" in caplog.text


# -- TaskRouter -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "expected"),
    [("task.created", "task"), ("workspace.updated", "rest"), ("worker.created", "rest")],
)
def test_taskrouter_events_route_by_glob(
    server: tuple[str, list[Any]], event_type: str, expected: str
) -> None:
    base, seen = server
    answer = post(base, "/twilio/taskrouter/events", payloads.taskrouter_event(event_type))
    assert (answer.status_code, answer.headers.get("Content-Type")) == (204, "application/json")
    [(handler, got, _)] = seen
    assert (handler, got) == (expected, event_type)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            {"instruction": "dequeue", "post_work_activity_sid": "WA" + "9" * 32},
        ),
        (
            {"TaskQueueSid": QUEUE},
            {
                "instruction": "call",
                "url": "https://example.com/agent",
                "from": "+15005550006",
                "accept": True,
            },
        ),
        ({"TaskAttributes": '{"type": "later"}'}, {}),
        (
            {"TaskAttributes": '{"type": "other"}'},
            {"instruction": "reject", "activity_sid": "WA" + "1" * 32},
        ),
    ],
    ids=["async dequeue", "plain call by queue", "decide later", "reject"],
)
def test_assignment_instructions(
    server: tuple[str, list[Any]], params: dict[str, str], expected: dict[str, Any]
) -> None:
    base, _ = server
    answer = post(base, "/twilio/taskrouter/assignment", {**ASSIGNMENT, **params})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == expected


def test_a_tampered_assignment_runs_nothing(server: tuple[str, list[Any]]) -> None:
    base, seen = server
    forged = '{"type": "support_request", "vip": true}'
    answer = post(base, "/twilio/taskrouter/assignment", ASSIGNMENT, TaskAttributes=forged)
    assert answer.status_code == 403
    assert seen == []


def test_an_assignment_without_a_handler_is_answered_with_empty_json(serve: Any) -> None:
    app = Quart("no_assignment")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    TwilioHooks(app)
    answer = post(serve(app).url, "/twilio/taskrouter/assignment", ASSIGNMENT)
    assert (answer.status_code, answer.json()) == (200, {})


# -- Event Streams: a message's status events one at a time, on the event loop ---------------


def test_status_events_of_one_message_never_overlap_on_the_event_loop(serve: Any) -> None:
    """Two batches with statuses of the same message, sent at once: the second waits for
    the first's lock on the event loop (no worker thread held), then a late status runs no
    handler; the store and the handler see the furthest status."""
    app = Quart("ordered_quart")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    spans: list[tuple[str, float, float]] = []

    @hooks.event_stream("com.twilio.messaging.message.*")
    async def on_status(event: MessageStatusEvent) -> None:
        start = time.monotonic()
        await asyncio.sleep(0.2)
        spans.append((event.status.status, start, time.monotonic()))

    base = serve(app).url
    sid = "SM" + "a" * 32
    validator = RequestValidator(TOKEN)

    def send(status: str) -> None:
        event = payloads.cloud_event(f"com.twilio.messaging.message.{status}")
        event["data"]["messageSid"] = sid
        body = json.dumps([event])
        url = f"{base}/twilio/events?bodySHA256={validator.compute_hash(body)}"
        headers = {
            "Content-Type": "application/json",
            "X-Twilio-Signature": validator.compute_signature(url, {}),
        }
        answers.append(requests.post(url, data=body, headers=headers, timeout=20).status_code)

    answers: list[int] = []
    threads = [threading.Thread(target=send, args=(s,)) for s in ("sent", "delivered")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send("queued")  # late: recorded, no handler
    assert answers == [204, 204, 204]
    ran = sorted(spans, key=lambda s: s[1])
    assert len(ran) in (1, 2)  # "sent" after "delivered" is late too
    if len(ran) == 2:
        assert ran[1][1] >= ran[0][2], f"the handlers overlapped: {ran}"
    assert "queued" not in [s[0] for s in ran]

    async def furthest() -> Any:
        async with app.app_context():
            return hooks.deliveries.get(sid)

    delivery = asyncio.run(furthest())
    assert delivery is not None and delivery.status == "delivered"
