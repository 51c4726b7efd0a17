"""Several real processes sharing one store: claims, a killed holder, callbacks, conversations.

Each worker is a separate forked process that opens the store itself, with its own
connections (``store_worker.py``); they are started together and act at the same instant.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest
from conftest import SHARED_BACKENDS, open_spec
from store_worker import use_inherited, work

from twhooks.events import MESSAGE_STATUS_RANK
from twhooks.store import Conversations, Deliveries
from twhooks.store.records import message_status_order

pytestmark = pytest.mark.parametrize("spec", SHARED_BACKENDS, indirect=True)

# Forked: the children start at once, with the test's modules already imported. Each child
# opens its own store, and leaves through os._exit, so the parent's connections stay its own.
CONTEXT = multiprocessing.get_context("fork")


class Workers:
    """Worker processes acting at once; every one is killed at the end of the test."""

    def __init__(self) -> None:
        self.ready = CONTEXT.Queue()
        self.go = CONTEXT.Event()
        self.results = CONTEXT.Queue()
        self.procs: list[Any] = []

    def start(self, job: dict[str, Any]) -> Any:
        job = {**job, "index": len(self.procs)}
        proc = CONTEXT.Process(target=work, args=(job, self.ready, self.go, self.results))
        proc.start()
        self.procs.append(proc)
        return proc

    def run(self, jobs: list[dict[str, Any]], timeout: float = 90) -> list[Any]:
        """Run one worker per job, all acting at once; their results in order."""
        for job in jobs:
            self.start(job)
        for _ in jobs:  # every worker has connected
            self.ready.get(timeout=timeout)
        self.go.set()
        results = dict(self.results.get(timeout=timeout) for _ in jobs)
        for proc in self.procs:
            proc.join(timeout)
            assert proc.exitcode == 0
        return [results[i] for i in range(len(jobs))]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
            proc.join(10)
        for queue in (self.ready, self.results):
            queue.close()
            queue.join_thread()


@pytest.fixture
def workers() -> Iterator[Workers]:
    started = Workers()
    yield started
    started.stop()


def test_one_of_many_processes_wins_a_claim(spec: dict[str, str], workers: Workers) -> None:
    results = workers.run([{"spec": spec, "action": "claim", "key": "K", "lease": 30}] * 6)
    winners = [r["owner"] for r in results if r["won"]]
    assert len(winners) == 1
    for r in results:
        if not r["won"]:
            # a loser saw the claim in flight, or already the winner's reply
            assert r["reply"] in (None, winners[0])
    with closing(open_spec(spec)) as store:
        found = store.claim("K", "late", 30)
    assert not isinstance(found, bool)
    assert found.body.decode() == winners[0]


def test_the_claim_of_a_killed_process_expires_and_is_taken_once(
    spec: dict[str, str], workers: Workers
) -> None:
    lease = 2.0
    holder = Workers()
    try:
        proc = holder.start({"spec": spec, "action": "claim_and_hang", "key": "K", "lease": lease})
        holder.ready.get(timeout=60)
        holder.go.set()
        assert holder.ready.get(timeout=60) == ("claimed", True)
        claimed_at = time.time()
        proc.kill()  # SIGKILL: no finally, no finish
        proc.join(10)
        assert proc.exitcode == -9
    finally:
        holder.stop()
    with closing(open_spec(spec)) as store:
        assert store.claim("K", "too-early", 30) is False
    # Every contender acts after the lease has run out.
    job = {"spec": spec, "action": "claim", "key": "K", "lease": 30}
    results = workers.run([{**job, "start_at": claimed_at + lease + 0.1}] * 4)
    assert sum(r["won"] for r in results) == 1


PATHS = [
    ["queued", "sent", "delivered"],
    ["queued", "sending", "sent", "delivered", "read"],
    ["queued", "sent", "undelivered"],
    ["queued", "failed"],
    ["accepted", "queued", "sending", "sent"],
]


def test_shuffled_duplicated_callbacks_across_processes(
    spec: dict[str, str], workers: Workers
) -> None:
    rng = random.Random(1234)
    expected: dict[str, list[str]] = {}
    callbacks = []
    for n in range(16):
        sid = f"SM{n:032d}"
        path = expected[sid] = rng.choice(PATHS)
        callbacks += [(sid, status) for status in path for _ in range(rng.randint(1, 3))]
    rng.shuffle(callbacks)
    count = 4
    results = workers.run(
        [
            {"spec": spec, "action": "statuses", "callbacks": callbacks[i::count]}
            for i in range(count)
        ]
    )
    store = open_spec(spec)
    deliveries = Deliveries(store)
    advanced_to: dict[str, list[str]] = {}
    for sid, status, previous, advanced in (row for rows in results for row in rows):
        if advanced:
            advanced_to.setdefault(sid, []).append(status)
            assert previous is None or message_status_order(status) > message_status_order(previous)
    for sid, path in expected.items():
        found = deliveries.get(sid)
        assert found is not None
        furthest = max(path, key=message_status_order)
        assert found.status == furthest, (sid, path)
        assert sorted(c.status for c in found.history) == sorted(path)
        assert found.to == "+15550001111"
        # the callback that reached the furthest status advanced once, duplicates did not
        assert advanced_to[sid].count(furthest) == 1
        assert all(s in MESSAGE_STATUS_RANK for s in advanced_to[sid])
    store.close()


def test_concurrent_conversations_lose_nothing_and_never_mix(
    spec: dict[str, str], workers: Workers
) -> None:
    people = [f"+1555000{n:04d}" for n in range(6)]
    steps = 4
    count = 4
    # Message m of every person goes to worker m % count: each worker holds one message of
    # each person, so two messages of one person always run at once on two processes.
    jobs = [
        {
            "spec": spec,
            "action": "conversation",
            "messages": [[p, f"{p}#{m}"] for m in range(steps) if m % count == w for p in people],
        }
        for w in range(count)
    ]
    results = workers.run(jobs)
    assert sum(r["done"] for r in results) == len(people) * steps
    store = open_spec(spec)
    conversations = Conversations(store)
    for person in people:
        found = conversations.get(person, "+15559990000")
        assert found is not None
        assert found.data["person"] == person
        assert sorted(found.data["seen"]) == [f"{person}#{m}" for m in range(steps)]
        assert found.state == f"step{steps}"
        assert found.version == steps
    store.close()


def test_a_store_made_before_the_fork_reconnects_in_each_worker(spec: dict[str, str]) -> None:
    # gunicorn --preload: the app (and its store) is made, and may have connected, in the
    # parent; each forked worker must open its own connections, and leave the parent's alone.
    with closing(open_spec(spec)) as store:
        assert store.claim("parent", "parent", 30) is True
        results = CONTEXT.Queue()
        procs = [
            CONTEXT.Process(target=use_inherited, args=(store, "K", results)) for _ in range(3)
        ]
        try:
            for proc in procs:
                proc.start()
            outcomes = [results.get(timeout=60) for _ in procs]
            for proc in procs:
                proc.join(30)
                assert proc.exitcode == 0
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.kill()
                proc.join(10)
            results.close()
            results.join_thread()
        assert sum(won for won, _ in outcomes) == 1
        # The parent's own connections still work.
        found = store.claim("K", "parent", 30)
        assert not isinstance(found, bool)
        assert found.body.decode() in {f"pid-{pid}" for _, pid in outcomes}
        store.finish("parent", "parent", None, 1)
        assert store.claim("parent", "parent-again", 30) is True
