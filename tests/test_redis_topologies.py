"""The Redis store beyond one server, on real servers started for this module: a 3-master
Redis Cluster (``redis+cluster://``) and a master with a replica watched by a Sentinel
(``redis+sentinel://``), from the ``redis-server`` binary, on free ports, stopped at the end.

The store's behavioural tests (tests/store, every Redis case but those about one server's
connections) run again against each; then what only these have: every key of a store in one
slot of the cluster, an app served on each, a failover."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import requests
from _redis_topologies import RedisCluster, RedisSentinel
from _servers import Gunicorn
from _stores import new_prefix, remove
from flask import Flask

from twhooks import IncomingMessage, TwilioHooks
from twhooks.flask.testing import TwilioTestClient
from twhooks.store import StoreUnavailable
from twhooks.store.redis import RedisStore
from twhooks.store.redis_urls import parse_redis_url, redis_client_for
from twhooks.testing import FakeTwilioApi

ROOT = Path(__file__).resolve().parent.parent

#: The Redis tests of tests/store that are about one server's connections (held connections,
#: a redis.Redis of the test's own, key names without a hash tag): not run again here.
SINGLE_SERVER_ONLY = [
    "--ignore=tests/store/test_store_redis_held.py",
    "--ignore=tests/store/test_store_redis_blocks.py",
    "--deselect=tests/store/test_store_open.py::test_a_redis_client",
    "--deselect=tests/store/"
    "test_store_open.py::test_every_redis_key_expires_but_opt_outs_blocks_and_the_capped_history",
]


PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    servers = RedisCluster(tmp_path_factory.mktemp("cluster"))
    yield servers
    servers.stop()


@pytest.fixture(scope="module")
def sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisSentinel]:
    servers = RedisSentinel(tmp_path_factory.mktemp("sentinel"))
    yield servers
    servers.stop()


# -- URLs -----------------------------------------------------------------------------------


def test_a_sentinel_url_names_its_sentinels_service_and_db() -> None:
    read = parse_redis_url(
        "rediss+sentinel://:p%40ss@10.0.0.1:26379,10.0.0.2/mymaster/2?sentinel_password=s"
    )
    assert read.hosts == (("10.0.0.1", 26379), ("10.0.0.2", 26379))
    assert (read.service, read.db, read.password, read.tls) == ("mymaster", 2, "p@ss", True)
    assert read.query == {"sentinel_password": "s"}


def test_a_cluster_url_names_its_nodes() -> None:
    read = parse_redis_url("redis+cluster://u:pw@node1:7000,node2:7001")
    assert read.hosts == (("node1", 7000), ("node2", 7001))
    assert (read.username, read.password, read.service, read.db) == ("u", "pw", None, 0)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("redis+sentinel://h:26379", "service"),
        ("redis+sentinel://h:26379/m/x", "database"),
        ("redis+cluster://h:7000/3", "only database 0"),
        ("redis+cluster://h:port", "host:port"),
        ("redis+nothing://h", "not a Sentinel or Cluster URL"),
    ],
)
def test_a_malformed_url_is_refused_naming_what_is_wrong(url: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_redis_url(url)


def test_the_store_setting_names_the_url_forms(tmp_path: Path) -> None:
    from twhooks import ConfigurationError
    from twhooks.store import open_store

    with pytest.raises(ConfigurationError, match="service"):
        open_store("redis+sentinel://127.0.0.1:1", instance_path=tmp_path)


# -- the behavioural tests, again -----------------------------------------------------------


def _store_suite(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PYTEST, "tests/store", "-k", "redis", *SINGLE_SERVER_ONLY],
        cwd=ROOT,
        env={**os.environ, "TWHOOKS_TEST_REDIS_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_store_s_behaviour_holds_on_a_cluster(cluster: RedisCluster) -> None:
    done = _store_suite(cluster.url)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_the_store_s_behaviour_holds_on_a_sentinel_s_master(sentinel: RedisSentinel) -> None:
    done = _store_suite(sentinel.url)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


# -- a cluster ------------------------------------------------------------------------------


def test_every_key_of_a_store_shares_one_slot_of_the_cluster(cluster: RedisCluster) -> None:
    from twhooks.replies import Reply
    from twhooks.store import Conversations, Deliveries, OptOuts

    store = RedisStore(cluster.url, prefix=new_prefix("slot") + ":")
    try:
        assert store.prefix.startswith("{") and store.prefix.endswith("}")
        store.claim("webhook-1", "a", 5)
        store.finish("webhook-1", "a", Reply(200, [], b"<Response/>"), 30)
        Conversations(store).save("msg::+1:+2", "asked", {"n": 1}, 0)
        Deliveries(store).record("SM1", "delivered", to="+1")
        OptOuts(store).opt_out("+3")
        keys = list(store.client.scan_iter(match=store.prefix + "*"))
        slots = {store.client.cluster_keyslot(key) for key in keys}
        assert len(keys) >= 6 and len(slots) == 1
    finally:
        assert store.delete_all() >= 6
        store.close()


def _app(store: RedisStore, api: FakeTwilioApi) -> tuple[Flask, TwilioHooks, list[str]]:
    app = Flask("on-redis")
    app.config.update(api.config(), TWHOOKS_STORE=store)
    hooks = TwilioHooks(app)
    runs: list[str] = []

    @hooks.message()
    def reply(msg: IncomingMessage) -> str:
        runs.append(msg.body)
        return "got it"

    return app, hooks, runs


@pytest.mark.parametrize("where", ["cluster", "sentinel"])
def test_an_app_on_it_answers_a_retry_once_and_sends_a_key_once(
    where: str, request: pytest.FixtureRequest
) -> None:
    servers = request.getfixturevalue(where)
    store = RedisStore(servers.url, prefix=new_prefix(where) + ":")
    try:
        with FakeTwilioApi(statuses=()) as api:
            app, hooks, runs = _app(store, api)
            conversation = TwilioTestClient(app).conversation()
            first = conversation.send("hello")
            again = conversation.retry()  # the same request and idempotency token
            assert runs == ["hello"] and first.messages == again.messages == ["got it"]
            with app.app_context():
                sent = hooks.send(to="+15550001111", from_="+15550002222", body="x", key="k")
                assert (
                    hooks.send(to="+15550001111", from_="+15550002222", body="x", key="k") == sent
                )
            assert len(api.messages) == 1
    finally:
        store.delete_all()
        store.close()


# -- a sentinel -----------------------------------------------------------------------------


def test_the_store_follows_the_master_through_a_failover(sentinel: RedisSentinel) -> None:
    store = RedisStore(sentinel.url, prefix=new_prefix("failover") + ":")
    try:
        assert store.claim("before", "a", 60) is True
        old = sentinel.master_port()
        new = sentinel.failover()
        assert new != old
        # Within seconds the store's connections reach the new master: one to the old
        # master fails (redis-py: "the previous master is now a slave"), and the call is
        # StoreUnavailable — never a wrong answer; the next call asks the sentinel again.
        deadline = time.monotonic() + 15
        while True:
            try:
                address = store.client.connection_pool.get_master_address()  # type: ignore[attr-defined]
                if address[1] == new:
                    claimed = store.claim("after", "a", 60)
                    break
            except (StoreUnavailable, redis.ConnectionError):
                pass
            assert time.monotonic() < deadline, "the store never reached the new master"
            time.sleep(0.2)
        assert claimed is True
        assert store.claim("before", "b", 60) is False  # replicated: still held by "a"
        promoted = redis.Redis(port=new)
        assert promoted.info("replication")["role"] == "master"
        promoted.close()
    finally:
        store.delete_all()
        store.close()


def test_redis_client_for_gives_a_queue_the_sentinel_s_master(sentinel: RedisSentinel) -> None:
    client = redis_client_for(sentinel.url)
    try:
        assert client.ping() is True
        assert client.connection_pool.service_name == "mymaster"
        assert client.info("replication")["role"] == "master"
    finally:
        client.close()


@pytest.mark.parametrize("where", ["cluster", "sentinel"])
def test_one_send_key_sends_once_across_4_gunicorn_workers_on_it(
    where: str, request: pytest.FixtureRequest, gunicorn: Callable[..., Gunicorn]
) -> None:
    servers = request.getfixturevalue(where)
    prefix = new_prefix(where) + ":"
    try:
        with FakeTwilioApi(statuses=(), answer_delay=0.3) as api:
            env = {
                "TEST_API_URL": api.url,
                "TEST_ACCOUNT_SID": api.account_sid,
                "TEST_TWILIO_AUTH_TOKEN": api.auth_token,
                "TEST_STORE": servers.url,
                "TEST_PREFIX": prefix,
            }
            server = gunicorn("rest_apps:sender_app()", workers=4, env=env)
            form = {"to": "+15550001111", "from": "+15550002222", "body": "b", "key": "k"}

            def send(_: int) -> requests.Response:
                return requests.post(server.url + "/send", data=form, timeout=30)

            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(send, range(8)))
            assert [a.status_code for a in answers] == [200] * 8
            assert len({a.json()["sid"] for a in answers}) == 1
            assert len(api.messages) == 1
    finally:
        remove(servers.url, prefix)
