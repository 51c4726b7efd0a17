"""Conversation state on a plain mapping (the extension gives it flask.session)."""

from __future__ import annotations

from typing import Any

import pytest

from twhooks.conversation import Conversation


def test_a_new_conversation_is_outside_any_dialog_and_writes_nothing() -> None:
    store: dict[str, Any] = {}
    conversation = Conversation(store)
    assert (conversation.state, conversation.active) == (None, False)
    conversation.save_if_changed()
    assert store == {}


def test_goto_and_data_are_saved_together() -> None:
    store: dict[str, Any] = {}
    conversation = Conversation(store)
    conversation.goto("ask_age", name="Ada")
    assert store == {}  # nothing written until saved: a handler that raises changes nothing
    conversation.save_if_changed()
    assert store == {Conversation.default_key: {"state": "ask_age", "data": {"name": "Ada"}}}

    later = Conversation(store)
    assert (later.state, later.data, later.active) == ("ask_age", {"name": "Ada"}, True)


def test_changing_data_in_place_is_saved() -> None:
    store: dict[str, Any] = {}
    first = Conversation(store)
    first.data["count"] = 1
    first.save_if_changed()
    assert Conversation(store).data == {"count": 1}


def test_end_forgets_everything_and_removes_the_key() -> None:
    store: dict[str, Any] = {Conversation.default_key: {"state": "s", "data": {"a": 1}}}
    conversation = Conversation(store)
    conversation.end()
    conversation.save_if_changed()
    assert store == {}
    assert (conversation.state, conversation.data) == (None, {})


def test_saving_writes_a_new_dict_so_sessions_notice() -> None:
    store: dict[str, Any] = {}
    conversation = Conversation(store)
    conversation.goto("a")
    conversation.save()
    saved = store[Conversation.default_key]
    conversation.goto("b")
    conversation.save()
    assert store[Conversation.default_key] is not saved


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("garbage", id="not-a-dict"),
        pytest.param({"state": 3, "data": []}, id="wrong-types"),
        pytest.param({}, id="empty"),
    ],
)
def test_a_tampered_or_foreign_value_starts_afresh(stored: Any) -> None:
    conversation = Conversation({Conversation.default_key: stored})
    assert (conversation.state, conversation.data) == (None, {})


def test_custom_key() -> None:
    store: dict[str, Any] = {}
    conversation = Conversation(store, key="survey")
    conversation.goto("q1")
    conversation.save()
    assert list(store) == ["survey"]


@pytest.mark.parametrize("state", ["", None, 3])
def test_goto_needs_a_state_name(state: Any) -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        Conversation({}).goto(state)
