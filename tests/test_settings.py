"""The settings, read once into one frozen object with a part per concern; the token Twilio
signs with, answered once for the test client, the inspector's replay and the command."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
from _signing import TOKEN, official_signature
from flask import Flask, request

from twhooks import ConfigurationError, TwilioHooks
from twhooks.cli import main
from twhooks.flask.testing import TwilioTestClient
from twhooks.inspector.replay import replay
from twhooks.settings import (
    DEFAULTS,
    InspectorSettings,
    RealtimeSettings,
    Settings,
    StoreSettings,
    set_defaults,
    settings_of,
)
from twhooks.store import STORE_DEFAULTS, StoreFacades
from twhooks.store.calls import DEFAULT_CALL_TTL
from twhooks.store.conversations import DEFAULT_CONVERSATION_TTL, DEFAULT_LOCK_LEASE
from twhooks.store.deliveries import DEFAULT_DELIVERY_TTL
from twhooks.store.history import DEFAULT_HISTORY_SIZE

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

SUB = "AC" + "5" * 32
SUB_TOKEN = "subaccount-token-0123456789abcdef"
OTHER = "AC" + "6" * 32

# -- one object, one part per concern -------------------------------------------------------


def test_the_parts_take_the_defaults() -> None:
    settings = Settings.from_config({"TWILIO_AUTH_TOKEN": TOKEN})
    assert settings.store == StoreSettings(
        url=None,
        conversations="store",
        conversation_ttl=DEFAULT_CONVERSATION_TTL,
        conversation_lock_lease=DEFAULT_LOCK_LEASE,
        delivery_ttl=DEFAULT_DELIVERY_TTL,
        call_ttl=DEFAULT_CALL_TTL,
        opt_out_ttl=None,
        history=True,
        history_size=DEFAULT_HISTORY_SIZE,
        history_redact=False,
        account_sid=None,
    )
    assert settings.inspector == InspectorSettings(enabled=False, password=None)
    assert settings.realtime == RealtimeSettings(settings.verifier, None)
    assert settings.realtime.verifier is settings.verifier


def test_the_store_defaults_are_those_of_its_facades() -> None:
    assert {name: DEFAULTS[name] for name in STORE_DEFAULTS} == STORE_DEFAULTS
    assert DEFAULTS["TWHOOKS_CONVERSATION_TTL"] == DEFAULT_CONVERSATION_TTL
    assert DEFAULTS["TWHOOKS_DELIVERY_TTL"] == DEFAULT_DELIVERY_TTL
    assert DEFAULTS["TWHOOKS_CALL_TTL"] == DEFAULT_CALL_TTL
    assert DEFAULTS["TWHOOKS_HISTORY_SIZE"] == DEFAULT_HISTORY_SIZE


def test_the_parts_read_their_settings() -> None:
    settings = Settings.from_config(
        {
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_ACCOUNT_SID": SUB,
            "TWHOOKS_PUBLIC_URL": "https://hooks.example.com/",
            "TWHOOKS_REPLAY_LEASE": 3,
            "TWHOOKS_STORE": "memory://",
            "TWHOOKS_CONVERSATIONS": "cookie",
            "TWHOOKS_OPT_OUT_TTL": 60,
            "TWHOOKS_HISTORY": False,
            "TWHOOKS_INSPECTOR": True,
            "TWHOOKS_INSPECTOR_PASSWORD": "pw",
        }
    )
    assert settings.store.url == "memory://"
    assert settings.store.conversations == "cookie"
    assert settings.store.conversation_lock_lease == 3.0  # the claim's lease
    assert (settings.store.opt_out_ttl, settings.store.history) == (60.0, False)
    assert settings.store.account_sid == SUB
    assert settings.inspector == InspectorSettings(enabled=True, password="pw")
    assert settings.realtime.public_url == "https://hooks.example.com"


def test_the_facades_are_built_from_the_store_part(tmp_path: Any) -> None:
    settings = Settings.from_config(
        {"TWILIO_AUTH_TOKEN": TOKEN, "TWHOOKS_STORE": "memory://", "TWHOOKS_REPLAY_LEASE": 3}
    )
    facades = StoreFacades.open(settings.store, instance_path=tmp_path)
    assert facades.conversations.lock_lease == 3.0
    assert facades.history is not None


def test_an_app_keeps_its_settings_and_the_defaults_in_its_config() -> None:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_REPLAY_LEASE=2)
    hooks = TwilioHooks(app)
    assert settings_of(app) is app.extensions["twhooks"].settings
    assert set(DEFAULTS) <= set(app.config)
    assert app.config["TWHOOKS_URL_PREFIX"] == "/twilio"
    with app.app_context():
        assert hooks.conversations.lock_lease == 2.0  # the claim's lease


def test_set_defaults_keeps_what_is_set() -> None:
    config: dict[str, Any] = {"TWHOOKS_URL_PREFIX": "/hooks"}
    set_defaults(config)
    assert config == {**DEFAULTS, "TWHOOKS_URL_PREFIX": "/hooks"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TWHOOKS_INSPECTOR", "yes"),
        ("TWHOOKS_INSPECTOR_PASSWORD", ""),
        ("TWHOOKS_CONVERSATIONS", "session"),
        ("TWHOOKS_HISTORY_SIZE", 0),
        ("TWHOOKS_CALL_TTL", -1),
        ("TWILIO_ACCOUNT_SID", 5),
        ("TWHOOKS_REPLAY_LEASE", "15s"),
    ],
)
def test_a_bad_setting_of_any_part_is_named(name: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_config({"TWILIO_AUTH_TOKEN": TOKEN, name: value})


def test_an_inspector_anyone_could_open_is_refused() -> None:
    inspector = Settings.from_config({"TWILIO_AUTH_TOKEN": TOKEN, "TWHOOKS_INSPECTOR": True})
    inspector.inspector.check(debug=True)
    with pytest.raises(ConfigurationError, match="TWHOOKS_INSPECTOR_PASSWORD"):
        inspector.inspector.check(debug=False)


def test_the_settings_never_show_a_secret() -> None:
    settings = Settings.from_config(
        {
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWHOOKS_ACCOUNT_TOKENS": {SUB: SUB_TOKEN},
            "TWHOOKS_INSPECTOR_PASSWORD": "s3cret",
        }
    )
    shown = repr(settings)
    assert TOKEN not in shown and SUB_TOKEN not in shown and "s3cret" not in shown


# -- settings that did nothing ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["TWHOOKS_DEDUPLICATE_SIZE", "TWHOOKS_REALTIME_GRACE"])
def test_a_removed_setting_is_one_deprecation_warning_at_init_app(name: str) -> None:
    app = Flask(__name__)
    app.config.update({"TWILIO_AUTH_TOKEN": TOKEN, name: 10})
    with pytest.warns(DeprecationWarning, match=f"{name} was removed") as caught:
        TwilioHooks(app)
    assert len(caught) == 1
    assert caught[0].filename == __file__  # it points at the app's code


def test_no_warning_without_a_removed_setting() -> None:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TwilioHooks(app)
    assert "TWHOOKS_DEDUPLICATE_SIZE" not in app.config
    assert "TWHOOKS_REALTIME_GRACE" not in app.config


# -- the token Twilio signs with -------------------------------------------------------------


def _lookup(account_sid: str) -> str | list[str] | None:
    return {SUB: [SUB_TOKEN, "old-subaccount-token"]}.get(account_sid)


@pytest.mark.parametrize(
    ("config", "account", "token"),
    [
        ({"TWILIO_AUTH_TOKEN": "t1"}, None, "t1"),
        ({"TWILIO_AUTH_TOKEN": ["new", "old"]}, "AC1", "new"),
        ({"TWILIO_AUTH_TOKEN": "t1", "TWHOOKS_ACCOUNT_TOKENS": {"AC2": "sub"}}, "AC2", "sub"),
        ({"TWILIO_AUTH_TOKEN": "t1", "TWHOOKS_ACCOUNT_TOKENS": {"AC2": "sub"}}, "AC3", "t1"),
        ({"TWILIO_AUTH_TOKEN": "t1", "TWHOOKS_ACCOUNT_TOKENS": {"AC2": None}}, "AC2", "t1"),
        ({"TWILIO_AUTH_TOKEN": "t1", "TWHOOKS_ACCOUNT_TOKENS": _lookup}, SUB, SUB_TOKEN),
        ({"TWILIO_AUTH_TOKEN": "t1", "TWHOOKS_ACCOUNT_TOKENS": _lookup}, OTHER, "t1"),
        ({"TWHOOKS_ACCOUNT_TOKENS": _lookup}, OTHER, None),
        ({"TWHOOKS_VALIDATE": False}, None, None),
        ({"TWHOOKS_VALIDATE": False, "TWILIO_AUTH_TOKEN": "t1"}, None, "t1"),
    ],
    ids=[
        "one",
        "first-of-list",
        "subaccount",
        "other-account",
        "subaccount-without-token",
        "function",
        "function-other-account",
        "function-only",
        "none",
        "not-validated",
    ],
)
def test_signing_token(config: dict[str, Any], account: str | None, token: str | None) -> None:
    assert Settings.from_config(config).signing_token(account) == token


def _signed_app(accounts: Any) -> tuple[Flask, list[tuple[str, str, dict[str, str]]]]:
    """An app with a subaccount, noting each webhook's URL, signature and parameters."""
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_ACCOUNT_TOKENS=accounts, SECRET_KEY="s")
    hooks = TwilioHooks(app)
    seen: list[tuple[str, str, dict[str, str]]] = []

    @app.before_request
    def note() -> None:
        seen.append(
            (request.url, request.headers.get("X-Twilio-Signature", ""), request.form.to_dict())
        )

    @hooks.message()
    def reply(msg: Any) -> str:
        return "ok"

    return app, seen


@pytest.mark.parametrize(
    "accounts",
    [{SUB: SUB_TOKEN}, lambda sid: SUB_TOKEN if sid == SUB else None],
    ids=["mapping", "function"],
)
def test_the_test_client_the_replay_and_the_command_sign_with_the_same_token(
    accounts: Any,
    live_server: Callable[[Any], Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app, seen = _signed_app(accounts)
    token = settings_of(app).signing_token(SUB)
    assert token == SUB_TOKEN
    url = str(live_server(app).url) + "/twilio/messages"
    # The test client, over the URL the app is served at.
    client = TwilioTestClient(app, base_url=url.removesuffix("/twilio/messages"), account_sid=SUB)
    assert client.webhook("message", Body="from the test client").status_code == 200
    # The inspector's replay of what the test client sent.
    with app.app_context():
        (record,) = app.extensions["twhooks"].facades.history.recent(10)
    assert replay(app, record).status == 200
    # The command, given the app's token for the account (it knows no app's settings).
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", token)
    assert main(["send", "message", url, f"AccountSid={SUB}", "Body=from the command"]) == 0
    capsys.readouterr()
    assert len(seen) == 3
    with app.app_context():
        verdicts = [r.verdict for r in app.extensions["twhooks"].facades.history.recent(10)]
    assert verdicts == ["valid"] * 3
    for seen_url, signature, params in seen:
        assert params["AccountSid"] == SUB
        assert signature == official_signature(seen_url, params, SUB_TOKEN)
