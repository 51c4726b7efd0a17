"""The inspector of an app whose history drops bodies and hashes numbers: nothing of either
reaches a page or the feed, and the number filter still finds a person's webhooks."""

from __future__ import annotations

from typing import Any

import requests
from browser import PREFIX, message_params, post_webhook, webhook_app

SID = "SM" + "d4" * 16


def test_a_redacted_history_in_the_inspector(live_server: Any) -> None:
    app, _ = webhook_app({"TWHOOKS_HISTORY_REDACT": {"bodies", "numbers"}})
    server = live_server(app)
    answer = post_webhook(server.url, "/twilio/messages", message_params("my secret", SID))
    assert answer.status_code == 200 and "You said: my secret" in answer.text  # the app sees it
    feed = requests.get(server.url + PREFIX + "/feed.json?number=%2B15551230000", timeout=10)
    (row,) = feed.json()["rows"]
    assert row["from"].startswith("#") and row["sid"] == SID
    assert row["body"] == "[redacted]"
    page = requests.get(server.url + PREFIX + row["detail"].removeprefix(PREFIX), timeout=10)
    assert page.status_code == 200
    for text in (feed.text, page.text):
        assert "my secret" not in text and "15551230000" not in text
        assert "15559990000" not in text
    other = requests.get(server.url + PREFIX + "/feed.json?number=%2B15550000000", timeout=10)
    assert other.json()["rows"] == []
