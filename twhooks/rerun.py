"""Re-run a failed webhook: the request of a dead letter (:mod:`twhooks.store.dead_letters`),
signed again as Twilio signs it, ready to send through the app's real route.

The request goes to the path it first came to, with the body it first had, signed for the
URL its signature was first checked against (so an app behind a proxy or with
``TWHOOKS_PUBLIC_URL`` verifies it as before). It is sent without its idempotency token, like
a replay from the inspector: no stored answer stands in for the handler. It is a new request
for the app — in its history, and, if its handler fails again, one more attempt of the same
dead letter; once it succeeds the dispatcher takes the dead letter off the list.

The inspector sends it through the app in-process (:mod:`twhooks.inspector.rerun`),
``twhooks rerun`` over HTTP (:mod:`twhooks.cli.rerun`). No web framework here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from .signature import compute_signature
from .store.records import FailedWebhook

__all__ = ["RERUN_HEADER", "RerunRequest", "rerun_request"]

#: Marks a re-run request (the app may log it; twhooks ignores it).
RERUN_HEADER = "X-Twhooks-Rerun"
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class RerunRequest:
    """A failed webhook's request, signed again.

    :param method: the HTTP method.
    :param path: where to send it under the app's base URL, with its query string.
    :param headers: ``Content-Type``, ``X-Twilio-Signature`` (unless unsigned) and
        :data:`RERUN_HEADER`.
    :param body: the body it first had.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def rerun_request(failed: FailedWebhook, token: str | None) -> RerunRequest:
    """The request that runs *failed* again, signed with *token* (the auth token Twilio
    signs its account's webhooks with; ``None``: unsigned, for an app that does not verify).
    """
    body = failed.body.encode("utf-8", "surrogateescape")
    headers = {RERUN_HEADER: "1"}
    if failed.content_type and failed.method != "GET":
        headers["Content-Type"] = failed.content_type
    if token is not None:
        is_form = failed.method != "GET" and failed.content_type.split(";")[0].strip() == _FORM
        params = parse_qsl(failed.body, keep_blank_values=True) if is_form else None
        headers["X-Twilio-Signature"] = compute_signature(token, failed.url, params)
    return RerunRequest(failed.method, failed.path, headers, body)
