"""The inspector's Failed page in a real browser (Debian's Chromium): the dead letters of an
app served by gunicorn with three workers over a shared SQLite store, re-run one by one and
all at once, behind the inspector's password and CSRF token."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from _signing import TOKEN
from _stores import named_store, new_prefix
from browser import PREFIX, browser, post_webhook, wait_until
from failing_app import PASSWORD
from playwright.sync_api import expect

__all__ = ["browser"]  # the fixture, imported to be found

ACCOUNT = "AC" + "0" * 32


def status_callback(sid: str, status: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "MessageSid": sid,
        "MessageStatus": status,
        "To": "+15550001111",
        "From": "+15550002222",
    }


def test_failed_webhooks_rerun_from_the_inspector(
    gunicorn: Callable[..., Any], browser: Any, tmp_path: Path
) -> None:
    work = tmp_path / "app"
    work.mkdir()
    store_url, prefix = f"sqlite:///{tmp_path}/store.sqlite3", new_prefix("insp")
    env = {
        "TEST_TWILIO_AUTH_TOKEN": TOKEN,
        "TEST_DIR": str(work),
        "TEST_STORE": store_url,
        "TEST_PREFIX": prefix,
    }
    server = gunicorn("failing_app:flask_app()", workers=3, env=env)
    path = "/twilio/messages/status"
    sids = ["SM" + c * 32 for c in "fgh"]
    for sid in sids[:2]:
        assert post_webhook(server.url, path, status_callback(sid, "delivered")).status_code == 500
    always = status_callback(sids[2], "always-broken")
    assert post_webhook(server.url, path, always).status_code == 500

    # Without the CSRF token, no re-run.
    refused = requests.post(
        server.url + PREFIX + "/failed/rerun", data={"all": "1"}, auth=("x", PASSWORD), timeout=10
    )
    assert refused.status_code == 400

    context = browser.new_context(http_credentials={"username": "x", "password": PASSWORD})
    try:
        page = context.new_page()
        assert page.goto(server.url + PREFIX + "/failed").status == 200
        rows = page.locator("#failed tbody tr")
        expect(rows).to_have_count(3)
        expect(page.locator("#failed")).to_contain_text("RuntimeError: first run of delivered")
        row = page.locator(f"#failed tbody tr:has-text('{sids[0]}')")
        row.locator("button.rerun").click()
        expect(page.locator("#reruns")).to_contain_text("succeeded")
        expect(rows).to_have_count(2)
        page.locator("#rerun-all").click()
        expect(page.locator("#reruns li")).to_have_count(2)
        expect(page.locator("#reruns")).to_contain_text("failed again")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(sids[2])
        expect(rows.first).to_contain_text("always fails")
    finally:
        context.close()

    with sqlite3.connect(work / "orders.sqlite3") as db:
        kept = dict(db.execute("SELECT sid, status FROM orders").fetchall())
    assert kept == {sids[0]: "delivered", sids[1]: "delivered"}
    store: Any = named_store(store_url, prefix)
    try:
        wait_until(lambda: len(store.failed_webhooks(10)) == 1)
        left = store.failed_webhooks(10)
        assert [(f.params["MessageSid"], f.attempts) for f in left] == [(sids[2], 2)]

        def both_recorded() -> bool:
            return len(store.recent_history(10, sid=sids[0])) == 2

        wait_until(both_recorded)  # the failure and its re-run, each a request of its own
        assert [r.status for r in store.recent_history(10, sid=sids[0])] == [204, 500]
    finally:
        store.close()
