"""Conversations on every backend: versions, expiry, the lock, sessions and the facade."""

from __future__ import annotations

import threading
import time

import pytest

from twhooks.store import ConversationRecord, Conversations, LockTimeout, Store, StoreError


def test_save_checks_the_version(store: Store) -> None:
    assert store.load_conversation("c") is None
    assert store.save_conversation("c", "ask_name", {"n": 1}, 0, 60) == 1
    assert store.save_conversation("c", "other", {}, 0, 60) is None
    assert store.save_conversation("c", "ask_age", {"n": 2, "name": "Ada"}, 1, 60) == 2
    assert store.save_conversation("c", "stale", {}, 1, 60) is None
    found = store.load_conversation("c")
    assert isinstance(found, ConversationRecord)
    assert (found.state, dict(found.data), found.version) == (
        "ask_age",
        {"n": 2, "name": "Ada"},
        2,
    )
    assert found.updated_at == pytest.approx(time.time(), abs=5)


def test_an_expired_conversation_is_gone_and_can_start_again(store: Store) -> None:
    assert store.save_conversation("c", "s", {"x": 1}, 0, 0.2) == 1
    time.sleep(0.3)
    assert store.load_conversation("c") is None
    assert store.save_conversation("c", "s2", {}, 1, 60) is None
    assert store.save_conversation("c", "s2", {}, 0, 60) == 1


def test_the_expiry_slides_with_each_save(store: Store) -> None:
    # Margins of half a second: on a busy machine a PostgreSQL round trip can take 0.2 s.
    assert store.save_conversation("c", "s", {}, 0, 1.2) == 1
    time.sleep(0.7)
    assert store.save_conversation("c", "s", {}, 1, 1.2) == 2
    time.sleep(0.7)
    assert store.load_conversation("c") is not None


def test_delete(store: Store) -> None:
    store.save_conversation("c", "s", {}, 0, 60)
    store.delete_conversation("c")
    assert store.load_conversation("c") is None
    store.delete_conversation("never-there")


def test_a_session_saves_what_the_handler_changed(store: Store) -> None:
    conversations = Conversations(store)
    key = conversations.key("+15551230000", "+15559990000")
    with conversations.session(key) as session:
        assert session.conversation.state is None
        session.conversation.goto("ask_name", topic="pizza")
    found = conversations.get("+15551230000", "+15559990000")
    assert found is not None
    assert (found.state, dict(found.data)) == ("ask_name", {"topic": "pizza"})
    with conversations.session(key) as session:
        assert session.conversation.state == "ask_name"
        session.conversation.data["name"] = "Ada"
    found = conversations.get("+15551230000", "+15559990000")
    assert found is not None and dict(found.data) == {"topic": "pizza", "name": "Ada"}
    assert found.version == 2


def test_a_session_that_only_reads_writes_nothing(store: Store) -> None:
    conversations = Conversations(store)
    with conversations.session("k") as session:
        assert not session.conversation.active
    assert store.load_conversation("k") is None
    store.save_conversation("k", "s", {"a": 1}, 0, 60)
    with conversations.session("k") as session:
        assert session.conversation.data == {"a": 1}
    found = store.load_conversation("k")
    assert found is not None and found.version == 1


def test_a_handler_that_raises_saves_nothing(store: Store) -> None:
    conversations = Conversations(store)
    with pytest.raises(RuntimeError), conversations.session("k") as session:
        session.conversation.goto("s")
        raise RuntimeError("handler failed")
    assert store.load_conversation("k") is None
    # and the lock was released
    with conversations.session("k", wait=0.1):
        pass


def test_ending_a_conversation_deletes_it(store: Store) -> None:
    conversations = Conversations(store)
    store.save_conversation("k", "s", {"a": 1}, 0, 60)
    with conversations.session("k") as session:
        session.conversation.end()
    assert store.load_conversation("k") is None


def test_the_lock_keeps_a_second_handler_out(store: Store) -> None:
    conversations = Conversations(store)
    with conversations.lock("k"):
        started = time.monotonic()
        with pytest.raises(LockTimeout) as caught, conversations.lock("k", wait=0.3):
            pass
        assert caught.value.key == "k"
        assert 0.25 < time.monotonic() - started < 1.5
        with conversations.lock("other", wait=0.1):
            pass
    with conversations.lock("k", wait=0.1):
        pass


def test_a_waiting_handler_runs_once_the_first_is_done(store: Store) -> None:
    conversations = Conversations(store)
    order: list[str] = []

    def second() -> None:
        with conversations.session("k", wait=5) as session:
            order.append("second")
            session.conversation.data["n"] = session.conversation.data.get("n", 0) + 1

    with conversations.session("k") as session:
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first")
        session.conversation.goto("s", n=1)
    thread.join(10)
    assert order == ["first", "second"]
    found = store.load_conversation("k")
    assert found is not None and found.data["n"] == 2


def test_a_lock_of_a_dead_holder_expires(store: Store) -> None:
    conversations = Conversations(store, lock_lease=0.3)
    assert store.claim("conv-lock:k", "dead-worker", 0.3) is True
    with conversations.lock("k", wait=2):
        pass


def test_a_save_over_a_newer_version_is_dropped(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    conversations = Conversations(store)
    with conversations.session("k") as session:
        # Another worker saved meanwhile (as if this handler had outlived its lease).
        store.save_conversation("k", "theirs", {}, 0, 60)
        session.conversation.goto("mine")
    found = store.load_conversation("k")
    assert found is not None and found.state == "theirs"
    assert "changes were dropped" in caplog.text


def test_get_and_reset_by_numbers_with_whatsapp_normalised(store: Store) -> None:
    conversations = Conversations(store, account_sid="AC1", several_accounts=True)
    key = conversations.key_for(
        {"From": "whatsapp:+15551230000", "To": "WhatsApp:+15559990000", "AccountSid": "AC1"}
    )
    assert key == conversations.key("+15551230000", "+15559990000")
    assert key is not None
    conversations.save(key, "s", {"a": 1}, 0)
    assert conversations.get("whatsapp:+15551230000", "+15559990000") is not None
    assert conversations.get("+15551230000", "+15559990000", account_sid="AC2") is None
    conversations.reset("+15551230000", "whatsapp:+15559990000")
    assert conversations.get("+15551230000", "+15559990000") is None


def test_a_call_is_its_own_conversation(store: Store) -> None:
    conversations = Conversations(store)
    key = conversations.key_for({"CallSid": "CA1", "From": "+1", "To": "+2"})
    assert key == Conversations.call_key("CA1")
    assert conversations.key_for({"Body": "hi"}) is None


def test_one_account_keys_by_the_pair_alone(store: Store) -> None:
    conversations = Conversations(store)
    params = {"From": "+15551230000", "To": "+15559990000"}
    keys = {conversations.key_for({**params, "AccountSid": sid}) for sid in ("AC1", "AC2")}
    assert keys == {conversations.key("+15551230000", "+15559990000", account_sid="AC9")}


def test_recent_conversations_lists_the_live_ones_newest_first(store: Store) -> None:
    assert store.recent_conversations(10) == []
    store.save_conversation("old", "s1", {"a": 1}, 0, 60)
    time.sleep(0.01)
    store.save_conversation("short", "s2", {}, 0, 0.2)
    time.sleep(0.01)
    store.save_conversation("gone", "s3", {}, 0, 60)
    time.sleep(0.01)
    store.save_conversation("old", "s4", {"a": 2}, 1, 60)
    store.delete_conversation("gone")
    found = store.recent_conversations(10)
    assert [(c.key, c.state, dict(c.data), c.version) for c in found] == [
        ("old", "s4", {"a": 2}, 2),
        ("short", "s2", {}, 1),
    ]
    assert [c.key for c in store.recent_conversations(1)] == ["old"]
    time.sleep(0.3)
    assert [c.key for c in store.recent_conversations(10)] == ["old"]


def test_data_that_is_not_json_is_a_clear_error(store: Store) -> None:
    conversations = Conversations(store)
    with pytest.raises(StoreError, match="JSON values"), conversations.session("k") as session:
        session.conversation.goto("s", when=object())
    assert store.load_conversation("k") is None
    with conversations.lock("k", wait=0.1):  # released all the same
        pass
