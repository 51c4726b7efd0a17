"""The work of one worker process in the multi-process store tests.

Each worker is a forked process with connections of its own (the store is opened in the
child). It connects, says it is ready, waits for the word so that every worker acts at the
same instant, then does its job and sends back its result.
"""

from __future__ import annotations

import os
import time
from typing import Any

from conftest import open_spec

from twhooks.replies import Reply
from twhooks.store import Conversations, Deliveries


def work(job: dict[str, Any], ready: Any, go: Any, results: Any) -> None:
    """Run *job* and put ``(index, result)`` on *results*."""
    store = open_spec(job["spec"])
    store.load_conversation("warm-up")  # connect and create the tables before the start
    ready.put(job["index"])
    go.wait(60)
    delay = job.get("start_at", 0) - time.time()
    if delay > 0:
        time.sleep(delay)
    results.put((job["index"], act(store, job, ready)))


def act(store: Any, job: dict[str, Any], ready: Any) -> Any:
    action = job["action"]
    owner = f"pid-{os.getpid()}"
    if action == "claim":
        found = store.claim(job["key"], owner, job["lease"])
        if found is True:
            reply = Reply(200, [("X-Owner", owner)], owner.encode())
            store.finish(job["key"], owner, reply, 60)
            return {"won": True, "owner": owner}
        body = found.body.decode() if isinstance(found, Reply) else None
        return {"won": False, "reply": body}
    if action == "claim_and_hang":
        ready.put(("claimed", store.claim(job["key"], owner, job["lease"]) is True))
        time.sleep(600)  # until killed
        return None
    if action == "statuses":
        deliveries = Deliveries(store)
        return [
            [sid, status, *deliveries.record(sid, status, to="+15550001111")]
            for sid, status in job["callbacks"]
        ]
    if action == "conversation":
        conversations = Conversations(store, lock_wait=30)
        for person, message in job["messages"]:
            key = conversations.key(person, "+15559990000")
            with conversations.session(key) as session:
                conv = session.conversation
                seen = list(conv.data.get("seen", []))
                time.sleep(0.002)  # widen the read-modify-write window
                conv.goto(f"step{len(seen) + 1}", seen=[*seen, message], person=person)
        return {"done": len(job["messages"])}
    raise ValueError(f"unknown action {action!r}")


def use_inherited(store: Any, key: str, results: Any) -> None:
    """Use a store object made (and connected) by the parent before the fork."""
    owner = f"pid-{os.getpid()}"
    won = store.claim(key, owner, 30) is True
    if won:
        store.finish(key, owner, Reply(200, [], owner.encode()), 60)
    results.put((won, os.getpid()))
