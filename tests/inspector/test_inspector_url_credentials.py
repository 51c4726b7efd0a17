"""The live list of a page opened as ``http://user:password@host/…``, in Debian's Chromium.

A browser refuses ``fetch()`` of a URL with credentials in it, and a relative URL resolved
against such a page keeps them: the live list must build its feed's URL without them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from browser import PREFIX, browser, message_params, post_webhook, webhook_app
from playwright.sync_api import expect

__all__ = ["browser"]  # the fixture, imported to be found

SID = "SM" + "c3" * 16


def _with_userinfo(url: str, userinfo: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def test_the_live_list_updates_when_opened_with_credentials_in_the_url(
    live_server: Any, browser: Any
) -> None:
    app, _ = webhook_app({"TWHOOKS_INSPECTOR_PASSWORD": "url-pw"})
    app.debug = False
    server = live_server(app)
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        answer = page.goto(_with_userinfo(server.url, "me:url-pw") + PREFIX + "/")
        assert answer is not None and answer.status == 200
        expect(page.locator("#live-state")).to_contain_text("updated", timeout=5000)
        post_webhook(server.url, "/twilio/messages", message_params("HELLO FROM URL", SID))
        row = page.locator("#webhooks tbody tr").first
        expect(row).to_contain_text("HELLO FROM URL", timeout=5000)
        expect(page.locator("#live-dot")).to_have_class("dot on")
        assert not [e for e in errors if "credentials" in e], errors
    finally:
        context.close()
