"""Debugger alerts at ``/twilio/alerts`` through a real HTTP server (issue 22).

Requests are form-encoded like the Debugger's webhook (``Sid``, ``AccountSid``,
``Timestamp``, ``Level``, ``PayloadType``, ``Payload``) and signed with the official SDK's
``RequestValidator``; a tampered one runs no handler.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from typing import Any

import pytest
import requests
from _signing import TOKEN, official_signature
from flask import Flask

from twhooks import Alert, TwilioHooks, payloads
from twhooks.cli import main
from twhooks.exceptions import HandlerError

# Shaped like the Debugging Events Webhook page: a webhook that answered 500.
PAYLOAD = {
    "resource_sid": "CA" + "1" * 32,
    "service_sid": None,
    "error_code": "11200",
    "more_info": {
        "msg": "An attempt to retrieve content from https://example.com/voice "
        "returned the HTTP status code 500"
    },
    "webhook": {
        "type": "application/json",
        "request": {
            "url": "https://example.com/voice",
            "method": "POST",
            "headers": {},
            "parameters": {"CallSid": "CA" + "1" * 32},
        },
        "response": {"status_code": "500", "headers": {}, "body": "oops"},
    },
}


def alert_params(level: str = "Error", payload: Any = PAYLOAD) -> dict[str, str]:
    return {
        "Sid": "NO" + "2" * 32,
        "AccountSid": "AC" + "3" * 32,
        "Timestamp": "2026-12-06T10:00:00Z",
        "Level": level,
        "PayloadType": "application/json",
        "Payload": payload if isinstance(payload, str) else json.dumps(payload),
    }


def make_app() -> tuple[Flask, dict[str, list[Alert]]]:
    app = Flask("alerts")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://")
    hooks = TwilioHooks(app)
    seen: dict[str, list[Alert]] = {"error": [], "any": []}

    @hooks.alert(level="Error")
    def on_error(alert: Alert) -> None:
        seen["error"].append(alert)

    @hooks.alert()
    def on_any(alert: Alert) -> None:
        seen["any"].append(alert)

    return app, seen


def post(base: str, params: dict[str, str], *, tamper: dict[str, str] | None = None) -> Any:
    url = base + "/twilio/alerts"
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    return requests.post(url, data={**params, **(tamper or {})}, headers=headers, timeout=10)


def test_an_error_alert_reaches_its_handler_parsed(live_server: Any) -> None:
    app, seen = make_app()
    base = live_server(app).url
    assert post(base, alert_params("Error")).status_code == 204
    [alert] = seen["error"]
    assert seen["any"] == []
    assert alert.level == "error" and alert.error_code == 11200
    assert alert.resource_sid == "CA" + "1" * 32 and alert.sid == "NO" + "2" * 32
    assert alert.timestamp is not None and alert.timestamp.year == 2026
    assert alert.webhook is not None and alert.webhook["response"]["body"] == "oops"
    assert "11200" in alert.params["Payload"]


def test_a_warning_goes_to_the_catch_all(live_server: Any) -> None:
    app, seen = make_app()
    base = live_server(app).url
    assert post(base, alert_params("Warning")).status_code == 204
    assert [a.level for a in seen["any"]] == ["warning"] and seen["error"] == []


def test_a_tampered_alert_runs_no_handler(live_server: Any) -> None:
    app, seen = make_app()
    base = live_server(app).url
    forged = json.dumps({**PAYLOAD, "error_code": "99999"})
    assert post(base, alert_params(), tamper={"Payload": forged}).status_code == 403
    assert seen == {"error": [], "any": []}


def test_a_payload_that_is_not_json_is_logged_not_a_crash(
    live_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app, seen = make_app()
    base = live_server(app).url
    with caplog.at_level(logging.WARNING, logger="twhooks.events"):
        assert post(base, alert_params(payload="{not json")).status_code == 204
    [alert] = seen["error"]
    assert alert.payload == {} and alert.error_code is None
    assert "malformed Payload" in caplog.text


def test_twhooks_send_alert(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app, seen = make_app()
    url = live_server(app).url + "/twilio/alerts"
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["send", "alert", url, "Level=Warning"]) == 0, capsys.readouterr()
    [alert] = seen["any"]
    assert alert.level == "warning" and alert.error_code == 11200


def test_an_unknown_level_is_a_typo() -> None:
    hooks = TwilioHooks()
    with pytest.raises(HandlerError):
        hooks.alert(level="fatal")(print)
    assert payloads.alert()["Level"] == "Error"
