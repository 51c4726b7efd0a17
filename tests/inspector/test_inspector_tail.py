"""``twhooks tail``: the inspector's live list in a terminal, against a real server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from conftest import PASSWORD, make_app, record

from twhooks.cli import main
from twhooks.cli.tail import format_row

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

Live = Callable[[Any], Any]
PREFIX = "/twilio/_inspector"


def test_format_row_escapes_control_characters() -> None:
    line = format_row(
        {
            "id": 7,
            "time": "12:00:00",
            "kind": "message",
            "verdict": "valid",
            "status": 200,
            "from": "+1\x1b]0;pwned\x07",
            "to": "+2",
            "handler": "app.echo",
            "why": "catch-all",
            "duration_ms": 1.5,
            "body": "hi\x1b[2J\nthere",
            "reason": "",
        }
    )
    assert "\x1b" not in line and "\n" not in line and "\x07" not in line
    assert "\\x1b[2J\\nthere" in line and "app.echo" in line and "(catch-all)" in line


def test_once_prints_the_recent_webhooks_oldest_first(
    live_server: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    app, state = make_app({"TWHOOKS_INSPECTOR_PASSWORD": PASSWORD}, debug=False)
    record(state, params={"From": "+15551230000", "To": "+2", "Body": "first"})
    record(
        state,
        kind="call",
        verdict="invalid_signature",
        verified=False,
        reason="forged",
        params={"CallSid": "CA1", "From": "+3", "To": "+2"},
    )
    server = live_server(app)
    assert main(["tail", server.url + PREFIX, "--once", "--password", PASSWORD]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert '"first"' in lines[0] and "message" in lines[0]
    assert "call" in lines[1] and "invalid_signature" in lines[1] and "refused: forged" in lines[1]
    assert (
        main(["tail", server.url + PREFIX, "--once", "--kind", "call", "--password", PASSWORD]) == 0
    )
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_without_the_password(live_server: Live, capsys: pytest.CaptureFixture[str]) -> None:
    app, _ = make_app({"TWHOOKS_INSPECTOR_PASSWORD": PASSWORD}, debug=False)
    server = live_server(app)
    assert main(["tail", server.url + PREFIX, "--once"]) == 1
    assert "password" in capsys.readouterr().err
    assert main(["tail", server.url + PREFIX, "--once", "--password", "wrong"]) == 1


def test_a_url_that_is_not_the_inspector(
    live_server: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    app, _ = make_app()
    server = live_server(app)
    assert main(["tail", server.url + "/elsewhere", "--once"]) == 1
    assert "not the inspector's feed" in capsys.readouterr().err


def test_follows_new_webhooks(live_server: Live) -> None:
    app, state = make_app({"TWHOOKS_INSPECTOR_PASSWORD": PASSWORD}, debug=False)
    record(state, params={"From": "+1", "To": "+2", "Body": "before"})
    server = live_server(app)
    env = {**os.environ, "TWHOOKS_INSPECTOR_PASSWORD": PASSWORD}
    process = subprocess.Popen(
        [sys.executable, "-m", "twhooks.cli", "tail", server.url + PREFIX, "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert '"before"' in process.stdout.readline()
        time.sleep(0.3)
        record(state, params={"From": "+1", "To": "+2", "Body": "after"})
        assert '"after"' in process.stdout.readline()
    finally:
        process.terminate()
        process.communicate(timeout=10)
