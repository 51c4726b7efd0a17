"""The webhook history queued and written in batches (the SQL and Redis stores), and the
SQL store's hot path on the driver's own connection."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import SHARED_BACKENDS, open_spec

from twhooks.store import Deliveries, History, HistoryRecord, Store, StoreUnavailable
from twhooks.store.history_buffer import FLUSH_INTERVAL, HistoryBuffer
from twhooks.store.sql import SQLStore


def request(n: int) -> HistoryRecord:
    return HistoryRecord(
        kind="message_status",
        method="POST",
        url="https://example.com/twilio/messages/status",
        params={"MessageSid": f"SM{n}", "MessageStatus": "sent"},
        verified=True,
        verdict="valid",
        status=204,
    )


def sids(history: History, limit: int = 100) -> list[str | None]:
    return [r.sid for r in history.recent(limit)]


def test_queued_records_are_read_back_at_once_in_this_process(store: Store) -> None:
    history = History(store)
    for n in range(3):
        history.queue(request(n))
    assert sids(history) == ["SM2", "SM1", "SM0"]
    newest = history.recent(1)[0]
    assert newest.id is not None and history.get(newest.id) == newest
    # A record written at once comes after the queued ones.
    last = history.record(request(3))
    assert sids(history) == ["SM3", "SM2", "SM1", "SM0"]
    assert last == history.recent(1)[0].id


def test_a_batch_keeps_the_newest_size_records(store: Store) -> None:
    history = History(store, size=5)
    for n in range(12):
        history.queue(request(n))
    assert sids(history) == [f"SM{n}" for n in range(11, 6, -1)]
    ids = [r.id for r in history.recent()]
    assert ids == sorted(ids, reverse=True)


def test_a_big_batch_keeps_its_order_and_every_record(store: Store) -> None:
    """200 records written in one batch (several multi-row inserts on the SQL stores: 64 +
    64 + 64 + 8) come back whole, in the order they came, with rising ids."""
    buffer = getattr(store, "_history_buffer", None)
    if buffer is not None:  # the whole batch written by the flush below
        buffer.batch, buffer.interval = 10**6, 60.0
    history = History(store, size=1000)
    for n in range(200):
        history.queue(request(n))
    records = history.recent(1000)
    assert [r.sid for r in records] == [f"SM{n}" for n in range(199, -1, -1)]
    assert all(r.params == {"MessageSid": r.sid, "MessageStatus": "sent"} for r in records)
    ids = [r.id for r in records]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 200
    assert history.get(ids[100]) == records[100]


def test_what_waits_is_bounded_by_the_size() -> None:
    written: list[list[str | None]] = []
    buffer = HistoryBuffer(lambda batch, size: written.append([r.sid for r in batch]))
    buffer.interval = 60.0
    for n in range(12):
        buffer.add(request(n), 5)
    buffer.flush()
    assert written == [["SM7", "SM8", "SM9", "SM10", "SM11"]]  # all of one kind


def poll(history: History, expected: int, deadline: float) -> list[str | None]:
    found = sids(history)
    while len(found) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
        found = sids(history)
    return found


@pytest.mark.parametrize("spec", SHARED_BACKENDS, indirect=True)
def test_another_reader_sees_queued_records_within_the_interval(spec: dict[str, str]) -> None:
    writer, reader = open_spec(spec), open_spec(spec)
    try:
        written, read = History(writer), History(reader)
        start = time.monotonic()
        for n in range(5):
            written.queue(request(n))
        # Written by the writer's thread, with nothing read on the writer's side.
        found = poll(read, 5, start + 5)
        took = time.monotonic() - start
        assert found == ["SM4", "SM3", "SM2", "SM1", "SM0"]
        assert took < FLUSH_INTERVAL + 1.0  # the interval, and room for a loaded machine
    finally:
        writer.close()
        reader.close()


@pytest.mark.parametrize("spec", SHARED_BACKENDS, indirect=True)
def test_closing_the_store_writes_what_waits(spec: dict[str, str]) -> None:
    writer, reader = open_spec(spec), open_spec(spec)
    try:
        # The thread would not write it for a minute.
        writer._history_buffer.interval = 60.0  # type: ignore[attr-defined]
        History(writer).queue(request(1))
        writer.close()
        assert sids(History(reader)) == ["SM1"]
    finally:
        reader.close()


@pytest.mark.parametrize("spec", SHARED_BACKENDS, indirect=True)
def test_a_process_that_exits_writes_what_waits(spec: dict[str, str], tmp_path: Path) -> None:
    here = Path(__file__).resolve().parent
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(here)!r})
        from conftest import open_spec
        from twhooks.store import History, HistoryRecord
        store = open_spec({spec!r})
        store._history_buffer.interval = 60.0
        History(store).queue(HistoryRecord(
            kind="message", method="POST", url="https://example.com/",
            params={{"MessageSid": "SMexit"}}, verified=True, verdict="valid", status=200))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    reader = open_spec(spec)
    try:
        assert sids(History(reader)) == ["SMexit"]
    finally:
        reader.close()


@pytest.mark.parametrize("spec", ["sqlite", "postgresql"], indirect=True)
def test_a_failed_status_write_is_store_unavailable_and_the_next_one_works(
    spec: dict[str, str],
) -> None:
    store = open_spec(spec)
    assert isinstance(store, SQLStore)
    try:
        deliveries = Deliveries(store)
        assert deliveries.record("SM1", "sent") == (None, True)
        with store.engine().begin() as conn:  # the table goes away under the store
            conn.execute(
                sa.text(
                    f"ALTER TABLE {store.tables.messages.name} RENAME TO gone_{store.tables.prefix}"
                )
            )
        with pytest.raises(StoreUnavailable, match="the SQL store failed"):
            deliveries.record("SM1", "delivered")
        with store.engine().begin() as conn:
            conn.execute(
                sa.text(
                    f"ALTER TABLE gone_{store.tables.prefix} RENAME TO {store.tables.messages.name}"
                )
            )
        assert deliveries.record("SM1", "delivered") == ("sent", True)
        found = deliveries.get("SM1")
        assert found is not None and [c.status for c in found.history] == ["sent", "delivered"]
    finally:
        store.close()


@pytest.mark.parametrize("spec", ["postgresql"], indirect=True)
def test_a_held_connection_the_server_dropped_is_replaced(spec: dict[str, str]) -> None:
    store = open_spec(spec)
    assert isinstance(store, SQLStore)
    try:
        deliveries = Deliveries(store)
        deliveries.record("SM1", "sent")
        (held,) = store._idle  # the connection the status callback ran on, kept
        pid = held.dbapi_connection.info.backend_pid
        with store.engine().connect() as conn:  # the server ends that session (only that one)
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
        with pytest.raises(StoreUnavailable):  # reported, and the dead connection dropped
            deliveries.record("SM1", "delivered")
        assert deliveries.record("SM1", "read")[1] is True
        found = deliveries.get("SM1")
        assert found is not None and found.status == "read"
    finally:
        store.close()
