"""Conversation state on a plain mapping (the extension gives it flask.session)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from _signing import TOKEN, signed_post
from flask import Flask, session
from flask.testing import FlaskClient

from twhooks import Call, IncomingMessage, TwilioHooks
from twhooks.conversation import Conversation

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core


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


# -- in a Flask app: the state rides in the signed session cookie Twilio keeps per (From, To) --


def dialog_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, SECRET_KEY="conversation-test-secret", **config)
    hooks = TwilioHooks(app)

    @hooks.message(keyword="ORDER")
    def start(msg: IncomingMessage) -> str:
        assert msg.conversation is not None
        msg.conversation.goto("size")
        return "Which size: S, M or L?"

    @hooks.message(state="size")
    def size(msg: IncomingMessage) -> str:
        assert msg.conversation is not None
        choice = msg.body.strip().upper()
        if choice not in {"S", "M", "L"}:
            return "Please answer S, M or L."
        msg.conversation.goto("confirm", size=choice)
        return f"Size {choice}. Confirm with YES."

    @hooks.message(keyword="YES", state="confirm")
    def confirm(msg: IncomingMessage) -> str:
        assert msg.conversation is not None
        size = msg.conversation.data["size"]
        msg.conversation.end()
        return f"Ordered size {size}."

    @hooks.message(state="confirm")
    def crash_in_confirm(msg: IncomingMessage) -> str:
        assert msg.conversation is not None
        msg.conversation.goto("size")
        raise RuntimeError("changes made by a failing handler are not saved")

    @hooks.message(keyword="COUNT")
    def count(msg: IncomingMessage) -> str:
        # Plain flask.session works too: Twilio echoes the cookie like a browser.
        session["count"] = session.get("count", 0) + 1
        return f"Count {session['count']}"

    @hooks.message()
    def fallback(msg: IncomingMessage) -> str:
        assert msg.conversation is not None
        return f"state={msg.conversation.state}"

    @hooks.call()
    def incoming(call: Call) -> str:
        assert call.conversation is not None
        call.conversation.goto("greeted", caller=call.from_)
        return "Hello"

    @hooks.call("next")
    def next_step(call: Call) -> str:
        assert call.conversation is not None
        return f"{call.conversation.state} {call.conversation.data.get('caller')}"

    return app


def text(client: FlaskClient, body: str, from_: str = "+14155550100") -> str:
    params = {"MessageSid": "SM1", "From": from_, "To": "+15005550006", "Body": body}
    response = signed_post(client, "/twilio/messages", params)
    assert response.status_code in (200, 500), response.data
    if response.status_code == 500:
        return "<500>"
    root = ET.fromstring(response.data)
    return " ".join(message.text or "" for message in root)


def test_a_dialog_across_messages() -> None:
    client = dialog_app().test_client()
    assert text(client, "order") == "Which size: S, M or L?"
    assert text(client, "XL") == "Please answer S, M or L."
    assert text(client, "m") == "Size M. Confirm with YES."
    assert text(client, "yes") == "Ordered size M."
    assert text(client, "hello") == "state=None"


def test_each_conversation_has_its_own_cookie() -> None:
    app = dialog_app()
    ada, bob = app.test_client(), app.test_client()  # Twilio keeps one cookie jar per pair
    text(ada, "ORDER", "+1001")
    assert text(bob, "hello", "+1002") == "state=None"
    assert text(ada, "L", "+1001") == "Size L. Confirm with YES."


def test_with_cookie_conversations_a_lost_cookie_means_a_fresh_start() -> None:
    client = dialog_app(TWHOOKS_CONVERSATIONS="cookie").test_client()
    text(client, "ORDER")
    client.delete_cookie("session")
    assert text(client, "M") == "state=None"


def test_with_store_conversations_a_lost_cookie_changes_nothing() -> None:
    client = dialog_app().test_client()
    text(client, "ORDER")
    client.delete_cookie("session")
    assert text(client, "M") == "Size M. Confirm with YES."


def test_a_forged_cookie_is_ignored() -> None:
    client = dialog_app().test_client()
    client.set_cookie("session", "eyJ0d2hvb2tzLmNvbnZlcnNhdGlvbiI6e319.forged.signature")
    assert text(client, "M") == "state=None"


def test_a_failing_handler_does_not_save_its_changes() -> None:
    client = dialog_app().test_client()
    text(client, "ORDER")
    text(client, "S")
    assert text(client, "maybe") == "<500>"  # crash_in_confirm moved to "size", then raised
    assert text(client, "yes") == "Ordered size S."  # still at "confirm"


def test_untouched_conversation_sets_no_cookie() -> None:
    client = dialog_app().test_client()
    params = {"MessageSid": "SM1", "From": "+1", "To": "+2", "Body": "hello"}
    response = signed_post(client, "/twilio/messages", params)
    assert "Set-Cookie" not in response.headers


def test_plain_flask_session_counts_across_messages() -> None:
    client = dialog_app().test_client()
    assert [text(client, "COUNT") for _ in range(3)] == ["Count 1", "Count 2", "Count 3"]


def test_conversation_state_within_a_call() -> None:
    client = dialog_app().test_client()
    call = {"CallSid": "CA1", "From": "+14155550100", "To": "+15005550006"}
    signed_post(client, "/twilio/voice", call)
    response = signed_post(client, "/twilio/voice/next", call)
    assert b"<Say>greeted +14155550100</Say>" in response.data


class CountingStore(dict[str, Any]):
    """A dict that counts reads, to show when the conversation looks at its store."""

    reads = 0

    def get(self, key: str, default: Any = None) -> Any:
        self.reads += 1
        return super().get(key, default)


def test_the_store_is_read_only_when_the_conversation_is_used() -> None:
    store = CountingStore({Conversation.default_key: {"state": "s", "data": {}}})
    conversation = Conversation(store)
    assert store.reads == 0
    assert conversation.state == "s"
    assert conversation.data == {}
    assert store.reads == 1


def test_save_without_reading_keeps_what_is_stored() -> None:
    stored = {"state": "s", "data": {"a": 1}}
    store: dict[str, Any] = {Conversation.default_key: stored}
    Conversation(store).save()
    assert store[Conversation.default_key] == stored
