"""The Redis store on the request path: one round trip before the handler (the claim, which
also reads the block list's version stamp) and one after (the reply kept for retries), and
the block list checked from each process's copy, which never lags a change by more than 1 s.

Round trips are counted by the Redis client's own connections (a ``redis.Connection``
subclass that counts what it sends), on a real server.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from _stores import REDIS_URL, new_prefix
from flask import Flask

from twhooks import Blocklist, TwilioHooks, compute_signature
from twhooks.store.redis import RedisStore
from twhooks.store.redis_blocks import STALE_AFTER

TOKEN = "t" * 32


class CountingConnection(redis.Connection):
    """A connection that counts its sends (one per round trip: a pipeline or a script is one
    send), by thread name — not those of its handshake, when the pool opens a new one (as it
    does when another thread holds the idle one)."""

    sends: dict[str, int] = {}
    #: What each send began with, by thread name (to show in a failure).
    commands: dict[str, list[bytes]] = {}
    lock = threading.Lock()
    connecting = False

    def on_connect(self) -> None:
        self.connecting = True
        try:
            super().on_connect()
        finally:
            self.connecting = False

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if not self.connecting:
            name = threading.current_thread().name
            packed = bytes(command[0] if isinstance(command, list) else command)
            first = packed.split(b"\r\n")[2]  # the command's name: *<n>, $<len>, name
            with CountingConnection.lock:
                CountingConnection.sends[name] = CountingConnection.sends.get(name, 0) + 1
                CountingConnection.commands.setdefault(name, []).append(first)
        super().send_packed_command(command, check_health)


def _trips() -> int:
    """Round trips so far on this thread."""
    return CountingConnection.sends.get(threading.current_thread().name, 0)


@pytest.fixture
def stores() -> Iterator[tuple[RedisStore, RedisStore]]:
    """Two stores on one prefix, as in two workers: the first on a counting client."""
    kwargs = redis.Redis.from_url(REDIS_URL).connection_pool.connection_kwargs
    pool = redis.ConnectionPool(connection_class=CountingConnection, **kwargs)
    prefix = new_prefix("blocks") + ":"
    first = RedisStore(redis.Redis(connection_pool=pool), prefix=prefix)
    second = RedisStore(REDIS_URL, prefix=prefix)
    try:
        yield first, second
    finally:
        second.delete_all()
        first.close()
        second.close()
        pool.disconnect()


def _signed(params: dict[str, str], path: str = "/twilio/messages") -> dict[str, Any]:
    url = "http://localhost" + path
    return {
        "data": params,
        "headers": {
            "X-Twilio-Signature": compute_signature(TOKEN, url, params),
            "I-Twilio-Idempotency-Token": uuid.uuid4().hex,  # a fresh one, as Twilio sends
        },
    }


def _sms(sender: str, sid: int) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "a" * 32,
        "MessageSid": f"SM{sid:032d}",
        "From": sender,
        "To": "+15550002222",
        "Body": "hi",
    }


def test_a_signed_webhook_costs_one_round_trip_before_its_handler_and_one_after(
    stores: tuple[RedisStore, RedisStore],
) -> None:
    store, other = stores
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store)
    hooks = TwilioHooks(app)
    before: list[int] = []

    @hooks.message()
    def reply(msg: Any) -> str:
        before.append(_trips())
        return "You said: " + msg.body

    Blocklist(other).add("+15550009999")  # a list that is not empty
    client = app.test_client()
    client.post("/twilio/messages", **_signed(_sms("+15550001111", 0)))  # loads the copy
    per_request = []
    for sid in range(1, 21):
        start = _trips()
        response = client.post("/twilio/messages", **_signed(_sms("+15550001111", sid)))
        assert response.status_code == 200
        assert b"You said: hi" in response.data
        per_request.append((before[-1] - start, _trips() - before[-1]))
    sent = CountingConnection.commands.get("MainThread", [])
    assert per_request == [(1, 1)] * 20, sent[-60:]


def test_a_block_made_by_another_worker_is_seen_by_the_next_claimed_webhook(
    stores: tuple[RedisStore, RedisStore],
) -> None:
    store, other = stores
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store)
    hooks = TwilioHooks(app)
    ran: list[str] = []
    hooks.message()(lambda msg: ran.append(msg.body) or "ok")
    client = app.test_client()
    assert client.post("/twilio/messages", **_signed(_sms("+15550001111", 1))).data.endswith(
        b"<Message>ok</Message></Response>"
    )
    Blocklist(other).add("+15550001111")  # another worker, at once
    answer = client.post("/twilio/messages", **_signed(_sms("+15550001111", 2)))
    assert answer.status_code == 200 and b"<Message>" not in answer.data
    assert ran == ["hi"]
    Blocklist(other).remove("+15550001111")
    client.post("/twilio/messages", **_signed(_sms("+15550001111", 3)))
    assert ran == ["hi", "hi"]


def test_without_a_claim_a_change_elsewhere_is_seen_within_a_second(
    stores: tuple[RedisStore, RedisStore],
) -> None:
    store, other = stores
    assert not store.is_blocked("+1555")  # loads the copy
    start = _trips()
    for _ in range(50):
        assert not store.is_blocked("+1777")
    assert _trips() == start  # answered from the copy
    other.block("+1555", time.time(), None)
    changed = time.monotonic()
    while not store.is_blocked("+1555"):
        assert time.monotonic() - changed <= STALE_AFTER + 0.2
        time.sleep(0.02)
    other.unblock("+1555")
    changed = time.monotonic()
    while store.is_blocked("+1555"):
        assert time.monotonic() - changed <= STALE_AFTER + 0.2
        time.sleep(0.02)


def test_a_change_made_here_is_seen_at_once(stores: tuple[RedisStore, RedisStore]) -> None:
    store, _ = stores
    assert not store.is_blocked("+1555")
    store.block("+1555", time.time(), None)
    assert store.is_blocked("+1555")
    store.unblock("+1555")
    assert not store.is_blocked("+1555")


def test_a_block_with_a_ttl_ends_in_the_copy_too_and_is_dropped_by_the_next_block(
    stores: tuple[RedisStore, RedisStore],
) -> None:
    store, other = stores
    other.block("+1555", time.time(), 0.2)
    assert store.is_blocked("+1555")
    time.sleep(0.3)
    start = _trips()
    assert not store.is_blocked("+1555")  # ended, and no round trip to know it
    assert _trips() == start
    other.block("+1666", time.time(), None)
    assert set(other.client.hkeys(other._key("blocks"))) == {b"+1666"}


def test_a_list_deleted_and_made_again_is_not_taken_for_the_old_one(
    stores: tuple[RedisStore, RedisStore],
) -> None:
    """Version stamps are random: a new list never has the stamp of a copy of the old one."""
    store, other = stores
    other.block("+1555", time.time(), None)
    assert store.is_blocked("+1555")
    other.delete_all()
    other.block("+1666", time.time(), None)
    store.claim("k", "owner", 5.0)  # reads the stamp, as every webhook's claim does
    assert not store.is_blocked("+1555")
    assert store.is_blocked("+1666")
