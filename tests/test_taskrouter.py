"""TaskRouter's workspace events and assignment callback through a real HTTP server
(issue 22): form-encoded with the parameters of Twilio's pages, signed with the official
SDK's ``RequestValidator``; globs on ``EventType``; instructions answered as JSON; a
tampered request runs nothing."""

from __future__ import annotations

import io
import logging
import sys
import time
from typing import Any

import pytest
import requests
from _signing import TOKEN, official_signature
from flask import Flask

from twhooks import Assignment, Instruction, TaskRouterEvent, TwilioHooks, payloads
from twhooks.cli import main
from twhooks.exceptions import HandlerError

QUEUE = "WQ" + "7" * 32

# The parameters of the "Handling Assignment Callbacks" page.
ASSIGNMENT = {
    "Timestamp": "1733480000",
    "AccountSid": "AC" + "1" * 32,
    "WorkspaceSid": "WS" + "2" * 32,
    "WorkflowSid": "WW" + "3" * 32,
    "TaskQueueSid": "WQ" + "4" * 32,
    "WorkerSid": "WK" + "5" * 32,
    "WorkerAttributes": '{"agent_id": "123456", "phone": "+15558675309"}',
    "TaskSid": "WT" + "6" * 32,
    "TaskAttributes": '{"type": "support_request", "account_number": "1234567"}',
    "TaskAge": "45",
    "TaskPriority": "1",
    "ReservationSid": "WR" + "8" * 32,
}


def make_app() -> tuple[Flask, list[Any]]:
    app = Flask("taskrouter")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    seen: list[Any] = []

    @hooks.taskrouter_event("task.*")
    def on_task(event: TaskRouterEvent) -> None:
        seen.append(("task", event.event_type, event.task_sid))

    @hooks.taskrouter_event("reservation.accepted", "worker.activity.update")
    def on_people(event: TaskRouterEvent) -> None:
        seen.append(("people", event.event_type, event.worker_sid))

    @hooks.taskrouter_event()
    def on_rest(event: TaskRouterEvent) -> None:
        seen.append(("rest", event.event_type, event.resource_sid))

    @hooks.assignment(QUEUE)
    def vip(assignment: Assignment) -> Instruction:
        seen.append(("vip", assignment.task_sid))
        return Instruction.call(
            "https://example.com/twilio/voice/agent", from_="+15005550006", accept=True
        )

    @hooks.assignment()
    def assign(assignment: Assignment) -> Instruction | None:
        seen.append(("assign", assignment.task_attributes, assignment.worker_attributes))
        kind = assignment.task_attributes.get("type")
        if kind == "support_request":
            return Instruction.dequeue("+15005550006", post_work_activity_sid="WA" + "9" * 32)
        if kind == "later":
            return None
        return Instruction.reject()

    return app, seen


def post(base: str, path: str, params: dict[str, str], **tamper: str) -> Any:
    url = base + path
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    return requests.post(url, data={**params, **tamper}, headers=headers, timeout=10)


@pytest.fixture
def server(live_server: Any) -> tuple[str, list[Any]]:
    app, seen = make_app()
    return live_server(app).url, seen


@pytest.mark.parametrize(
    ("event_type", "expected"),
    [
        ("task.created", "task"),
        ("task.transfer-failed", "task"),
        ("reservation.accepted", "people"),
        ("worker.activity.update", "people"),
        ("reservation.timeout", "rest"),
        ("workspace.updated", "rest"),
        ("workflow.brand-new-event", "rest"),  # a type Twilio adds later still gets here
    ],
)
def test_workspace_events_route_by_glob(
    server: tuple[str, list[Any]], event_type: str, expected: str
) -> None:
    base, seen = server
    params = payloads.taskrouter_event(event_type)
    answer = post(base, "/twilio/taskrouter/events", params)
    # The Events reference: "204 No Content and a Content-Type header of application/json".
    assert (answer.status_code, answer.headers.get("Content-Type")) == (204, "application/json")
    [(handler, got, _)] = seen
    assert (handler, got) == (expected, event_type)


def test_an_event_is_typed(live_server: Any) -> None:
    app = Flask("one")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    got: list[TaskRouterEvent] = []
    hooks.taskrouter_event()(got.append)
    base = live_server(app).url
    params = payloads.taskrouter_event("reservation.accepted", params={"Timestamp": "0"})
    assert post(base, "/twilio/taskrouter/events", params).status_code == 204
    [event] = got
    assert event.resource_type == "reservation" and event.reservation_sid == event.resource_sid
    assert event.timestamp is not None and event.timestamp.year == 1970
    assert event.worker_activity_name == "Available"


def test_the_assignment_callback_is_answered_with_an_instruction(
    server: tuple[str, list[Any]],
) -> None:
    base, seen = server
    answer = post(base, "/twilio/taskrouter/assignment", ASSIGNMENT)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {
        "instruction": "dequeue",
        "from": "+15005550006",
        "post_work_activity_sid": "WA" + "9" * 32,
    }
    [(_, task, worker)] = seen
    assert task == {"type": "support_request", "account_number": "1234567"}
    assert worker["phone"] == "+15558675309"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"TaskQueueSid": QUEUE},
            {
                "instruction": "call",
                "url": "https://example.com/twilio/voice/agent",
                "from": "+15005550006",
                "accept": True,
            },
        ),
        ({"TaskAttributes": '{"type": "later"}'}, {}),
        ({"TaskAttributes": '{"type": "other"}'}, {"instruction": "reject"}),
    ],
    ids=["by queue", "decide later", "reject"],
)
def test_instructions(
    server: tuple[str, list[Any]], params: dict[str, str], expected: dict[str, Any]
) -> None:
    base, _ = server
    answer = post(base, "/twilio/taskrouter/assignment", {**ASSIGNMENT, **params})
    assert answer.status_code == 200 and answer.json() == expected


def test_a_tampered_assignment_runs_nothing(server: tuple[str, list[Any]]) -> None:
    base, seen = server
    forged = '{"type": "support_request", "vip": true}'
    answer = post(base, "/twilio/taskrouter/assignment", ASSIGNMENT, TaskAttributes=forged)
    assert answer.status_code == 403
    assert seen == []


def test_the_builder() -> None:
    assert Instruction.accept().to_dict() == {"instruction": "accept"}
    assert Instruction.reject("WA1").to_dict() == {"instruction": "reject", "activity_sid": "WA1"}
    assert Instruction.redirect("CA1", "https://x/y", accept=True).to_dict() == {
        "instruction": "redirect",
        "call_sid": "CA1",
        "url": "https://x/y",
        "accept": True,
    }
    conference = Instruction.conference("+1", to="client:alice", end_conference_on_exit=True)
    assert conference.to_dict() == {
        "instruction": "conference",
        "from": "+1",
        "to": "client:alice",
        "end_conference_on_exit": True,
    }
    # The page's dequeue of a worker's contact_uri, from the number the caller dialled.
    assert Instruction.dequeue(post_work_activity_sid="WA1").to_dict() == {
        "instruction": "dequeue",
        "post_work_activity_sid": "WA1",
    }
    dequeue = Instruction.dequeue("+1", status_callback_events="answered,completed")
    assert dequeue.to_dict()["status_callback_events"] == "answered,completed"
    assert Instruction.later().to_json() == "{}"


def test_a_glob_that_matches_no_event_type_is_a_typo() -> None:
    hooks = TwilioHooks()
    with pytest.raises(HandlerError, match="matches none"):
        hooks.taskrouter_event("tasks.*")(print)


def test_twhooks_send_and_the_test_client(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, seen = make_app()
    url = live_server(app).url + "/twilio/taskrouter/assignment"
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    fields = ['TaskAttributes={"type": "support_request"}']
    assert main(["send", "assignment", url, *fields]) == 0
    assert '"instruction": "dequeue"' in capsys.readouterr().out
    from twhooks.flask.testing import TwilioTestClient

    reply = TwilioTestClient(app).webhook("taskrouter_event", event_type="task.completed")
    assert reply.status_code == 204
    assert seen[-1][:2] == ("task", "task.completed")


def test_without_a_handler_the_assignment_waits_for_the_rest_api(
    live_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A 204 (or any answer but a 200 with JSON) is not read: TaskRouter calls the fallback
    URL. ``{}`` with 200 leaves the reservation pending, as the 40005 page says."""
    app = Flask("no_assignment")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    TwilioHooks(app).taskrouter_event()(print)
    base = live_server(app).url
    with caplog.at_level(logging.WARNING, logger="twhooks.dispatch"):
        answer = post(base, "/twilio/taskrouter/assignment", ASSIGNMENT)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {}
    assert "no @hooks.assignment handler" in caplog.text


def test_an_assignment_handler_over_the_budget_is_logged(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import twhooks.taskrouter as taskrouter

    monkeypatch.setattr(taskrouter, "ASSIGNMENT_BUDGET", 0.05)
    app = Flask("slow_assignment")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")

    def slow(assignment: Assignment) -> Instruction:
        time.sleep(0.2)
        return Instruction.accept()

    TwilioHooks(app).assignment()(slow)
    base = live_server(app).url
    with caplog.at_level(logging.WARNING, logger="twhooks.dispatch"):
        answer = post(base, "/twilio/taskrouter/assignment", ASSIGNMENT)
    assert answer.json() == {"instruction": "accept"}
    assert f"on reservation {ASSIGNMENT['ReservationSid']}: over TaskRouter's 0.05 s" in caplog.text
    assert "FallbackAssignmentCallbackUrl" in caplog.text
