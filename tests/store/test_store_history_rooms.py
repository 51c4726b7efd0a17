"""Each kind of webhook has room of its own in the history, on every backend: the status
callbacks of a busy hour never push its messages out.

Before, the 1,000 newest requests of every kind together were kept: 1,000 status callbacks
left no message in the history.
"""

from __future__ import annotations

import pytest

from twhooks.store import History, HistoryRecord, Store
from twhooks.store.history_buffer import HistoryBuffer


def request(kind: str | None, n: int) -> HistoryRecord:
    sid = f"SM{n:032d}"
    params = {"MessageSid": sid, "From": "+15550001111", "To": "+15550002222"}
    return HistoryRecord(
        kind=kind,
        method="POST",
        url="https://example.com/twilio/messages",
        params=params,
        verified=True,
        verdict="valid",
        status=200,
    )


@pytest.mark.parametrize("write", ["record", "queue"])
def test_status_callbacks_do_not_push_messages_out(store: Store, write: str) -> None:
    history = History(store, size=10)
    add = history.record if write == "record" else history.queue
    for n in range(5):
        add(request("message", n))
    add(request(None, 99))  # a request too malformed to tell its kind
    for n in range(100, 150):
        add(request("message_status", n))
        if n % 20 == 0:
            history.recent(1)  # written in several batches
    messages = history.recent(50, kind="message")
    assert [r.params["MessageSid"][-1] for r in messages] == ["4", "3", "2", "1", "0"]
    statuses = history.recent(50, kind="message_status")
    assert len(statuses) == 10  # the newest ten
    assert statuses[0].params["MessageSid"].endswith("149")
    assert statuses[-1].params["MessageSid"].endswith("140")
    everything = history.recent(100)
    assert len(everything) == 16
    assert [r.kind for r in everything].count(None) == 1
    ids = [r.id for r in everything]
    assert ids == sorted(ids, reverse=True)
    first = messages[-1].id
    assert first is not None and history.get(first) == messages[-1]


def test_what_waits_keeps_room_for_each_kind() -> None:
    written: list[list[str | None]] = []
    buffer = HistoryBuffer(lambda batch, size: written.append([r.kind for r in batch]))
    buffer.interval = 60.0
    buffer.add(request("message", 1), 3)
    for n in range(10):
        buffer.add(request("message_status", n), 3)
    buffer.flush()
    assert written == [["message", "message_status", "message_status", "message_status"]]
