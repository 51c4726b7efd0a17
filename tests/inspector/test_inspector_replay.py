"""Replay through a real app: the stored request signed again, the handler run again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from _signing import signed_get, signed_post
from browser import message_params, webhook_app

from twhooks.settings import Settings

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

P = "/twilio/_inspector"
SID = "SM" + "b2" * 16


def _csrf(client: Any, id: int) -> str:
    page = client.get(P + f"/r/{id}").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _replay(client: Any, id: int) -> str:
    answer = client.post(P + f"/r/{id}/replay", data={"csrf_token": _csrf(client, id)})
    assert answer.status_code == 200
    return str(answer.get_data(as_text=True))


@pytest.mark.parametrize(
    "config",
    [{}, {"TWHOOKS_PUBLIC_URL": "https://hooks.example.com"}],
    ids=["local", "public-url"],
)
def test_replay_of_a_post(config: dict[str, str]) -> None:
    app, hooks = webhook_app(config)
    client = app.test_client()
    counted: list[str] = []

    @hooks.message(keyword="COUNT")
    def count(msg: Any) -> str:
        counted.append(msg.body)
        return f"Counted {len(counted)}"

    assert (
        signed_post(
            client,
            "/twilio/messages",
            message_params("COUNT", SID),
            base_url=config.get("TWHOOKS_PUBLIC_URL", "http://localhost"),
        ).status_code
        == 200
    )
    with app.app_context():
        (first,) = hooks.history.recent(10)
    assert first.verdict == "valid" and first.id is not None
    page = _replay(client, first.id)
    assert "Counted 1" in page and "Counted 2" in page  # old beside new
    assert 'id="changed"' in page
    assert counted == ["COUNT", "COUNT"]
    with app.app_context():
        replayed, original = hooks.history.recent(10)
    assert original.id == first.id
    assert (replayed.verdict, replayed.handler, replayed.url) == ("valid", first.handler, first.url)
    assert replayed.reply.endswith("Counted 2</Message></Response>")


def test_replay_of_a_get_voice_webhook() -> None:
    app, hooks = webhook_app()

    @hooks.call()
    def welcome(call: Any) -> str:
        return "Welcome back."

    client = app.test_client()
    params = {
        "CallSid": "CA" + "c3" * 16,
        "From": "+15551230000",
        "To": "+15559990000",
        "AccountSid": "AC" + "0" * 32,
        "CallStatus": "ringing",
    }
    assert signed_get(client, "/twilio/voice", params).status_code == 200
    with app.app_context():
        (first,) = hooks.history.recent(10)
    assert first.method == "GET" and first.id is not None
    page = _replay(client, first.id)
    assert 'id="same"' in page and "Welcome back." in page
    with app.app_context():
        replayed = hooks.history.recent(10)[0]
    assert (replayed.method, replayed.verdict) == ("GET", "valid")


def test_replay_without_the_right_token_is_refused_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, hooks = webhook_app()
    client = app.test_client()
    signed_post(client, "/twilio/messages", message_params("HELP", SID))
    # The settings are read once: the token the replay signs with is changed where it is read.
    wrong = "another-token-than-the-app-checks-with"
    monkeypatch.setattr(Settings, "signing_token", lambda self, account_sid: wrong)
    with app.app_context():
        (first,) = hooks.history.recent(10)
    assert first.id is not None
    page = _replay(client, first.id)
    assert "Now: 403" in page and 'id="changed"' in page
