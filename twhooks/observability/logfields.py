"""The fields of the webhook being handled, for log records.

While a webhook is handled — from the moment it is received until it is concluded — its
fields (kind, SIDs, request id, handler, outcome) are in a context variable
(:func:`current_webhook`). Every record of a twhooks logger carries them as attributes, as if
logged with ``extra``: a :class:`WebhookLogFields` filter sits on each twhooks logger. The
app's own records get them too when the app puts the same filter on its handler; and
:class:`JsonFormatter` writes one JSON object per record, fields included.

Only verified values are fields: a refused request has its kind and request id, never the SIDs
it claims. No secret is ever a field (the auth token, the signature, a password in a URL are
never read here). Standard library only.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "FIELDS",
    "TWHOOKS_LOGGERS",
    "JsonFormatter",
    "WebhookFields",
    "WebhookLogFields",
    "current_webhook",
    "new_request_id",
]

#: The names of the fields, as record attributes and JSON keys.
FIELDS = (
    "kind",
    "request_id",
    "account_sid",
    "message_sid",
    "call_sid",
    "handler",
    "outcome",
    "idempotency_token",
)

#: The loggers twhooks logs to (tests/test_observability_logs.py checks the list is whole).
TWHOOKS_LOGGERS = (
    "twhooks",
    "twhooks.background",
    "twhooks.dispatch",
    "twhooks.events",
    "twhooks.extension",
    "twhooks.inspector",
    "twhooks.middleware",
    "twhooks.realtime",
    "twhooks.request_validator",
    "twhooks.rest",
    "twhooks.store",
    "twhooks.webhooks",
)


class WebhookFields:
    """The fields of one webhook; ``None`` for what it has not (yet)."""

    __slots__ = FIELDS

    def __init__(
        self,
        kind: str | None,
        request_id: str,
        account_sid: str | None = None,
        message_sid: str | None = None,
        call_sid: str | None = None,
        idempotency_token: str | None = None,
    ) -> None:
        self.kind = kind
        self.request_id = request_id
        self.account_sid = account_sid
        self.message_sid = message_sid
        self.call_sid = call_sid
        self.idempotency_token = idempotency_token
        self.handler: str | None = None
        self.outcome: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The fields that have a value."""
        return {name: value for name in FIELDS if (value := getattr(self, name, None)) is not None}

    def __repr__(self) -> str:
        return f"WebhookFields({self.as_dict()!r})"


_current: ContextVar[WebhookFields | None] = ContextVar("twhooks_webhook", default=None)


def current_webhook() -> WebhookFields | None:
    """The fields of the webhook being handled in this context (in its handler, its error
    handlers, and what they call), ``None`` outside a webhook."""
    return _current.get()


def enter(fields: WebhookFields) -> None:
    """Make *fields* the current webhook's (when it is received)."""
    _current.set(fields)


def leave(fields: WebhookFields) -> None:
    """End *fields*' turn as the current webhook (when it is concluded): a thread that
    serves the next request starts without them."""
    if _current.get() is fields:
        _current.set(None)


# Request ids: a random prefix per process (new in each forked child), then a counter — as
# unique as random ids, without a system call per request.
_prefix = os.urandom(4).hex()
_count = itertools.count(1)


def _new_prefix() -> None:
    global _prefix
    _prefix = os.urandom(4).hex()


os.register_at_fork(after_in_child=_new_prefix)


def new_request_id() -> str:
    """A new request id: 16 hex digits (8 of this process's, 8 of a counter), unique enough
    to find one request in the logs of every worker and host."""
    return f"{_prefix}{next(_count) & 0xFFFFFFFF:08x}"


class WebhookLogFields(logging.Filter):
    """A filter that adds the current webhook's fields to each record it sees, as
    attributes (what ``extra`` sets); an attribute the record has already is kept.

    It is on every twhooks logger; put it on a handler of yours for the app's own records::

        handler.addFilter(twhooks.WebhookLogFields())
    """

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _current.get()
        if fields is not None:
            attributes = record.__dict__
            for name in FIELDS:
                value = getattr(fields, name)
                if value is not None and name not in attributes:
                    attributes[name] = value
        return True


#: The attributes of a record that :class:`JsonFormatter` writes besides :data:`FIELDS`.
_EXTRA = ("status", "duration_ms", "reason")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
    ``message``, the webhook's fields that it carries, and ``exception`` (the traceback)
    when it has one::

        {"time": "2026-12-06T17:02:11.204Z", "level": "INFO", "logger": "twhooks.webhooks",
         "message": "message handled: 200 in 2.1 ms", "kind": "message", "request_id": ...}
    """

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, timezone.utc)
        out: dict[str, Any] = {
            "time": stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        attributes = record.__dict__
        for name in (*FIELDS, *_EXTRA):
            value = attributes.get(name)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


_FILTER = WebhookLogFields()


def _install() -> None:
    """Put the filter on every twhooks logger (once)."""
    for name in TWHOOKS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WebhookLogFields) for f in logger.filters):
            logger.addFilter(_FILTER)


_install()
