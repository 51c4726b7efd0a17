"""The errors of the WebSocket voice sessions, in twhooks' one exception tree.

::

    TwhooksError
    └── RealtimeError                   a ConversationRelay or Media Streams socket went wrong
        ├── UpgradeRefused              the WebSocket upgrade is refused before the socket opens
        ├── ProtocolError               a message that is not what Twilio sends
        └── SessionClosed               the socket is closed: hang-up, end, shutdown
"""

from __future__ import annotations

from ..exceptions import TwhooksError

__all__ = ["ProtocolError", "RealtimeError", "SessionClosed", "UpgradeRefused"]


class RealtimeError(TwhooksError):
    """Base class of the errors of :mod:`twhooks.realtime`."""


class UpgradeRefused(RealtimeError):
    """A WebSocket upgrade that must not be served; nothing of the app has run.

    :param reason: a short sentence saying what was wrong, safe to log.
    :param status: the HTTP status the upgrade is answered with.
    :param url: the URL the signature was checked over, if it got that far.
    :param code: a short machine-readable name of the reason (the signature error's code,
        such as ``invalid_signature``; ``status_<status>`` by default): the ``reason`` label of
        ``twhooks_refusals_total``.
    """

    def __init__(
        self, reason: str, *, status: int = 403, url: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.url = url
        self.code = code if code is not None else f"status_{status}"


class ProtocolError(RealtimeError):
    """A WebSocket message that is not one Twilio sends (bad JSON, a missing field).

    :param reason: what was wrong, safe to log (the message itself is not repeated: it may
        hold what the caller said).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SessionClosed(RealtimeError):
    """The session's socket is closed; raised by a receive or send after that.

    :param code: the WebSocket close code, if known (1000 normal, 1001 going away...).
    :param reason: why, when known.
    """

    def __init__(self, reason: str = "the socket is closed", *, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
