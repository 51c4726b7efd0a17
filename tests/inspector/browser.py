"""What the browser tests share: Debian's Chromium through Playwright, and a webhook app.

Chromium is Debian's ``chromium`` package (``apt-get install chromium``), never Playwright's
own download. A missing browser FAILS the tests that need it: it never skips them.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from _signing import TOKEN, official_signature
from flask import Flask

from twhooks import TwilioHooks
from twhooks.inspector import BLUEPRINT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PREFIX = "/twilio/_inspector"


def chromium_path() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found is None:
        pytest.fail(
            "Chromium is missing: the inspector's browser tests need Debian's chromium "
            "package (apt-get install -y chromium); they never skip",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module.

    Not per session: Playwright's sync API runs an asyncio loop in the main thread while it
    is open, and later tests that call ``asyncio.run()`` (Quart's) must not find it running.
    """
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records every JavaScript dialog (an XSS would open one)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.dialogs = []

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", on_dialog)
    try:
        yield opened
    finally:
        context.close()


def help_(msg: Any) -> str:
    return "Reply JOIN to sign up."


def join(msg: Any) -> str:
    msg.conversation.goto("ask_name")
    return "What is your name?"


def echo(msg: Any) -> str:
    return f"You said: {msg.body}"


def on_status(status: Any) -> None:
    return None


def webhook_app(config: Mapping[str, Any] | None = None) -> tuple[Flask, TwilioHooks]:
    """A small app with a few handlers and the inspector on (debug mode, memory store)."""
    app = Flask("inspector_browser")
    app.debug = True
    app.config.update(
        {
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWHOOKS_STORE": "memory://",
            "TWHOOKS_INSPECTOR": True,
            "SECRET_KEY": "browser-tests",
            **(config or {}),
        }
    )
    hooks = TwilioHooks()
    hooks.message(keyword="HELP")(help_)
    hooks.message(keyword="JOIN")(join)
    hooks.message()(echo)
    hooks.message_status()(on_status)
    hooks.init_app(app)
    assert BLUEPRINT in app.blueprints  # init_app mounted it (TWHOOKS_INSPECTOR)
    return app, hooks


def post_webhook(
    base_url: str,
    path: str,
    params: Mapping[str, str],
    *,
    token: str = TOKEN,
    signature: str | None = None,
) -> requests.Response:
    """POST a webhook as Twilio would, signed by the official SDK (or with *signature*)."""
    url = base_url + path
    sig = official_signature(url, params, token) if signature is None else signature
    return requests.post(
        url,
        data=urlencode(list(params.items())),
        headers={
            "X-Twilio-Signature": sig,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        timeout=10,
    )


def message_params(body: str, sid: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 32,
        "MessageSid": sid,
        "SmsSid": sid,
        "From": "+15551230000",
        "To": "+15559990000",
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


def wait_until(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)
