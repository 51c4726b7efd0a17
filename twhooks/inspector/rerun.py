"""The inspector's Failed page: the dead-letter list (:meth:`History.failed
<twhooks.store.History.failed>`), each webhook run again through the app on request.

A re-run is dispatched in-process through the app's real route (its middleware, the
signature check, the handler), signed with the token Twilio signs the webhook's account with,
like a replay (:mod:`~twhooks.inspector.replay`); see :mod:`twhooks.rerun`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, render_template, request

from ..rerun import rerun_request
from ..settings import settings_of
from ..store.history import History
from ..store.records import FailedWebhook

__all__ = ["FAILED_LIMIT", "Rerun", "add_failed_pages", "rerun_in_app"]

#: How many failed webhooks the page lists, and "Re-run all" runs.
FAILED_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Rerun:
    """The app's answer to a re-run."""

    key: str
    status: int
    body: str

    @property
    def succeeded(self) -> bool:
        """Whether the handler succeeded this time (the dead letter is then gone)."""
        return self.status < 500


def rerun_in_app(app: Flask, failed: FailedWebhook) -> Rerun:
    """Dispatch *failed* through *app* again, signed as Twilio would sign it."""
    token = settings_of(app).signing_token(failed.params.get("AccountSid"))
    signed = rerun_request(failed, token)
    parts = urlsplit(failed.url)
    host = parts.hostname or "localhost"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    path, _, query = signed.path.partition("?")
    response = app.test_client().open(
        path,
        method=signed.method,
        query_string=query,
        data=signed.body if signed.method != "GET" else None,
        headers=signed.headers,
        base_url=f"{parts.scheme or 'http'}://{netloc}",
    )
    with response:
        return Rerun(failed.key, response.status_code, response.get_data(as_text=True))


def add_failed_pages(bp: Blueprint, app: Flask, history: Callable[[], History | None]) -> None:
    """Add the Failed page (``GET <inspector>/failed``) and its re-runs (``POST
    <inspector>/failed/rerun``: one webhook by ``key``, or ``all``) to the inspector's
    Blueprint; its ``before_request`` guard checks the password and the CSRF token."""

    @bp.get("/failed")
    def failed_page() -> str:
        found = history()
        return render_template(
            "twhooks_inspector/failed.html",
            failed=found.failed(FAILED_LIMIT) if found is not None else [],
            reruns=[],
        )

    @bp.post("/failed/rerun")
    def rerun_view() -> str:
        found = history()
        if found is None:
            abort(404)
        if request.form.get("all"):
            chosen = found.failed(FAILED_LIMIT)
        else:
            one = found.get_failed(request.form.get("key", ""))
            if one is None:
                abort(404)
            chosen = [one]
        reruns = [rerun_in_app(app, failed) for failed in chosen]
        current_app.logger.info(
            "twhooks inspector: re-ran %d failed webhook(s), %d succeeded",
            len(reruns),
            sum(r.succeeded for r in reruns),
        )
        return render_template(
            "twhooks_inspector/failed.html", failed=found.failed(FAILED_LIMIT), reruns=reruns
        )
