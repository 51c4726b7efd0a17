"""One worker process of the multi-process store tests: ``python store_worker.py JSON``.

The JSON names the store (see ``conftest.store_spec``) and an action. Unless ``together`` is
false, the worker connects, prints ``ready`` and waits for a line on its standard input before
it acts, so that every worker acts at once; it then prints its result as one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

from conftest import open_spec

from twhooks.idempotency import StoredReply
from twhooks.store import Conversations, Deliveries


def main(job: dict[str, Any]) -> Any:
    store = open_spec(job["spec"])
    store.load_conversation("warm-up")  # connect and create the tables before the start
    if job.get("together", True):
        # Say so, then wait for the word: every worker acts at the same instant.
        print("ready", flush=True)
        sys.stdin.readline()
    delay = job.get("start_at", 0) - time.time()
    if delay > 0:
        time.sleep(delay)
    action = job["action"]
    owner = f"pid-{os.getpid()}"
    if action == "claim":
        found = store.claim(job["key"], owner, job["lease"])
        if found is True:
            store.finish(
                job["key"], owner, StoredReply(200, (("X-Owner", owner),), owner.encode()), 60
            )
            return {"won": True, "owner": owner}
        return {
            "won": False,
            "reply": found.body.decode() if isinstance(found, StoredReply) else None,
        }
    if action == "claim_and_hang":
        found = store.claim(job["key"], owner, job["lease"])
        print(json.dumps({"won": found is True}), flush=True)
        time.sleep(600)
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
    raise SystemExit(f"unknown action {action!r}")


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
