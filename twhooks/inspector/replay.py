"""Replay: send a stored request through the app again, signed as Twilio would sign it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask

from ..settings import settings_of
from ..signature import compute_signature
from ..store.records import HistoryRecord

__all__ = ["Replayed", "replay"]

#: Marks a request the inspector replayed (the app may log it; twhooks ignores it).
REPLAY_HEADER = "X-Twhooks-Inspector-Replay"


@dataclass(frozen=True, slots=True)
class Replayed:
    """The app's answer to a replayed request."""

    status: int
    body: str


def replay(app: Flask, record: HistoryRecord) -> Replayed:
    """Dispatch *record* through *app* again, signed with the token Twilio signs the
    record's account with (:meth:`~twhooks.settings.Settings.signing_token`).

    It is sent without its idempotency token, so the handler runs again rather than the
    first reply being given back. The replay is a new request: it gets its own history record.
    """
    parts = urlsplit(record.url)
    host = parts.hostname or "localhost"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    base_url = f"{parts.scheme or 'http'}://{netloc}"
    signed_url = base_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {REPLAY_HEADER: "1"}
    token = settings_of(app).signing_token(record.params.get("AccountSid"))
    is_get = record.method == "GET"
    if token is not None:
        headers["X-Twilio-Signature"] = compute_signature(
            token, signed_url, None if is_get else record.params
        )
    client = app.test_client()
    path = parts.path or "/"
    batch = record.params.get("Batch") if record.kind == "event_stream" else None
    if batch is not None:  # an Event Streams batch: its JSON, signed through bodySHA256
        kept = [p for p in parts.query.split("&") if p and not p.startswith("bodySHA256=")]
        return _replay_json(client, base_url, path, kept, batch.encode(), token)
    if is_get:
        response = client.get(path, query_string=parts.query, headers=headers, base_url=base_url)
    else:
        response = client.post(
            path,
            query_string=parts.query,
            data=urlencode(record.params),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
            base_url=base_url,
        )
    with response:
        return Replayed(response.status_code, response.get_data(as_text=True))


def _replay_json(
    client: Any, base_url: str, path: str, query: list[str], body: bytes, token: str | None
) -> Replayed:
    """POST *body* as JSON to *path* (its *query* kept), signed as Twilio signs a body that
    is not a form: its hash added to the query as ``bodySHA256``."""
    signed_query = "&".join([*query, "bodySHA256=" + hashlib.sha256(body).hexdigest()])
    headers = {REPLAY_HEADER: "1"}
    if token is not None:
        headers["X-Twilio-Signature"] = compute_signature(token, f"{base_url}{path}?{signed_query}")
    response = client.post(
        path,
        query_string=signed_query,
        data=body,
        content_type="application/json",
        headers=headers,
        base_url=base_url,
    )
    with response:
        return Replayed(response.status_code, response.get_data(as_text=True))
