"""Leases renewed while their holder runs (``twhooks.store.renewal``), on every backend: a
claim held longer than its lease stays held, and one given back, or whose holder died, ends
with its lease."""

from __future__ import annotations

import logging
import os
import time

import pytest

from twhooks.store import Conversations, Store
from twhooks.store.errors import LockTimeout
from twhooks.store.renewal import Renewals, renewals


def test_a_held_claim_outlives_its_lease_and_ends_when_dropped(store: Store) -> None:
    assert store.claim("k", "a", 0.4) is True
    held = renewals.hold(store, "k", "a", 0.4)
    try:
        time.sleep(1.2)  # three leases
        assert store.claim("k", "b", 5) is False
    finally:
        renewals.drop(held)
    time.sleep(0.6)  # no renewal since: the lease ran out
    assert store.claim("k", "b", 5) is True


def test_a_conversation_lock_is_renewed_while_held(store: Store) -> None:
    conversations = Conversations(store, lock_lease=0.4, lock_wait=0.0)
    with conversations.lock("+1555:+1666"):
        time.sleep(1.2)
        with pytest.raises(LockTimeout), conversations.lock("+1555:+1666", wait=0.0):
            pass
    with conversations.lock("+1555:+1666", wait=0.0):
        pass  # given back at once


def test_a_lost_claim_is_logged_and_no_longer_renewed(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    mine = Renewals()
    assert store.claim("k", "a", 0.4) is True
    store.finish("k", "a", None, 0)  # gone under the holder's feet (as if taken over)
    assert store.claim("k", "b", 5) is True
    with caplog.at_level(logging.WARNING, "twhooks.store"):
        held = mine.hold(store, "k", "a", 0.4)
        time.sleep(0.5)
        assert len(mine) == 0
        mine.drop(held)
    assert "lost" in caplog.text
    assert store.renew("k", "b", 5) is True  # b's claim untouched


def test_a_forked_child_renews_none_of_its_parents_claims(store: Store) -> None:
    mine = Renewals()
    assert store.claim("k", "a", 5) is True
    held = mine.hold(store, "k", "a", 5)
    pid = os.fork()
    if pid == 0:  # the child: nothing held, and its own thread when it holds something
        os._exit(0 if len(mine) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert len(mine) == 1
    mine.drop(held)
