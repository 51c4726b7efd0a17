"""The dead-letter list of every backend: a failure kept by key (its attempts counted, its
first failure kept), the newest first, bounded by size and age, taken off by key."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from conftest import BACKENDS

from twhooks.store.dead_letters import failure_key, keeps_dead_letters
from twhooks.store.records import FailedWebhook, HistoryRecord

pytestmark = pytest.mark.parametrize("store", BACKENDS, indirect=True)


def failed(n: int, at: float, error: str = "ValueError: boom") -> FailedWebhook:
    body = f"MessageSid=SM{n}&MessageStatus=delivered"
    return FailedWebhook(
        key=failure_key("POST", "/twilio/messages/status", "", body.encode()),
        kind="message_status",
        method="POST",
        url="http://example.com/twilio/messages/status",
        path="/twilio/messages/status",
        content_type="application/x-www-form-urlencoded",
        body=body,
        params={"MessageSid": f"SM{n}", "MessageStatus": "delivered"},
        token=f"token-{n}",
        handler="on_status",
        error=error,
        traceback="Traceback (most recent call last):\n  …\nValueError: boom\n",
        at=at,
        last_at=at,
    )


def test_a_failure_is_kept_and_counted_by_key(store: Any) -> None:
    assert keeps_dead_letters(store)
    now = time.time()
    first = failed(1, now - 10)
    store.add_failed(first, 10, 3600)
    again = replace(failed(1, now, "KeyError: 'x'"), traceback="second")
    store.add_failed(again, 10, 3600)
    kept = store.get_failed(first.key)
    assert kept is not None
    assert (kept.attempts, kept.error, kept.traceback) == (2, "KeyError: 'x'", "second")
    assert kept.at == pytest.approx(now - 10)
    assert kept.last_at == pytest.approx(now)
    assert kept.params == first.params and kept.body == first.body and kept.token == "token-1"
    assert [r.key for r in store.failed_webhooks(10)] == [first.key]
    assert store.remove_failed(first.key) is True
    assert store.remove_failed(first.key) is False
    assert store.get_failed(first.key) is None
    assert store.failed_webhooks(10) == []


def test_the_list_keeps_the_newest_within_its_size_and_age(store: Any) -> None:
    now = time.time()
    for n in range(5):
        store.add_failed(failed(n, now - 5 + n), 3, 3600)
    listed = store.failed_webhooks(10)
    assert [r.params["MessageSid"] for r in listed] == ["SM4", "SM3", "SM2"]
    assert [r.params["MessageSid"] for r in store.failed_webhooks(2)] == ["SM4", "SM3"]
    old = failed(9, now - 100)
    store.add_failed(old, 10, 50)  # expired already
    assert store.get_failed(old.key) is None
    assert "SM9" not in [r.params["MessageSid"] for r in store.failed_webhooks(10)]


def success(key: str, at: float) -> HistoryRecord:
    return HistoryRecord(
        kind="message_status",
        method="POST",
        url="http://example.com/twilio/messages/status",
        params={},
        verified=True,
        verdict="valid",
        status=204,
        at=at,
        failure_key=key,
    )


@pytest.mark.parametrize("queued", [False, True], ids=["written", "batched"])
def test_a_later_success_in_the_history_takes_a_failure_off(store: Any, queued: bool) -> None:
    now = time.time()
    settled, failed_again = failed(1, now - 5), failed(2, now + 5)
    store.add_failed(settled, 10, 3600)
    store.add_failed(failed_again, 10, 3600)  # failed again after the success below
    for record in (success(settled.key, now), success(failed_again.key, now)):
        if queued and hasattr(store, "queue_history"):
            store.queue_history(record, 100)
        else:
            store.add_history(record, 100)
    # A read of the list writes what this process queued first.
    assert [r.key for r in store.failed_webhooks(10)] == [failed_again.key]
    assert store.get_failed(settled.key) is None


def test_the_furthest_status_of_a_message(store: Any) -> None:
    assert store.furthest_status("SM1") is None
    store.track_message("SM1", to=None, from_=None, meta={}, at=time.time(), ttl=60)
    assert store.furthest_status("SM1") is None
    for status in ("sent", "queued"):
        store.record_message_status(
            "SM1", status, error_code=None, to=None, from_=None, at=time.time(), ttl=60
        )
    assert store.furthest_status("SM1") == "sent"
