"""The inspector's pages: a Blueprint under ``<prefix>/_inspector``.

Every page reads the store through the app's facades; nothing here writes to it but the two
resets, which are POSTs with a CSRF token. The Blueprint is not the ``twhooks`` one, so the
inspector's own requests are neither verified as webhooks nor recorded in the history.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from ..settings import InspectorSettings
from ..store import StoreFacades
from ..store.records import HistoryRecord
from ..urls import url_variants
from . import auth
from .commands import curl_command, send_command
from .redact import redact_url
from .replay import replay
from .rerun import add_failed_pages
from .summary import pretty, summarize
from .throttle import LoginThrottle
from .timeline import call_timeline, message_timeline

__all__ = ["InspectorState", "blueprint_for", "feed_row"]

#: The inspector Blueprint's name: ``request.blueprint`` of its pages, for an app-wide guard
#: (see :ref:`inspector-login`), and the prefix of its endpoints in ``url_for``.
BLUEPRINT = "twhooks_inspector"
#: How many rows the live list shows, and the feed gives at most.
LIST_LIMIT = 200
#: Verdicts the list filters by.
VERDICTS = (
    "valid",
    "skipped",
    "invalid_signature",
    "missing_signature",
    "body_hash_mismatch",
    "unknown_account",
    "unsupported_algorithm",
    "bad_request",
)


class _Settings(Protocol):
    @property
    def url_prefix(self) -> str: ...


class InspectorState(Protocol):
    """What the inspector needs of the extension's per-app state."""

    @property
    def facades(self) -> StoreFacades: ...

    @property
    def settings(self) -> _Settings: ...


_HINTS = {
    "invalid_signature": (
        "If the URL checked is the one set in the Twilio console, the request was signed with "
        "another secret: check the auth token (TWILIO_AUTH_TOKEN, TWHOOKS_ACCOUNT_TOKENS for "
        "subaccounts). Behind a proxy or a tunnel, set TWHOOKS_PUBLIC_URL to the URL Twilio "
        "calls (or wrap the app in werkzeug's ProxyFix)."
    ),
    "missing_signature": "No X-Twilio-Signature header: the request did not come from Twilio.",
    "body_hash_mismatch": (
        "The body is not the one Twilio signed: something on the way (a proxy, a middleware) "
        "changed it."
    ),
    "unknown_account": "Add the account's auth token to TWHOOKS_ACCOUNT_TOKENS.",
}


def _hint(record: HistoryRecord) -> str | None:
    return _HINTS.get(record.verdict) or _HINTS.get(record.verdict + "_signature")


def _signature_check(record: HistoryRecord) -> tuple[str | None, str | None, list[str]]:
    """The reason proper, the URL checked and the URLs tried, from the history's reason
    (``"<reason>; URL checked: <url>; tried: <url>, <url>"``) or, for an accepted request,
    the variants a check of its URL tries."""
    reason, checked, tried = record.reason, None, []
    if reason and "; URL checked: " in reason:
        reason, _, rest = reason.partition("; URL checked: ")
        checked, _, listed = rest.partition("; tried: ")
        tried = [u for u in listed.split(", ") if u and u != "-"]
    if not tried:
        tried = url_variants(record.url)
    return (
        reason,
        redact_url(checked) if checked else None,
        [redact_url(u) for u in tried],
    )


def feed_row(record: HistoryRecord) -> dict[str, Any]:
    """One record as the live list and ``twhooks tail`` show it (JSON values, no secret)."""
    return {
        "id": record.id,
        "at": record.at,
        "time": time.strftime("%H:%M:%S", time.localtime(record.at)),
        "kind": record.kind or "?",
        "method": record.method,
        "from": record.from_ or "",
        "to": record.to or "",
        "sid": record.sid or "",
        "verdict": record.verdict,
        "verified": record.verified,
        "reason": _signature_check(record)[0] or "",
        "handler": record.handler or "",
        "why": record.why or "",
        "status": record.status,
        "duration_ms": round(record.duration * 1000, 1),
        "replay": record.replay,
        "body": record.params.get("Body", ""),
        "detail": url_for(f"{BLUEPRINT}.detail", id=record.id) if record.id is not None else "",
    }


def _filters() -> dict[str, str | None]:
    return {
        name: (request.args.get(name, "").strip() or None)
        for name in ("kind", "verdict", "number", "sid")
    }


def blueprint_for(state: InspectorState, settings: InspectorSettings, app: Flask) -> Blueprint:
    """The inspector's Blueprint for *app*."""
    bp = Blueprint(
        BLUEPRINT,
        __name__,
        url_prefix=(state.settings.url_prefix or "") + "/_inspector",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )

    def facades() -> StoreFacades:
        return state.facades

    throttles: list[LoginThrottle] = []

    def throttle() -> LoginThrottle:
        if not throttles:  # the store is opened on first use
            throttles.append(
                LoginThrottle(
                    facades().store,
                    limit=settings.login_limit,
                    global_limit=settings.login_global_limit,
                    window=settings.login_window,
                )
            )
        return throttles[0]

    @bp.before_request
    def guard() -> Response | None:
        if settings.password is not None:
            refused = _check_password(settings.password, throttle())
            if refused is not None:
                return refused
        if settings.authorize is not None:
            allowed = settings.authorize(request)
            if allowed is not True:
                if allowed is False or allowed is None:
                    current_app.logger.warning(
                        "twhooks inspector: %s %s refused by TWHOOKS_INSPECTOR_AUTHORIZE (%s)",
                        request.method,
                        request.path,
                        request.remote_addr or "?",
                    )
                    return Response("Not allowed to open the twhooks inspector.\n", 403)
                # The app's own answer: a redirect to its login page, say.
                return current_app.make_response(allowed)
        if request.method == "POST" and not auth.same_token(
            request.cookies.get(auth.CSRF_COOKIE), request.form.get(auth.CSRF_FIELD)
        ):
            current_app.logger.warning("twhooks inspector: POST refused, bad CSRF token")
            return Response("Bad or missing CSRF token: reload the page.\n", 400)
        return None

    @bp.after_request
    def protect(response: Response) -> Response:
        token = _csrf_token()
        if request.cookies.get(auth.CSRF_COOKIE) != token:
            response.set_cookie(
                auth.CSRF_COOKIE,
                token,
                path=bp.url_prefix or "/",
                httponly=True,
                samesite="Strict",
                secure=request.is_secure,
            )
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        return response

    @bp.context_processor
    def helpers() -> dict[str, Any]:
        return {
            "csrf_token": _csrf_token(),
            "csrf_field": auth.CSRF_FIELD,
            "redact_url": redact_url,
            "fmt_time": _fmt_time,
            "who": _who,
            "history_on": facades().history is not None,
        }

    @bp.get("/")
    def index() -> str:
        filters = _filters()
        history = facades().history
        records = history.recent(LIST_LIMIT, **filters) if history is not None else []
        return render_template(
            "twhooks_inspector/list.html",
            rows=[feed_row(r) for r in records],
            filters=filters,
            kinds=_kinds(),
            verdicts=VERDICTS,
        )

    @bp.get("/feed.json")
    def feed() -> Response:
        history = facades().history
        after = request.args.get("after", type=int) or 0
        limit = request.args.get("limit", LIST_LIMIT, type=int) or LIST_LIMIT
        limit = max(1, min(limit, LIST_LIMIT))
        records = history.recent(limit, **_filters()) if history is not None else []
        rows = [feed_row(r) for r in records if (r.id or 0) > after]
        last = max([after] + [r.id or 0 for r in records])
        return jsonify(rows=rows, last=last, history=history is not None)

    @bp.get("/r/<int:id>")
    def detail(id: int) -> str:
        record = _record(id)
        return render_template("twhooks_inspector/detail.html", **_detail(record))

    @bp.post("/r/<int:id>/replay")
    def replay_view(id: int) -> str:
        record = _record(id)
        replayed = replay(app, record)
        return render_template(
            "twhooks_inspector/replay.html",
            record=record,
            url=redact_url(record.url),
            old_reply=pretty(record.reply),
            old_summary=summarize(record.reply),
            new=replayed,
            new_reply=pretty(replayed.body),
            new_summary=summarize(replayed.body),
        )

    @bp.get("/messages/<sid>")
    def message(sid: str) -> str:
        f = facades()
        return render_template(
            "twhooks_inspector/message.html",
            t=message_timeline(sid, f.history, f.deliveries),
        )

    @bp.get("/calls/<sid>")
    def call(sid: str) -> str:
        f = facades()
        t = call_timeline(sid, f.history, f.calls)
        steps = [(r, summarize(r.reply)) for r in t.requests if r.kind == "call"]
        return render_template("twhooks_inspector/call.html", t=t, steps=steps)

    @bp.get("/state")
    def state_page() -> str:
        f = facades()
        return render_template(
            "twhooks_inspector/state.html",
            conversations=f.store.recent_conversations(LIST_LIMIT),
            opt_outs=f.store.recent_opt_outs(LIST_LIMIT),
            reset=request.args.get("reset"),
        )

    @bp.post("/state/conversation/reset")
    def reset_conversation() -> Response:
        key = request.form.get("key", "")
        if not key:
            abort(400)
        facades().store.delete_conversation(key)
        return _redirect_state("conversation")

    @bp.post("/state/opt-out/clear")
    def clear_opt_out() -> Response:
        number = request.form.get("number", "")
        if not number:
            abort(400)
        facades().store.clear_opt_out(number, request.form.get("sender") or "")
        return _redirect_state("opt-out")

    add_failed_pages(bp, app, lambda: facades().history)

    def _record(id: int) -> HistoryRecord:
        history = facades().history
        record = history.get(id) if history is not None else None
        if record is None:
            abort(404)
        return record

    return bp


def _check_password(password: str, throttle: LoginThrottle) -> Response | None:
    """``None`` when the request carries *password* and its client is not locked out; the
    401 or 429 to answer otherwise."""
    client = request.remote_addr or "?"
    wait = throttle.wait(client)
    if wait is None:
        given = request.headers.get("Authorization")
        if auth.password_matches(given, password):
            return None
        if not given:  # a browser's first request, before it asks for the password
            return _ask_password()
        wait = throttle.failed(client)
        if wait is None:
            return _ask_password()
    else:
        current_app.logger.info(
            "twhooks inspector: %s is locked out for %d s (too many wrong passwords)", client, wait
        )
    return Response(
        f"Too many wrong passwords: try again in {wait} s.\n",
        429,
        {"Retry-After": str(wait)},
        mimetype="text/plain",
    )


def _ask_password() -> Response:
    return Response(
        "The twhooks inspector needs its password (any user name).\n",
        401,
        {"WWW-Authenticate": 'Basic realm="twhooks inspector", charset="UTF-8"'},
        mimetype="text/plain",
    )


def _redirect_state(what: str) -> Response:
    return redirect(url_for(f"{BLUEPRINT}.state_page", reset=what), 303)


def _csrf_token() -> str:
    token: str | None = g.get("_twhooks_inspector_csrf")
    if token is None:
        cookie = request.cookies.get(auth.CSRF_COOKIE, "")
        token = cookie if 20 <= len(cookie) <= 100 else auth.new_csrf_token()
        g._twhooks_inspector_csrf = token
    return token


def _who(key: str) -> str:
    """A conversation key in words: ``+1555… with +1555…`` or ``call CA…``."""
    kind, _, rest = key.partition(":")
    if kind == "msg":
        _account, _, pair = rest.partition(":")
        person, _, ours = pair.rpartition(":")
        return f"{person} with {ours}" if person else key
    if kind == "call":
        return f"call {rest}"
    return key


def _fmt_time(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at)) + f".{int(at % 1 * 1000):03d}"


def _kinds() -> list[str]:
    from ..kinds import KINDS

    return list(KINDS)


def _detail(record: HistoryRecord) -> dict[str, Any]:
    url = redact_url(record.url)
    reason, checked, tried = _signature_check(record)
    return {
        "record": record,
        "url": url,
        "reason": reason,
        "checked": checked,
        "variants": tried,
        "hint": _hint(record),
        "reply": pretty(record.reply),
        "summary": summarize(record.reply),
        "send_command": send_command(record),
        "curl_command": curl_command(record),
        "is_message": bool(record.params.get("MessageSid") or record.params.get("SmsSid"))
        and not record.params.get("CallSid"),
    }
