"""Take the screenshots of docs/inspector.rst: real webhooks to a real server, Debian's
Chromium through Playwright.

    python tests/inspector/make_screenshots.py     # writes docs/_static/inspector-*.png
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from _servers import LiveServer  # noqa: E402
from browser import (  # noqa: E402
    CHROMIUM_ARGS,
    PREFIX,
    chromium_path,
    message_params,
    post_webhook,
    webhook_app,
)
from playwright.sync_api import sync_playwright  # noqa: E402

OUT = HERE.parent.parent / "docs" / "_static"
SID = "SM" + "5f2a9c" * 5 + "01"


def main() -> None:
    app, _ = webhook_app()
    server = LiveServer(app)
    try:
        url = server.url
        post_webhook(url, "/twilio/messages", message_params("HELP", "SM" + "1" * 32))
        post_webhook(url, "/twilio/messages", message_params("JOIN", SID))
        post_webhook(
            url,
            "/twilio/messages",
            message_params("hello?", "SM" + "2" * 32, From="+15557654321"),
            signature="Zm9yZ2VkIHNpZ25hdHVyZQ==",
        )
        statuses = ["queued", "sent", "delivered", "sent", "read", "delivered"]
        random.Random(3).shuffle(statuses)
        for status in statuses:
            params = {
                **message_params("", SID, From="+15559990000", To="+15551230000"),
                "MessageStatus": status,
            }
            del params["Body"]
            post_webhook(url, "/twilio/messages/status", params)
        post_webhook(
            url, "/twilio/messages", message_params("STOP", "SM" + "3" * 32, From="+15550001111")
        )
        post_webhook(
            url, "/twilio/messages", message_params("Is it open on Sunday?", "SM" + "4" * 32)
        )
        history = app.extensions["twhooks"].facades.history
        first = next(r.id for r in history.recent(50, kind="message") if r.params["Body"] == "HELP")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1200, "height": 760})
            shots = {
                "inspector-list.png": PREFIX + "/",
                "inspector-detail.png": PREFIX + f"/r/{first}",
                "inspector-message.png": PREFIX + f"/messages/{SID}",
                "inspector-state.png": PREFIX + "/state",
            }
            for name, path in shots.items():
                page.goto(url + path)
                page.wait_for_timeout(1200)  # the live list's first read
                page.screenshot(path=str(OUT / name), full_page=True)
                print("wrote", OUT / name)
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(url + PREFIX + "/")
            phone.wait_for_timeout(1200)
            phone.screenshot(path=str(OUT / "inspector-phone.png"))
            print("wrote", OUT / "inspector-phone.png")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
