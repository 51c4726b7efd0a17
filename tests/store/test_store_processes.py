"""Several real processes sharing one store: claims, a killed holder, callbacks, conversations.

Each worker is a separate Python process (``store_worker.py``) with its own connections; they
are started together and act at the same wall-clock instant.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED_BACKENDS, open_spec

from twhooks.events import MESSAGE_STATUS_RANK
from twhooks.store import Conversations, Deliveries
from twhooks.store.records import message_status_order

WORKER = str(Path(__file__).with_name("store_worker.py"))

pytestmark = pytest.mark.parametrize("spec", SHARED_BACKENDS, indirect=True)


def start(job: dict[str, Any]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, WORKER, json.dumps(job)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_all(jobs: list[dict[str, Any]], timeout: float = 90) -> list[Any]:
    """Run one worker per job, all acting at once; their results in order."""
    procs = [start(job) for job in jobs]
    try:
        for proc in procs:  # every worker has connected
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line == "ready\n", line + (proc.stderr.read() if proc.stderr else "")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


@pytest.fixture
def hung() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def test_one_of_many_processes_wins_a_claim(spec: dict[str, str]) -> None:
    results = run_all([{"spec": spec, "action": "claim", "key": "K", "lease": 30}] * 6)
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
    spec: dict[str, str], hung: list[subprocess.Popen[str]]
) -> None:
    lease = 2.0
    proc = start(
        {"spec": spec, "action": "claim_and_hang", "key": "K", "lease": lease, "together": False}
    )
    hung.append(proc)
    assert proc.stdout is not None
    assert json.loads(proc.stdout.readline()) == {"won": True}
    claimed_at = time.time()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with closing(open_spec(spec)) as store:
        assert store.claim("K", "too-early", 30) is False
    # Every contender acts after the lease has run out.
    job = {
        "spec": spec,
        "action": "claim",
        "key": "K",
        "lease": 30,
        "start_at": claimed_at + lease + 0.1,
    }
    results = run_all([job] * 4)
    assert sum(r["won"] for r in results) == 1


PATHS = [
    ["queued", "sent", "delivered"],
    ["queued", "sending", "sent", "delivered", "read"],
    ["queued", "sent", "undelivered"],
    ["queued", "failed"],
    ["accepted", "queued", "sending", "sent"],
]


def test_shuffled_duplicated_callbacks_across_processes(spec: dict[str, str]) -> None:
    rng = random.Random(1234)
    expected: dict[str, list[str]] = {}
    callbacks = []
    for n in range(16):
        sid = f"SM{n:032d}"
        path = expected[sid] = rng.choice(PATHS)
        callbacks += [(sid, status) for status in path for _ in range(rng.randint(1, 3))]
    rng.shuffle(callbacks)
    workers = 4
    results = run_all(
        [
            {"spec": spec, "action": "statuses", "callbacks": callbacks[i::workers]}
            for i in range(workers)
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


def test_concurrent_conversations_lose_nothing_and_never_mix(spec: dict[str, str]) -> None:
    people = [f"+1555000{n:04d}" for n in range(6)]
    steps = 4
    workers = 4
    # Message m of every person goes to worker m % workers: each worker holds one message of
    # each person, so two messages of one person always run at once on two processes.
    jobs = [
        {
            "spec": spec,
            "action": "conversation",
            "messages": [[p, f"{p}#{m}"] for m in range(steps) if m % workers == w for p in people],
        }
        for w in range(workers)
    ]
    results = run_all(jobs)
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
