"""Fixtures of the inspector tests: a Flask app with the inspector mounted over a memory store."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from twhooks.inspector import mount
from twhooks.store import HistoryRecord, StoreFacades

PASSWORD = "inspector-test-password"


@dataclass
class _Settings:
    url_prefix: str = "/twilio"


@dataclass
class State:
    """The two attributes of the extension's state the inspector reads."""

    facades: StoreFacades
    settings: _Settings = field(default_factory=_Settings)


def make_app(config: dict[str, Any] | None = None, *, debug: bool = True) -> tuple[Flask, State]:
    app = Flask("inspector_test")
    app.config.update({"TWHOOKS_INSPECTOR": True, **(config or {})})
    app.debug = debug
    state = State(StoreFacades.from_config({"TWHOOKS_STORE": "memory://"}, instance_path="."))
    mount(app, state)
    return app, state


def record(state: State, **fields: Any) -> HistoryRecord:
    """Put one request in the history; return it with its id."""
    values: dict[str, Any] = {
        "kind": "message",
        "method": "POST",
        "url": "http://localhost/twilio/messages",
        "params": {
            "MessageSid": "SM" + "1" * 32,
            "From": "+15551230000",
            "To": "+15559990000",
            "Body": "hello",
        },
        "verified": True,
        "verdict": "valid",
        "status": 200,
        "handler": "app.hello",
        "why": "catch-all",
        "reply": "<Response><Message>Hi!</Message></Response>",
        "duration": 0.0042,
        "at": time.time(),
    }
    values.update(fields)
    rec = HistoryRecord(**values)
    history = state.facades.history
    assert history is not None
    rec.id = history.record(rec)
    return rec


@pytest.fixture
def inspector() -> Callable[..., tuple[Flask, State]]:
    return make_app
