"""The Redis store's scripts on the connections it holds (``twhooks.store.redis_held``).

A real Redis server, the database the other store tests use; each test has its own key prefix.
"""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from conftest import REDIS_URL

from twhooks.store import Deliveries, StoreUnavailable
from twhooks.store.redis import RedisStore
from twhooks.store.redis_held import IDLE_CONNECTIONS, HeldConnections

CONTEXT = multiprocessing.get_context("fork")


@pytest.fixture
def store() -> Iterator[RedisStore]:
    opened = RedisStore(REDIS_URL, prefix=f"twhooks-test:{uuid.uuid4().hex[:8]}:")
    try:
        yield opened
    finally:
        opened.delete_all()
        opened.close()


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    made = redis.Redis.from_url(REDIS_URL)
    try:
        yield made
    finally:
        made.close()


def held(store: RedisStore) -> HeldConnections:
    assert store._held is not None
    return store._held


def client_id(conn: Any) -> int:
    conn.send_command("CLIENT", "ID")
    return int(conn.read_response())


def the_connection(store: RedisStore) -> Any:
    ((conn, _),) = held(store)._idle
    return conn


def test_status_callbacks_reuse_one_held_connection(store: RedisStore) -> None:
    deliveries = Deliveries(store)
    assert deliveries.record("SM1", "sent") == (None, True)
    conn = the_connection(store)
    ident = client_id(conn)
    created = held(store).pool._created_connections
    assert deliveries.record("SM1", "delivered") == ("sent", True)
    assert deliveries.record("SM1", "sent") == ("delivered", False)
    assert store.claim("k", "a", 5) is True
    assert the_connection(store) is conn and client_id(conn) == ident
    assert held(store).pool._created_connections == created
    found = deliveries.get("SM1")
    assert found is not None and [c.status for c in found.history] == ["sent", "delivered"]


def test_a_held_connection_the_server_dropped_is_replaced(
    store: RedisStore, client: redis.Redis
) -> None:
    held(store).check_after = 3600  # used again at once: not checked first
    deliveries = Deliveries(store)
    deliveries.record("SM1", "sent")
    client.client_kill_filter(_id=client_id(the_connection(store)))
    with pytest.raises(StoreUnavailable, match="the Redis store failed"):
        deliveries.record("SM1", "delivered")
    assert deliveries.record("SM1", "read")[1] is True  # on a new connection
    found = deliveries.get("SM1")
    assert found is not None and found.status == "read"


def test_a_held_connection_closed_while_idle_costs_no_failed_call(
    store: RedisStore, client: redis.Redis
) -> None:
    held(store).check_after = 0  # idle long enough to be checked
    deliveries = Deliveries(store)
    deliveries.record("SM1", "sent")
    old = client_id(the_connection(store))
    client.client_kill_filter(_id=old)
    assert deliveries.record("SM1", "delivered") == ("sent", True)
    assert client_id(the_connection(store)) != old


def test_an_error_reply_keeps_the_connection(store: RedisStore, client: redis.Redis) -> None:
    failing = client.register_script("return redis.error_reply('no such luck')")
    runner = held(store)
    store.claim("k", "a", 5)
    conn = the_connection(store)
    with pytest.raises(redis.ResponseError, match="no such luck"):
        runner.run(failing, [], [])
    assert the_connection(store) is conn and conn.is_connected
    assert store.claim("k", "b", 5) is False


def test_a_script_the_server_does_not_have_is_sent_whole(client: redis.Redis) -> None:
    tag = uuid.uuid4().hex  # a script no server has seen
    script = client.register_script(f"return {{KEYS[1], ARGV[1], '{tag}'}}")
    assert client.script_exists(script.sha) == [False]
    runner = HeldConnections(client)
    try:
        assert runner.run(script, ["key"], ["arg"]) == [b"key", b"arg", tag.encode()]
        assert client.script_exists(script.sha) == [True]  # loaded by EVAL
        assert runner.run(script, ["k2"], [2]) == [b"k2", b"2", tag.encode()]
    finally:
        runner.close()


def test_close_disconnects_the_held_connections(client: redis.Redis) -> None:
    store = RedisStore(REDIS_URL, prefix=f"twhooks-test:{uuid.uuid4().hex[:8]}:")
    store.claim("k", "a", 5)
    conn = the_connection(store)
    ident = client_id(conn)
    store.delete_all()
    store.close()
    assert held(store)._idle == [] and not conn.is_connected
    assert ident not in [int(c["id"]) for c in client.client_list()]


def test_threads_at_once_each_take_a_connection(store: RedisStore) -> None:
    deliveries = Deliveries(store)
    errors: list[BaseException] = []

    def record(thread: int) -> None:
        try:
            for n in range(40):
                assert deliveries.record(f"SM{thread}-{n}", "sent") == (None, True)
                assert deliveries.record(f"SM{thread}-{n}", "delivered") == ("sent", True)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=record, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert 1 <= len(held(store)._idle) <= IDLE_CONNECTIONS
    for t in range(8):
        for n in range(40):
            found = deliveries.get(f"SM{t}-{n}")
            assert found is not None and found.status == "delivered"


def _child(store: RedisStore, results: Any) -> None:
    Deliveries(store).record("SMchild", "sent")
    results.put(client_id(the_connection(store)))


def test_a_forked_child_never_uses_the_parents_held_connection(store: RedisStore) -> None:
    Deliveries(store).record("SMparent", "sent")
    parent = client_id(the_connection(store))
    results = CONTEXT.Queue()
    proc = CONTEXT.Process(target=_child, args=(store, results))
    try:
        proc.start()
        child = results.get(timeout=30)
        proc.join(30)
        assert proc.exitcode == 0
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(10)
        results.close()
        results.join_thread()
    assert child != parent
    assert client_id(the_connection(store)) == parent  # still the parent's, and working
    assert Deliveries(store).record("SMparent", "delivered") == ("sent", True)


def test_a_url_with_decoded_responses(client: redis.Redis) -> None:
    from twhooks.replies import Reply

    store = RedisStore(REDIS_URL + "?decode_responses=True", prefix="twhooks-test:decoded-url:")
    try:
        reply = Reply(200, [("Set-Cookie", "a=1")], b"\xff\x00binary")
        assert store.claim("k", "a", 5) is True
        store.finish("k", "a", reply, 5)
        assert store.wait("k", 1) == reply
        assert store.claim("k", "b", 5) == reply
        deliveries = Deliveries(store)
        assert deliveries.record("SM1", "sent") == (None, True)
        assert deliveries.record("SM1", "delivered") == ("sent", True)
    finally:
        store.delete_all()
        store.close()


def test_a_client_of_the_apps_own_runs_the_scripts_through_it(client: redis.Redis) -> None:
    store = RedisStore(client, prefix=f"twhooks-test:{uuid.uuid4().hex[:8]}:")
    try:
        assert store._held is None
        assert Deliveries(store).record("SM1", "sent") == (None, True)
    finally:
        store.delete_all()
        store.close()
