"""The same rule on the memory store, where the asyncio driver runs the store's work on the
event loop (no worker thread): a status handler that raised leaves its status not applied
and kept in the dead-letter list; an ``@hooks.error`` handler that answers below 500 consumes
the webhook, one that answers 5xx does not. Flask on a threaded server, Quart on Hypercorn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from _signing import official_signature
from reply_apps import both_apps

SID = "SM" + "9" * 32


def status_callback(status: str) -> dict[str, str]:
    return {"AccountSid": "AC" + "1" * 32, "MessageSid": SID, "MessageStatus": status}


def post(base: str, params: dict[str, str]) -> requests.Response:
    url = base + "/twilio/messages/status"
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    return requests.post(url, data=params, headers=headers, timeout=10)


@pytest.mark.parametrize("framework", ["flask", "quart"])
def test_a_failed_status_is_not_applied_until_its_handler_succeeds(
    framework: str, live_server: Callable[[Any], Any], serve: Callable[[Any], Any]
) -> None:
    seen: list[str] = []
    app, _ = both_apps(framework, seen)
    hooks = app.extensions["twhooks"].facades
    base = (live_server if framework == "flask" else serve)(app).url
    assert post(base, status_callback("delivered")).status_code == 500
    assert hooks.deliveries.get(SID) is None  # not applied
    [failed] = hooks.history.failed()
    assert failed.error == "RuntimeError: not yet: delivered"
    assert failed.params["MessageStatus"] == "delivered" and failed.attempts == 1
    assert post(base, status_callback("delivered")).status_code == 500
    assert hooks.history.failed()[0].attempts == 2
    seen.append("ready")
    assert post(base, status_callback("delivered")).status_code == 204
    assert seen == ["ready", "delivered"]
    assert hooks.deliveries.get(SID).status == "delivered"
    assert hooks.history.failed() == []


@pytest.mark.parametrize("framework", ["flask", "quart"])
@pytest.mark.parametrize(("answer", "applied"), [(200, True), (503, False)], ids=["200", "503"])
def test_an_error_handler_answering_below_500_consumes_the_webhook(
    framework: str,
    answer: int,
    applied: bool,
    live_server: Callable[[Any], Any],
    serve: Callable[[Any], Any],
) -> None:
    app, _ = both_apps(framework, [], error_status=answer)
    hooks = app.extensions["twhooks"].facades
    base = (live_server if framework == "flask" else serve)(app).url
    assert post(base, status_callback("sent")).status_code == answer
    delivery = hooks.deliveries.get(SID)
    assert (delivery is not None and delivery.status == "sent") is applied
    assert (hooks.history.failed() == []) is applied
