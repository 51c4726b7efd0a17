"""Routing: which handler answers, in a documented order."""

from __future__ import annotations

import re
from typing import Any

import pytest

from twhooks.exceptions import HandlerError
from twhooks.routing import RESERVED_STEPS, MessageRouter, StatusRouter, StepRouter

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core


def named(name: str) -> Any:
    def handler(event: Any) -> str:
        return name

    handler.__qualname__ = name
    return handler


def answer(router: MessageRouter, body: str, state: str | None = None) -> str | None:
    found = router.match(body, state)
    return None if found is None else found[0].handler(None)


@pytest.fixture
def router() -> MessageRouter:
    router = MessageRouter()
    router.add(named("help"), keyword=["HELP", "info"])
    router.add(named("balance"), pattern=r"^bal(ance)?\b")
    router.add(named("name"), state="ask_name")
    router.add(named("yes_in_confirm"), keyword="yes", state="confirm")
    router.add(named("echo"))
    return router


@pytest.mark.parametrize(
    ("body", "state", "expected"),
    [
        pytest.param("HELP", None, "help", id="keyword-exact"),
        pytest.param("  help \n", None, "help", id="keyword-trimmed-any-case"),
        pytest.param("Info", None, "help", id="keyword-list"),
        pytest.param("help me", None, "echo", id="keyword-is-whole-body-not-prefix"),
        pytest.param("bal", None, "balance", id="pattern"),
        pytest.param("BALANCE please", None, "balance", id="pattern-case-insensitive"),
        pytest.param("my balance", None, "echo", id="pattern-anchored-by-author"),
        pytest.param("balloon", None, "echo", id="pattern-word-boundary"),
        pytest.param("Ada", "ask_name", "name", id="state"),
        pytest.param("HELP", "ask_name", "help", id="earlier-registration-wins-over-state"),
        pytest.param("yes", "confirm", "yes_in_confirm", id="keyword-and-state"),
        pytest.param("yes", None, "echo", id="keyword-and-state-needs-the-state"),
        pytest.param("no", "confirm", "echo", id="catch-all-in-any-state"),
        pytest.param("", None, "echo", id="empty-body"),
    ],
)
def test_message_matching_order(
    router: MessageRouter, body: str, state: str | None, expected: str
) -> None:
    assert answer(router, body, state) == expected


def test_pattern_match_is_returned() -> None:
    router = MessageRouter()
    router.add(named("pay"), pattern=r"pay (\d+)")
    found = router.match("please pay 42 now")
    assert found is not None
    _route, match = found
    assert match is not None and match.group(1) == "42"


def test_a_compiled_pattern_keeps_its_own_flags() -> None:
    router = MessageRouter()
    router.add(named("exact_case"), pattern=re.compile(r"^STOP$"))
    assert router.match("STOP") is not None
    assert router.match("stop") is None


def test_catch_all_runs_last_whatever_the_registration_order() -> None:
    router = MessageRouter()
    router.add(named("echo"))
    router.add(named("help"), keyword="help")
    assert answer(router, "help") == "help"
    assert answer(router, "other") == "echo"


def test_first_registered_of_two_matching_handlers_wins() -> None:
    router = MessageRouter()
    router.add(named("first"), pattern="a")
    router.add(named("second"), keyword="a")
    assert answer(router, "a") == "first"


def test_no_match_without_a_catch_all() -> None:
    router = MessageRouter()
    router.add(named("help"), keyword="help")
    assert router.match("other") is None
    assert router and not MessageRouter()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"keyword": "a", "pattern": "a"}, "not both", id="keyword-and-pattern"),
        pytest.param({"keyword": ""}, "non-empty", id="empty-keyword"),
        pytest.param({"keyword": []}, "non-empty", id="no-keywords"),
        pytest.param({"pattern": "("}, "invalid", id="bad-regex"),
        pytest.param({"pattern": 42}, "str or re.Pattern", id="pattern-type"),
        pytest.param({"state": ""}, "non-empty", id="empty-state"),
    ],
)
def test_bad_message_conditions_raise(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(HandlerError, match=message):
        MessageRouter().add(named("h"), **kwargs)


def test_a_second_catch_all_raises_naming_the_first() -> None:
    router = MessageRouter()
    router.add(named("echo"))
    with pytest.raises(HandlerError, match="already registered \\(echo\\)"):
        router.add(named("other"))


def test_describe_names_the_decorator() -> None:
    route = MessageRouter().add(named("h"), pattern="x", state="s")
    assert route.describe() == "@hooks.message(pattern='x', state='s') h"


class TestSteps:
    def test_steps_and_incoming_call(self) -> None:
        steps = StepRouter()
        steps.add(named("incoming"))
        steps.add(named("menu"), "menu")
        assert steps.match(None) is steps.handlers[None]
        assert steps.match("menu") is steps.handlers["menu"]
        assert steps.match("other") is None

    @pytest.mark.parametrize("step", sorted(RESERVED_STEPS))
    def test_reserved_names_raise(self, step: str) -> None:
        with pytest.raises(HandlerError, match="reserved"):
            StepRouter().add(named("h"), step)

    @pytest.mark.parametrize("step", ["", "a/b", "menu?", "über", 3])
    def test_names_must_be_url_safe(self, step: Any) -> None:
        with pytest.raises(HandlerError, match="letters, digits"):
            StepRouter().add(named("h"), step)

    def test_a_step_has_one_handler(self) -> None:
        steps = StepRouter()
        steps.add(named("a"), "menu")
        with pytest.raises(HandlerError, match="already has a handler \\(a\\)"):
            steps.add(named("b"), "menu")


class TestStatus:
    def test_listed_values_then_catch_all(self) -> None:
        router = StatusRouter("message_status", {"sent", "delivered", "failed"})
        router.add(named("any"))
        router.add(named("done"), ["delivered", "failed"])
        assert router.match("delivered") is router.routes[0][1]
        assert router.match("sent") is router.catch_all
        assert router.match(None) is router.catch_all

    def test_unknown_value_is_a_typo(self) -> None:
        router = StatusRouter("message_status", {"sent", "delivered"})
        with pytest.raises(HandlerError, match="unknown value\\(s\\) \\['delivred'\\]"):
            router.add(named("h"), ["delivred"])

    def test_no_handler(self) -> None:
        router = StatusRouter("call_status")
        router.add(named("h"), ["anything"])
        assert router.match("other") is None
