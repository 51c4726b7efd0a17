"""The store's counters (``add_to_counter``): fixed windows, atomic, on every backend; what the
inspector counts its failed logins with."""

from __future__ import annotations

import threading
import time

from twhooks.store import Store


def test_a_counter_counts_within_its_window_then_is_gone(store: Store) -> None:
    assert store.add_to_counter("login:10.0.0.1", 0, 0.5) == (0, 0.0)  # a read starts none
    assert store.add_to_counter("login:10.0.0.1", 0, 0.5) == (0, 0.0)
    count, left = store.add_to_counter("login:10.0.0.1", 1, 0.5)
    assert count == 1 and 0.3 < left <= 0.5
    assert store.add_to_counter("login:10.0.0.1", 2, 0.5)[0] == 3
    count, left = store.add_to_counter("login:10.0.0.1", 0, 0.5)
    assert count == 3 and 0 < left <= 0.5
    assert store.add_to_counter("login:10.0.0.2", 0, 0.5) == (0, 0.0)  # its own key
    time.sleep(0.6)
    assert store.add_to_counter("login:10.0.0.1", 0, 0.5) == (0, 0.0)
    count, left = store.add_to_counter("login:10.0.0.1", 1, 0.5)  # a new window
    assert count == 1 and 0.3 < left <= 0.5


def test_concurrent_additions_are_all_counted(store: Store) -> None:
    def add() -> None:
        for _ in range(25):
            store.add_to_counter("together", 1, 60)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.add_to_counter("together", 0, 60)[0] == 100
