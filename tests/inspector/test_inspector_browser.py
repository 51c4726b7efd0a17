"""The inspector in a real browser: headless Chromium (Debian's) driven by Playwright, against
a real threaded HTTP server, with real signed webhooks."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from _signing import TOKEN
from browser import PREFIX, browser, message_params, page, post_webhook, webhook_app
from playwright.sync_api import expect

__all__ = ["browser", "page"]  # the fixtures, imported to be found

Live = Callable[[Any], Any]
SID = "SM" + "a1" * 16
ACCOUNT = "AC" + "0" * 32


def test_a_webhook_appears_live_then_its_detail_and_replay(live_server: Live, page: Any) -> None:
    app, _ = webhook_app()
    server = live_server(app)
    page.goto(server.url + PREFIX + "/")
    expect(page.locator("#live-state")).to_contain_text("updated", timeout=5000)
    assert page.locator("#webhooks tbody tr").count() == 0

    sent = time.monotonic()
    answer = post_webhook(server.url, "/twilio/messages", message_params("HELP", SID))
    assert answer.status_code == 200 and "Reply JOIN" in answer.text
    row = page.locator("#webhooks tbody tr").first
    expect(row).to_contain_text("HELP", timeout=2000)  # no reload: the live list
    assert time.monotonic() - sent <= 2.5
    expect(row).to_contain_text("valid")
    expect(row).to_contain_text("help_")

    row.get_by_role("link").click()
    expect(page.locator("#signature")).to_contain_text("valid")
    expect(page.locator("#signature")).to_contain_text("verified: from Twilio")
    expect(page.locator("#handler")).to_contain_text("help_")
    expect(page.locator("#handler")).to_contain_text("keyword")
    expect(page.locator("#reply .summary")).to_contain_text("Reply JOIN to sign up.")
    expect(page.locator("#params")).to_contain_text("+15551230000")

    page.locator("#replay").click()
    expect(page.locator("#new")).to_contain_text("200")
    expect(page.locator("#new .summary")).to_contain_text("Reply JOIN to sign up.")
    expect(page.locator("#old .summary")).to_contain_text("Reply JOIN to sign up.")
    expect(page.locator("#same")).to_be_visible()
    history = app.extensions["twhooks"].facades.history
    assert [r.verdict for r in history.recent(10)] == ["valid", "valid"]  # the replay too
    assert not any("_inspector" in r.url for r in history.recent(10))
    assert page.dialogs == []


def test_a_refused_request_shows_its_reason(live_server: Live, page: Any) -> None:
    app, _ = webhook_app()
    server = live_server(app)
    page.goto(server.url + PREFIX + "/")
    answer = post_webhook(
        server.url, "/twilio/messages", message_params("hi", SID), signature="Zm9yZ2VkIQ=="
    )
    assert answer.status_code == 403
    row = page.locator("#webhooks tbody tr").first
    expect(row).to_contain_text("invalid_signature", timeout=2000)
    row.get_by_role("link").click()
    expect(page.locator("#signature")).to_contain_text("not verified")
    expect(page.locator("#reason")).to_be_visible()
    expect(page.locator("#signature")).to_contain_text("check the auth token")
    expect(page.locator("#handler")).to_contain_text("none")


def test_a_delivery_timeline_from_shuffled_statuses(live_server: Live, page: Any) -> None:
    app, _ = webhook_app()
    server = live_server(app)
    order = ["queued", "sending", "sent", "delivered", "read"]
    arrivals = [*order, "sent", "delivered"]
    random.Random(11).shuffle(arrivals)
    for status in arrivals:
        params = {**message_params("", SID), "MessageStatus": status, "SmsStatus": status}
        del params["Body"]
        assert post_webhook(server.url, "/twilio/messages/status", params).status_code < 300
    page.goto(server.url + PREFIX + f"/messages/{SID}")
    items = page.locator("#arrivals li")
    expect(items).to_have_count(len(arrivals))
    texts = items.all_inner_texts()
    assert [re.search(r"(queued|sending|sent|delivered|read)", t).group(1) for t in texts] == (
        arrivals
    )
    # The marks, computed from the lifecycle independently of the page.
    seen: set[str] = set()
    furthest = -1
    for status, text in zip(arrivals, texts, strict=True):
        rank = order.index(status)
        mark = "duplicate" if status in seen else "advanced" if rank > furthest else "stale"
        seen.add(status)
        furthest = max(furthest, rank)
        assert text.rstrip().endswith(mark), (status, text)
    expect(page.locator("#furthest-status")).to_have_text("read")
    expect(page.locator("#furthest .lifecycle li")).to_have_count(len(order))


def test_hostile_parameters_are_shown_as_text(live_server: Live, page: Any) -> None:
    app, _ = webhook_app()
    server = live_server(app)
    page.goto(server.url + PREFIX + "/")
    evil = '<script>alert("s")</script>"><img src=x onerror=alert("i")>'
    answer = post_webhook(server.url, "/twilio/messages", message_params(evil, SID))
    assert answer.status_code == 200
    row = page.locator("#webhooks tbody tr").first
    expect(row).to_contain_text(evil, timeout=2000)  # put in by the live list's script
    row.get_by_role("link").click()
    expect(page.locator("#params")).to_contain_text(evil)  # rendered by the server
    expect(page.locator("#reply .summary")).to_contain_text("You said: " + evil)
    page.locator("#replay").click()
    expect(page.locator("#new .summary")).to_contain_text("You said: " + evil)
    page.goto(server.url + PREFIX + "/")
    expect(page.locator("#webhooks tbody tr").first).to_contain_text(evil)
    assert page.locator("img").count() == 0
    assert page.dialogs == []


def test_conversations_reset_from_the_browser(live_server: Live, page: Any) -> None:
    app, hooks = webhook_app()
    server = live_server(app)
    assert "name" in post_webhook(server.url, "/twilio/messages", message_params("JOIN", SID)).text
    page.goto(server.url + PREFIX + "/state")
    expect(page.locator("#conversations")).to_contain_text("ask_name")
    with app.app_context():
        assert (
            hooks.conversations.get("+15551230000", "+15559990000", account_sid=ACCOUNT) is not None
        )
    page.locator("#conversations button.reset").first.click()
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#conversations")).to_contain_text("No conversation in progress")
    with app.app_context():
        assert hooks.conversations.get("+15551230000", "+15559990000", account_sid=ACCOUNT) is None


def test_behind_a_password_the_live_list_still_updates(live_server: Live, browser: Any) -> None:
    app, _ = webhook_app({"TWHOOKS_INSPECTOR_PASSWORD": "browser-pw"})
    app.debug = False
    server = live_server(app)
    assert requests.get(server.url + PREFIX + "/", timeout=10).status_code == 401
    context = browser.new_context(http_credentials={"username": "x", "password": "browser-pw"})
    try:
        page = context.new_page()
        assert page.goto(server.url + PREFIX + "/").status == 200
        # The feed answered the page's first poll, behind the password too.
        expect(page.locator("#live-state")).to_contain_text("updated", timeout=5000)
        post_webhook(server.url, "/twilio/messages", message_params("HELP", SID))
        # Latency is the first test's subject; here, that the feed keeps answering.
        expect(page.locator("#webhooks tbody tr").first).to_contain_text("HELP", timeout=5000)
        assert "browser-pw" not in page.content()
    finally:
        context.close()


def test_copy_as_commands(live_server: Live, browser: Any) -> None:
    app, _ = webhook_app()
    server = live_server(app)
    post_webhook(server.url, "/twilio/messages", message_params("it's me", SID))
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    try:
        page = context.new_page()
        page.goto(server.url + PREFIX + "/")
        page.locator("#webhooks tbody tr a").first.click()
        for index, (label, start) in enumerate(
            (("Copy as twhooks send", "twhooks send message "), ("Copy as curl", "curl "))
        ):
            button = page.locator("button[data-copy]").nth(index)
            expect(button).to_have_text(label)
            button.click()
            expect(button).to_have_text("Copied")
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied.startswith(start) and copied == button.get_attribute("data-copy")
            assert "it" in copied and TOKEN not in copied
    finally:
        context.close()


def test_a_missing_chromium_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import browser as shared

    monkeypatch.setattr(shared, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(pytest.fail.Exception, match="Chromium is missing"):
        shared.chromium_path()
