"""Replay claims on every backend: claim with a lease, finish with the reply bytes, wait."""

from __future__ import annotations

import threading
import time
from typing import Any

from twhooks.replies import Reply
from twhooks.store import Store
from twhooks.store.replays import ReplayStore

REPLY = Reply(
    200,
    [("Content-Type", "text/xml"), ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2")],
    b"<Response>\xe2\x9c\x93\x00</Response>",
)


def test_is_a_replay_store(store: Store) -> None:
    assert isinstance(store, ReplayStore)
    assert isinstance(store, Store)


def test_first_claim_wins_and_a_second_owner_waits(store: Store) -> None:
    assert store.claim("k", "a", 5) is True
    assert store.claim("k", "b", 5) is False
    assert store.claim("k", "a", 5) is False  # a claim is not re-entrant


def test_the_reply_comes_back_byte_for_byte(store: Store) -> None:
    assert store.claim("k", "a", 5) is True
    store.finish("k", "a", REPLY, 60)
    assert store.claim("k", "b", 5) == REPLY
    assert store.wait("k", 1) == REPLY


def test_a_failed_request_stores_nothing_and_its_retry_runs(store: Store) -> None:
    assert store.claim("k", "a", 5) is True
    store.finish("k", "a", None, 60)
    started = time.monotonic()
    assert store.wait("k", 5) is None
    assert time.monotonic() - started < 1
    assert store.claim("k", "b", 5) is True


def test_an_expired_claim_is_taken_over_and_the_late_owner_cannot_overwrite(store: Store) -> None:
    assert store.claim("k", "a", 0.2) is True
    time.sleep(0.3)
    assert store.claim("k", "b", 5) is True
    store.finish("k", "a", Reply(500, [], b"late"), 60)
    assert store.claim("k", "c", 5) is False
    store.finish("k", "b", REPLY, 60)
    assert store.claim("k", "c", 5) == REPLY


def test_wait_returns_the_reply_finished_meanwhile(store: Store) -> None:
    assert store.claim("k", "a", 5) is True
    finisher = threading.Timer(0.3, store.finish, ("k", "a", REPLY, 60))
    finisher.start()
    try:
        started = time.monotonic()
        assert store.wait("k", 5) == REPLY
        assert 0.25 < time.monotonic() - started < 2
    finally:
        finisher.join()


def test_wait_gives_up_at_the_timeout(store: Store) -> None:
    assert store.claim("k", "a", 10) is True
    started = time.monotonic()
    assert store.wait("k", 0.4) is None
    assert 0.35 < time.monotonic() - started < 1.5


def test_wait_returns_when_the_lease_runs_out(store: Store) -> None:
    assert store.claim("k", "a", 0.3) is True
    started = time.monotonic()
    assert store.wait("k", 5) is None
    assert time.monotonic() - started < 1.5


def test_a_stored_reply_expires(store: Store) -> None:
    assert store.claim("k", "a", 5) is True
    store.finish("k", "a", REPLY, 0.2)
    time.sleep(0.3)
    assert store.wait("k", 0.1) is None
    assert store.claim("k", "b", 5) is True


def test_keys_are_independent(store: Store) -> None:
    assert store.claim("k1", "a", 5) is True
    assert store.claim("k2", "a", 5) is True
    store.finish("k1", "a", REPLY, 60)
    assert store.claim("k2", "b", 5) is False


def test_renew_extends_only_the_owners_live_claim(store: Store) -> None:
    assert store.claim("k", "a", 0.6) is True
    assert store.renew("k", "b", 5) is False  # not b's claim
    time.sleep(0.3)
    assert store.renew("k", "a", 0.6) is True
    time.sleep(0.4)  # 0.7 s after the claim: alive only by the renewal
    assert store.claim("k", "b", 5) is False
    time.sleep(0.4)  # the renewed lease ran out
    assert store.renew("k", "a", 5) is False  # an expired claim is not brought back
    assert store.claim("k", "b", 5) is True
    assert store.renew("k", "a", 5) is False  # nor is a claim taken over
    assert store.renew("k", "b", 5) is True


def test_renew_after_finish_changes_nothing(store: Store) -> None:
    assert store.claim("k", "a", 5) is True
    store.finish("k", "a", REPLY, 60)
    assert store.renew("k", "a", 5) is False
    assert store.claim("k", "b", 5) == REPLY
    assert store.claim("k2", "a", 5) is True
    store.finish("k2", "a", None, 60)
    assert store.renew("k2", "a", 5) is False
    assert store.claim("k2", "b", 5) is True


def test_postgresql_claims_commit_unflushed_and_leave_the_session_durable(
    postgresql_store: Any,
) -> None:
    # A claim and its end commit without waiting for the disk (SET LOCAL in the statement,
    # one round trip); the connection's own setting stays on, for every other write.
    store = postgresql_store
    for name in ("claim", "finish_reply", "finish_none", "renew"):
        assert "set_config" in store._compiled[name].sql, name
    for name in ("record_status", "record_call_event"):
        assert "set_config" not in store._compiled[name].sql, name
    key = f"unflushed-{time.time_ns()}"
    assert store.claim(key, "a", 5.0) is True
    assert store.claim(key, "b", 5.0) is False
    store.finish(key, "a", Reply(200, [("Content-Type", "text/xml")], b"<R/>"), 30.0)
    got = store.claim(key, "c", 5.0)
    assert isinstance(got, Reply) and got.body == b"<R/>"
    pooled = store._take()
    try:
        cursor = pooled.dbapi_connection.cursor()
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    finally:
        store._give_back(pooled)
