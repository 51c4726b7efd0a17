"""Call records in twhooks' shared store, so that every host sees every call's session.

:class:`SharedCallStore` is a :class:`~twhooks.realtime.lifecycle.CallStore` on a
:class:`twhooks.store.Store` (SQLite, PostgreSQL, Redis, or memory for tests). It uses two of
the store's atomic operations and adds no table of its own:

- the one-socket-per-call rule is a **claim** of the key ``voice-lock:<CallSid>`` (the same
  atomic claim with a lease that de-duplicates webhooks: ``INSERT … ON CONFLICT DO NOTHING``
  in SQL, ``SET NX PX`` in Redis), released when the session ends; the lease frees the call
  if its host dies;
- the record itself (host, times, counts, errors, handoff data, ``session.data``) is a
  versioned document under ``voice-call:<CallSid>``, written with the store's
  compare-and-set save, kept for the retention period after the session ends.

So the call's status, AMD and recording callbacks and the ``<Connect action>`` callback,
landing on any host, can read the session with ``hooks.realtime.registry.store.get(sid)``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..store.base import blocks
from . import lifecycle
from .errors import RealtimeError
from .lifecycle import SessionRecord

if TYPE_CHECKING:
    from ..store import History, Store

__all__ = ["SharedCallStore", "history_hook"]

_FIELDS = {f.name for f in dataclasses.fields(SessionRecord)}


class SharedCallStore:
    """A :class:`~twhooks.realtime.lifecycle.CallStore` in a shared :class:`~twhooks.store.Store`.

    :param store: the app's store (``open_store(app.config.get("TWHOOKS_STORE"), ...)``).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        # The owner of each claim this process holds, to release it at the session's end.
        self._owners: dict[str, str] = {}

    @property
    def blocking(self) -> bool:
        """Whether its calls may wait on I/O: those of the store it is in
        (:func:`~twhooks.store.base.blocks`)."""
        return blocks(self.store)

    def claim(self, record: SessionRecord, lease: float) -> bool:
        owner = f"{record.host}:{uuid.uuid4().hex}"
        if self.store.claim(_lock(record.call_sid), owner, lease) is not True:
            return False
        self._owners[record.call_sid] = owner
        self._write(record, lease)
        return True

    def save(self, record: SessionRecord, lease: float) -> None:
        self._write(record, lease)
        if not record.live:
            owner = self._owners.pop(record.call_sid, None)
            if owner is not None:
                # A claim finished without a reply is deleted: the call may connect again.
                self.store.finish(_lock(record.call_sid), owner, None, 0.0)

    def get(self, call_sid: str) -> SessionRecord | None:
        found = self.store.load_conversation(_key(call_sid))
        return None if found is None else _record(found.data)

    def _write(self, record: SessionRecord, ttl: float) -> None:
        data = dataclasses.asdict(record)
        key = _key(record.call_sid)
        for _ in range(10):
            current = self.store.load_conversation(key)
            version = current.version if current is not None else 0
            if self.store.save_conversation(key, None, data, version, ttl) is not None:
                return
        raise RealtimeError(f"the record of call {record.call_sid} keeps changing under us")


def history_hook(
    history: History, url_prefix: str = "/twilio"
) -> Callable[[lifecycle.SessionRecord], None]:
    """An end hook that records each voice session in the webhook history.

    ::

        hooks.session_end(history_hook(hooks.history))

    One entry per session, when it ends: kind ``relay`` or ``stream``, status 101, the
    CallSid, host, message counts, errors and handoff data as its parameters, how it ended
    as ``why``, its length as ``duration``. (An upgrade refused before the socket opens is
    logged, not recorded: it never became a session.)
    """
    from ..store import HistoryRecord

    def record_session(record: SessionRecord) -> None:
        params = {
            "CallSid": record.call_sid,
            "Host": record.host,
            "Received": str(record.received),
            "Sent": str(record.sent),
        }
        if record.errors:
            params["Errors"] = "; ".join(record.errors)
        if record.handoff_data is not None:
            params["HandoffData"] = record.handoff_data
        ended = record.ended_at or record.started_at
        history.record(
            HistoryRecord(
                kind=record.kind,
                method="GET",
                url=f"{url_prefix.rstrip('/')}/{record.kind}/{record.call_sid}",
                params=params,
                verified=True,
                verdict="valid",
                status=101,
                why=record.close_reason,
                duration=max(0.0, ended - record.started_at),
                at=record.started_at,
            )
        )

    return record_session


def _lock(call_sid: str) -> str:
    return f"voice-lock:{call_sid}"


def _key(call_sid: str) -> str:
    return f"voice-call:{call_sid}"


def _record(data: Any) -> SessionRecord:
    values = {name: value for name, value in dict(data).items() if name in _FIELDS}
    values["errors"] = list(values.get("errors") or [])
    values["data"] = dict(values.get("data") or {})
    return SessionRecord(**values)
