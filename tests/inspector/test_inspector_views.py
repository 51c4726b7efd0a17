"""The inspector's pages through Flask's test client: access, CSRF, escaping, filters, feed."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import PASSWORD, State, record
from flask import Flask

from twhooks.inspector.auth import CSRF_COOKIE

P = "/twilio/_inspector"
Make = Callable[..., tuple[Flask, State]]


def _auth(password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"me:{password}".encode()).decode()}


def _csrf(client: Any) -> str:
    page = client.get(P + "/state").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_the_password_guards_every_page(inspector: Make) -> None:
    app, state = inspector({"TWHOOKS_INSPECTOR_PASSWORD": PASSWORD}, debug=False)
    rec = record(state)
    client = app.test_client()
    for path in ("/", "/feed.json", f"/r/{rec.id}", "/state", "/static/inspector.js"):
        with client.get(P + path) as refused:
            assert refused.status_code == 401, path
            assert refused.headers["WWW-Authenticate"].startswith("Basic ")
        with client.get(P + path, headers=_auth("wrong")) as wrong:
            assert wrong.status_code == 401
        with client.get(P + path, headers=_auth()) as right:
            assert right.status_code == 200, path


def test_debug_mode_needs_no_password(inspector: Make) -> None:
    app, _ = inspector()
    assert app.test_client().get(P + "/").status_code == 200


def test_every_parameter_is_escaped(inspector: Make) -> None:
    app, state = inspector()
    evil = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    rec = record(
        state,
        params={"MessageSid": "SM1", "From": evil, "To": "+1", "Body": evil, evil: "name"},
        reply=f"<Response><Message>{evil.replace('<', '&lt;')}</Message></Response>",
        handler=evil,
        why=evil,
        reason=evil,
    )
    client = app.test_client()
    for path in ("/", f"/r/{rec.id}", "/messages/SM1", "/?sid=SM1"):
        page = client.get(P + path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, path
        if path != "/messages/SM1":  # which lists no parameter
            assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page, path
    feed = client.get(P + "/feed.json").get_json()
    assert feed["rows"][0]["body"] == evil  # JSON as it is: the page puts it in as text


def test_pages_forbid_inline_script(inspector: Make) -> None:
    app, _ = inspector()
    csp = app.test_client().get(P + "/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_no_secret_on_any_page(inspector: Make) -> None:
    app, state = inspector(
        {"TWILIO_AUTH_TOKEN": "tok-very-secret", "TWHOOKS_INSPECTOR_PASSWORD": "pw-very-secret"}
    )
    rec = record(state, url="https://alice:url-very-secret@example.com/twilio/messages")
    client = app.test_client()
    for path in ("/", "/feed.json", f"/r/{rec.id}", "/state"):
        page = client.get(P + path, headers=_auth("pw-very-secret")).get_data(as_text=True)
        assert "very-secret" not in page, path
        assert "alice" not in page, path


def test_feed_gives_what_came_after(inspector: Make) -> None:
    app, state = inspector()
    first = record(state)
    second = record(state, kind="call", params={"CallSid": "CA1", "From": "+1", "To": "+2"})
    client = app.test_client()
    feed = client.get(P + "/feed.json").get_json()
    assert [r["id"] for r in feed["rows"]] == [second.id, first.id]
    assert feed["last"] == second.id
    later = client.get(P + f"/feed.json?after={first.id}").get_json()
    assert [r["id"] for r in later["rows"]] == [second.id]
    assert client.get(P + f"/feed.json?after={second.id}").get_json()["rows"] == []
    for limit, count in (("1", 1), ("-5", 1), ("0", 2), ("junk", 2), ("100000", 2)):
        rows = client.get(P + f"/feed.json?limit={limit}").get_json()["rows"]
        assert len(rows) == count, limit


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=call", ["call"]),
        ("verdict=invalid_signature", ["forged"]),
        ("number=whatsapp:%2B15550000001", ["wa"]),
        ("sid=CA9", ["call"]),
        ("", ["call", "forged", "wa"]),
    ],
    ids=["kind", "verdict", "number", "sid", "none"],
)
def test_list_filters(inspector: Make, query: str, expected: list[str]) -> None:
    app, state = inspector()
    record(
        state, why="wa", params={"MessageSid": "SM1", "From": "whatsapp:+15550000001", "To": "+2"}
    )
    record(state, why="forged", verdict="invalid_signature", verified=False, reason="bad signature")
    record(state, why="call", kind="call", params={"CallSid": "CA9", "From": "+3", "To": "+2"})
    client = app.test_client()
    rows = client.get(P + "/feed.json?" + query).get_json()["rows"]
    assert sorted(r["why"] for r in rows) == expected
    page = client.get(P + "/?" + query).get_data(as_text=True)
    assert page.count('class="row') == len(expected)


def test_unknown_record_is_404(inspector: Make) -> None:
    app, _ = inspector()
    assert app.test_client().get(P + "/r/999").status_code == 404


def test_detail_shows_the_refusal(inspector: Make) -> None:
    app, state = inspector()
    rec = record(
        state,
        verdict="invalid_signature",
        verified=False,
        status=403,
        handler=None,
        why=None,
        reply="Forbidden: invalid X-Twilio-Signature (see the application log)",
        reason="the signature does not match; URL checked: http://al:pw-x@h:8000/twilio/messages;"
        " tried: http://al:***@h:8000/twilio/messages, http://al:***@h/twilio/messages",
        url="http://al:pw-x@h:8000/twilio/messages",
    )
    page = app.test_client().get(P + f"/r/{rec.id}").get_data(as_text=True)
    assert '<p class="reason" id="reason">the signature does not match</p>' in page
    assert "not verified" in page and "check the auth token" in page
    assert "URL checked: <code>http://***@h:8000/twilio/messages</code>" in page
    assert "<li><code>http://***@h/twilio/messages</code></li>" in page  # a URL tried
    assert "pw-x" not in page


def test_detail_of_an_accepted_request_lists_the_variants_a_check_tries(inspector: Make) -> None:
    app, state = inspector()
    rec = record(state, url="http://localhost:8000/twilio/messages?x=it's")
    page = app.test_client().get(P + f"/r/{rec.id}").get_data(as_text=True)
    assert "<li><code>http://localhost/twilio/messages?x=it%27s</code></li>" in page


def test_resets_need_the_csrf_token(inspector: Make) -> None:
    app, state = inspector()
    f = state.facades
    key = f.conversations.key("+15551230000", "+15559990000")
    f.conversations.save(key, "ask_name", {"topic": "pizza"}, 0)
    f.opt_outs.opt_out("+15551230000", None, source="keyword")
    client = app.test_client()
    assert client.post(P + "/state/conversation/reset", data={"key": key}).status_code == 400
    token = _csrf(client)
    assert (
        client.post(
            P + "/state/conversation/reset", data={"key": key, "csrf_token": token + "x"}
        ).status_code
        == 400
    )
    assert f.conversations.load(key) is not None
    # Without the cookie (another site's form), the right-looking token is not enough.
    other = app.test_client()
    assert (
        other.post(
            P + "/state/conversation/reset", data={"key": key, "csrf_token": token}
        ).status_code
        == 400
    )
    done = client.post(P + "/state/conversation/reset", data={"key": key, "csrf_token": token})
    assert done.status_code == 303
    assert f.conversations.load(key) is None
    assert f.opt_outs.is_opted_out("+15551230000")
    done = client.post(
        P + "/state/opt-out/clear",
        data={"number": "+15551230000", "sender": "", "csrf_token": token},
    )
    assert done.status_code == 303
    assert not f.opt_outs.is_opted_out("+15551230000")


def test_the_csrf_cookie_is_strict_and_http_only(inspector: Make) -> None:
    app, _ = inspector()
    cookie = app.test_client().get(P + "/").headers["Set-Cookie"]
    assert cookie.startswith(CSRF_COOKIE + "=")
    assert (
        "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/twilio/_inspector" in cookie
    )


def test_state_page_lists_conversations_and_opt_outs(inspector: Make) -> None:
    app, state = inspector()
    f = state.facades
    f.conversations.save(
        f.conversations.key("+15551230000", "+15559990000"), "ask_age", {"name": "<b>Ada</b>"}, 0
    )
    f.opt_outs.opt_out("+15557770000", "+15559990000", source="keyword")
    page = app.test_client().get(P + "/state").get_data(as_text=True)
    assert "ask_age" in page and "\\u003cb\\u003eAda" in page and "<b>Ada" not in page
    assert "+15551230000 with +15559990000" in page
    assert "+15557770000" in page and "keyword" in page


def test_call_timeline(inspector: Make) -> None:
    app, state = inspector()
    calls = state.facades.calls
    sid = "CA" + "7" * 32
    for seq, status in [(2, "completed"), (0, "initiated"), (1, "ringing")]:
        calls.record(
            "call_status", {"CallSid": sid, "CallStatus": status, "SequenceNumber": str(seq)}
        )
    calls.record("amd", {"CallSid": sid, "AnsweredBy": "machine_start"})
    calls.record(
        "recording_status",
        {
            "CallSid": sid,
            "RecordingSid": "RE1",
            "RecordingStatus": "completed",
            "RecordingDuration": "7",
        },
    )
    calls.record(
        "transcription",
        {
            "CallSid": sid,
            "TranscriptionSid": "TR1",
            "TranscriptionStatus": "completed",
            "TranscriptionText": "call me back",
        },
    )
    record(
        state,
        kind="call",
        params={"CallSid": sid, "From": "+1", "To": "+2", "Digits": "3"},
        reply="<Response><Say>Goodbye</Say><Hangup/></Response>",
        handler="app.menu",
    )
    page = app.test_client().get(P + f"/calls/{sid}").get_data(as_text=True)
    order = [page.index(s) for s in ("#0", "#1", "#2")]
    assert order == sorted(order)
    assert 'id="call-status">completed<' in page
    assert "machine_start" in page and "RE1" in page and "call me back" in page
    assert "pressed 3" in page and "Goodbye" in page and "app.menu" in page


def test_history_off(inspector: Make) -> None:
    app, state = inspector()
    object.__setattr__(state.facades, "history", None)
    client = app.test_client()
    assert "history is off" in client.get(P + "/").get_data(as_text=True)
    assert client.get(P + "/feed.json").get_json() == {"rows": [], "last": 0, "history": False}
    assert client.get(P + "/r/1").status_code == 404


def test_an_app_with_flask_wtf_csrf_protect(inspector: Make) -> None:
    from flask_wtf.csrf import CSRFProtect

    app, state = inspector({"SECRET_KEY": "k"})
    CSRFProtect(app)
    f = state.facades
    f.opt_outs.opt_out("+15551230000", None, source="keyword")
    client = app.test_client()
    token = _csrf(client)
    clear = {"number": "+15551230000", "sender": ""}
    assert client.post(P + "/state/opt-out/clear", data=clear).status_code == 400  # ours
    done = client.post(P + "/state/opt-out/clear", data={**clear, "csrf_token": token})
    assert done.status_code == 303
    assert not f.opt_outs.is_opted_out("+15551230000")
