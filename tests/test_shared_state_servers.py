"""The shared store across processes: gunicorn with 4 workers on one SQLite file, two
servers sharing Redis (two "hosts"), a worker killed mid-handler, conversations and delivery
statuses racing across workers."""

from __future__ import annotations

import concurrent.futures
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from _servers import Gunicorn
from _signing import TOKEN, official_signature
from _stores import REDIS_URL, named_store, new_prefix, remove

from twhooks.events import MESSAGE_STATUS_RANK
from twhooks.store import open_store

SMS = {"AccountSid": "AC1", "MessageSid": "SM1", "To": "+15550000000"}


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """This test's keys in the shared Redis, removed after it (nothing else is). Ask for it
    before ``gunicorn``: its servers then stop (and flush their history) before the keys go."""
    prefix = new_prefix("servers")
    yield prefix
    remove(REDIS_URL, prefix)


def post(
    url: str, params: dict[str, str], token: str | None = None, signed_url: str | None = None
) -> requests.Response:
    headers = {"X-Twilio-Signature": official_signature(signed_url or url, params)}
    if token:
        headers["I-Twilio-Idempotency-Token"] = token
    return requests.post(url, data=params, headers=headers, timeout=30)


def start(
    gunicorn: Callable[..., Gunicorn], tmp_path: Path, store: str, workers: int, **env: str
) -> tuple[Gunicorn, Path]:
    runs = tmp_path / "runs.txt"
    runs.touch()
    server = gunicorn(
        "shared_app",
        workers=workers,
        env={"TEST_TWILIO_AUTH_TOKEN": TOKEN, "TEST_STORE": store, "TEST_RUNS": str(runs), **env},
    )
    return server, runs


def runs_of(runs: Path) -> list[list[str]]:
    return [line.split(" ", 2) for line in runs.read_text().splitlines()]


def test_a_retry_on_4_workers_runs_the_handler_once(
    gunicorn: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    server, runs = start(
        gunicorn, tmp_path, f"sqlite:///{tmp_path}/store.sqlite3", 4, TEST_SLOW="0.5"
    )
    url = server.url + "/twilio/messages"
    params = {**SMS, "From": "+15551110000", "Body": "SLOW hello"}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: post(url, params, "tok-1"), range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert len({a.content for a in answers}) == 1
    assert len(runs_of(runs)) == 1
    # A later retry is answered from the store too.
    assert post(url, params, "tok-1").content == answers[0].content
    assert len(runs_of(runs)) == 1


def test_two_hosts_sharing_redis_run_a_retry_once(
    redis_prefix: str, gunicorn: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    public = "https://hooks.example.com"
    first, runs = start(
        gunicorn,
        tmp_path,
        REDIS_URL,
        2,
        TEST_SLOW="0.5",
        TEST_PUBLIC_URL=public,
        TEST_PREFIX=redis_prefix,
    )
    second = gunicorn(
        "shared_app",
        workers=2,
        env={
            "TEST_TWILIO_AUTH_TOKEN": TOKEN,
            "TEST_STORE": REDIS_URL,
            "TEST_PREFIX": redis_prefix,
            "TEST_RUNS": str(runs),
            "TEST_PUBLIC_URL": public,
        },
    )
    params = {**SMS, "From": "+15552220000", "Body": "SLOW hi"}
    urls = [first.url + "/twilio/messages", second.url + "/twilio/messages"] * 3

    def send(url: str) -> requests.Response:
        # Twilio signs the public URL; a load balancer sends the retry to either host.
        return post(url, params, "tok-two-hosts", signed_url=public + "/twilio/messages")

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, urls))
    assert all(a.status_code == 200 for a in answers)
    assert len({a.content for a in answers}) == 1
    assert len(runs_of(runs)) == 1


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_retry_after_a_worker_killed_mid_handler_is_answered_within_6_s(
    redis_prefix: str, gunicorn: Callable[..., Gunicorn], tmp_path: Path, backend: str
) -> None:
    # The default lease, renewed while the handler runs: the dead worker's claim (and its
    # conversation's lock) end within one lease of the kill, not after Twilio's whole 15 s.
    url_of_store = f"sqlite:///{tmp_path}/store.sqlite3" if backend == "sqlite" else REDIS_URL
    server, runs = start(
        gunicorn, tmp_path, url_of_store, 2, TEST_SLOW="30", TEST_PREFIX=redis_prefix
    )
    url = server.url + "/twilio/messages"
    params = {**SMS, "From": "+15553330000", "Body": "SLOW first"}
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        doomed = pool.submit(post, url, params, "tok-killed")
        pid_file = Path(str(runs) + ".pid")
        deadline = time.monotonic() + 10
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2.0)  # past the first renewals: the claim outlives its first lease
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        with pytest.raises(requests.RequestException):
            doomed.result()  # the connection dies with the worker
    assert runs_of(runs) == []
    # Twilio's retry: while the dead worker's claim holds, it waits; then it runs, once.
    Path(str(runs) + ".fast").touch()  # the retry's run is quick
    started = time.monotonic()
    answer = post(url, params, "tok-killed")
    waited = time.monotonic() - started
    assert answer.status_code == 200, server.output()[-3000:]
    print(f"retry answered after {waited:.2f} s")
    assert waited < 6, waited
    assert len(runs_of(runs)) == 1
    again = post(url, params, "tok-killed")
    assert again.content == answer.content
    assert len(runs_of(runs)) == 1


def test_a_handler_slower_than_the_lease_is_never_run_twice_by_its_retries(
    gunicorn: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    # A 1 s lease and a 3 s handler: its claim is renewed, so retries sent while it runs
    # (after its first lease ran out) wait for its reply instead of running it again.
    server, runs = start(
        gunicorn, tmp_path, f"sqlite:///{tmp_path}/store.sqlite3", 4, TEST_SLOW="3", TEST_LEASE="1"
    )
    url = server.url + "/twilio/messages"
    params = {**SMS, "From": "+15556660000", "Body": "SLOW long"}
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        first = pool.submit(post, url, params, "tok-long")
        pid_file = Path(str(runs) + ".pid")
        deadline = time.monotonic() + 10
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)
        retry = pool.submit(post, url, params, "tok-long")
        time.sleep(0.8)
        late_retry = pool.submit(post, url, params, "tok-long")
        answers = [first.result(), retry.result(), late_retry.result()]
    assert [a.status_code for a in answers] == [200] * 3, server.output()[-3000:]
    assert len({a.content for a in answers}) == 1
    assert len(runs_of(runs)) == 1, runs.read_text()


def test_two_messages_of_one_person_at_once_lose_no_update(
    gunicorn: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    server, runs = start(gunicorn, tmp_path, f"sqlite:///{tmp_path}/store.sqlite3", 4)
    url = server.url + "/twilio/messages"
    people = [f"+1555444{n:04d}" for n in range(6)]
    rounds = 4
    messages = [
        {**SMS, "From": person, "Body": f"m{r}{half}"}
        for r in range(rounds)
        for person in people
        for half in "ab"
    ]
    random.Random(7).shuffle(messages)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda p: post(url, p), messages))
    assert all(a.status_code == 200 for a in answers)
    store = open_store(f"sqlite:///{tmp_path}/store.sqlite3", instance_path=tmp_path)
    try:
        from twhooks.store import Conversations

        conversations = Conversations(store)
        for person in people:
            record = conversations.get(person, SMS["To"], account_sid=SMS["AccountSid"])
            assert record is not None
            # Every message counted once: no handler read a state another was changing.
            assert record.data["count"] == 2 * rounds, person
    finally:
        store.close()
    counts: Counter[str] = Counter(line[1][0] for line in runs_of(runs))
    assert sum(counts.values()) == len(messages)


def test_shuffled_duplicated_statuses_across_workers_end_at_the_furthest(
    gunicorn: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    server, _ = start(gunicorn, tmp_path, f"sqlite:///{tmp_path}/store.sqlite3", 4)
    url = server.url + "/twilio/messages/status"
    lifecycles = {
        f"SM{n:032d}": path
        for n, path in enumerate(
            [
                ["queued", "sending", "sent", "delivered"],
                ["queued", "sent", "undelivered"],
                ["queued", "sending", "sent", "delivered", "read"],
                ["accepted", "queued", "failed"],
            ]
            * 3
        )
    }
    callbacks = [
        {"AccountSid": "AC1", "MessageSid": sid, "MessageStatus": status, "To": "+15550001111"}
        for sid, path in lifecycles.items()
        for status in path
        for _ in range(2)  # each one twice
    ]
    random.Random(11).shuffle(callbacks)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda p: post(url, p), callbacks))
    assert all(a.status_code == 204 for a in answers)
    store = open_store(f"sqlite:///{tmp_path}/store.sqlite3", instance_path=tmp_path)
    try:
        for sid, path in lifecycles.items():
            delivery = store.get_message(sid)
            assert delivery is not None
            assert delivery.status == max(path, key=MESSAGE_STATUS_RANK.__getitem__)
            assert sorted(c.status for c in delivery.history) == sorted(path)
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_the_webhook_history_of_every_worker_reaches_another_process(
    redis_prefix: str, gunicorn: Callable[..., Gunicorn], tmp_path: Path, backend: str
) -> None:
    # Each worker writes its history in batches (within 100 ms): a reader in another process
    # sees every request, later by that much at most — so it polls, with a deadline.
    url_of_store = f"sqlite:///{tmp_path}/store.sqlite3" if backend == "sqlite" else REDIS_URL
    server, _ = start(gunicorn, tmp_path, url_of_store, 2, TEST_PREFIX=redis_prefix)
    url = server.url + "/twilio/messages/status"
    sids = [f"SM{n:032d}" for n in range(40)]
    callbacks = [
        {"AccountSid": "AC1", "MessageSid": sid, "MessageStatus": "sent", "To": "+15550001111"}
        for sid in sids
    ]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda p: post(url, p), callbacks))
    assert all(a.status_code == 204 for a in answers)
    store: Any = named_store(url_of_store, redis_prefix)
    try:
        deadline = time.monotonic() + 5
        while True:
            found = store.recent_history(100)
            if len(found) >= len(sids) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert sorted(r.sid for r in found if r.sid) == sids
        assert all(r.kind == "message_status" and r.status == 204 for r in found)
        assert len({r.id for r in found}) == len(sids)
    finally:
        store.close()
