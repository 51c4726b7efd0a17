"""A stored request as a command to send it again: ``twhooks send`` or ``curl``.

Neither carries a secret: ``twhooks send`` signs with ``$TWILIO_AUTH_TOKEN`` and the curl
command reads the signature from ``$SIGNATURE`` (printed by nothing here).
"""

from __future__ import annotations

import shlex
from urllib.parse import urlencode

from ..store.records import HistoryRecord
from .redact import redact_url

__all__ = ["curl_command", "send_command"]


def send_command(record: HistoryRecord) -> str:
    """The ``twhooks send`` command that sends *record*'s parameters to its URL again (for
    an Event Streams batch, which ``twhooks send`` cannot send whole: the curl command)."""
    if _batch(record) is not None:
        return curl_command(record)
    url = redact_url(record.url)
    if record.method == "GET":  # the parameters are the query's: given as fields instead
        url = url.partition("?")[0]
    words = ["twhooks", "send", record.kind or "message", url]
    if record.method == "GET":
        words.append("--method=GET")
    words += [f"{name}={value}" for name, value in record.params.items()]
    return shlex.join(words)


def curl_command(record: HistoryRecord) -> str:
    """The ``curl`` command that sends *record* again (the signature left to fill in)."""
    url = redact_url(record.url)
    # A background job's record (method JOB) sends its webhook again: a POST.
    words = ["curl", "-sS", "-X", "POST" if record.method == "JOB" else record.method]
    words += ["-H", "X-Twilio-Signature: $SIGNATURE"]
    batch = _batch(record)
    if batch is not None:  # its JSON as received; the URL keeps its bodySHA256
        words += ["-H", "Content-Type: application/json", "--data-raw", batch, url]
    elif record.method == "GET":
        words.append(url)
    else:
        words += ["--data-raw", urlencode(record.params), url]
    # The signature header stays expandable; everything else is quoted.
    return shlex.join(words).replace(
        "'X-Twilio-Signature: $SIGNATURE'", '"X-Twilio-Signature: $SIGNATURE"'
    )


def _batch(record: HistoryRecord) -> str | None:
    """The JSON of an Event Streams batch kept in the history, if *record* is one."""
    return record.params.get("Batch") if record.kind == "event_stream" else None
