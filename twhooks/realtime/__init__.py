"""Voice over WebSocket: ConversationRelay and Media Streams sessions, verified and bound
to their call.

One module per idea: :mod:`~.messages` (the typed JSON messages), :mod:`~.verify` (the
upgrade's signature and CallSid), :mod:`~.relay` and :mod:`~.stream` (the sessions a
handler gets, sync and async), :mod:`~.playback` (what the caller heard, for barge-in),
:mod:`~.lifecycle` (one socket per call, session records, draining), :mod:`~.handlers`
(the decorators and the path every socket takes),
:mod:`~.twiml` (TwiML pointing a call at a session), :mod:`~.testing` (Twilio's side, for
tests); the terminal clients are :mod:`twhooks.cli.voice`. Importing this package loads no
web framework; the sockets' routes are in :mod:`twhooks.flask.sockets` and
:mod:`twhooks.quart.sockets`.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import ProtocolError as ProtocolError
    from .errors import RealtimeError as RealtimeError
    from .errors import SessionClosed as SessionClosed
    from .errors import UpgradeRefused as UpgradeRefused
    from .handlers import RealtimeHandlers as RealtimeHandlers
    from .handlers import RealtimeSettings as RealtimeSettings
    from .lifecycle import CallStore as CallStore
    from .lifecycle import MemoryCallStore as MemoryCallStore
    from .lifecycle import SessionRecord as SessionRecord
    from .playback import Heard as Heard
    from .relay import AsyncRelaySession as AsyncRelaySession
    from .relay import RelaySession as RelaySession
    from .stream import AsyncStreamSession as AsyncStreamSession
    from .stream import StreamSession as StreamSession
    from .twiml import connect_relay as connect_relay
    from .twiml import connect_stream as connect_stream

# Loaded on first use, so that the ``twhooks`` command's clients start fast.
_EXPORTS = {
    "ProtocolError": "errors",
    "RealtimeError": "errors",
    "SessionClosed": "errors",
    "UpgradeRefused": "errors",
    "RealtimeHandlers": "handlers",
    "RealtimeSettings": "handlers",
    "CallStore": "lifecycle",
    "MemoryCallStore": "lifecycle",
    "SessionRecord": "lifecycle",
    "Heard": "playback",
    "AsyncRelaySession": "relay",
    "RelaySession": "relay",
    "AsyncStreamSession": "stream",
    "StreamSession": "stream",
    "connect_relay": "twiml",
    "connect_stream": "twiml",
}

#: Old names of this package's exports, deprecated (the voice-session record was
#: ``CallRecord`` until 0.3; ``twhooks.CallRecord`` is the record of a call's callbacks).
_RENAMED = {"CallRecord": "SessionRecord"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _RENAMED:  # kept for one release
        new = _RENAMED[name]
        warnings.warn(
            f"{__name__}.{name} is deprecated: it is {__name__}.{new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
