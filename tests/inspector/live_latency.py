"""How long a webhook takes to appear in the inspector's live list, in a real browser.

    python tests/inspector/live_latency.py      # prints n, median, max and min in seconds

Not a test (timings are not asserted in unit tests): the number the docs' "within two
seconds" rests on. The page reads the feed every second.
"""

from __future__ import annotations

import statistics
import sys
import time
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

COUNT = 20


def main() -> None:
    app, _ = webhook_app()
    server = LiveServer(app)
    took: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(server.url + PREFIX + "/")
            page.wait_for_timeout(1500)
            for i in range(COUNT):
                sent = time.monotonic()
                post_webhook(
                    server.url, "/twilio/messages", message_params(f"ping {i}", f"SM{i:032d}")
                )
                rows = page.locator("#webhooks tbody tr").filter(has_text=f"ping {i}")
                rows.wait_for(timeout=5000)
                took.append(time.monotonic() - sent)
                page.wait_for_timeout(137 * (i % 7))  # land at different points of the poll
            browser.close()
    finally:
        server.stop()
    print(
        f"n={len(took)} median={statistics.median(took):.2f}s max={max(took):.2f}s "
        f"min={min(took):.2f}s"
    )


if __name__ == "__main__":
    main()
