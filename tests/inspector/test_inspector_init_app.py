"""The inspector is switched on by TwilioHooks.init_app, and only safely."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from twhooks import ConfigurationError, TwilioHooks

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core


def _app(debug: bool, **config: Any) -> Flask:
    app = Flask(__name__)
    app.debug = debug
    app.config.update(TWILIO_AUTH_TOKEN="t", TWHOOKS_STORE="memory://", **config)
    return app


def test_off_by_default() -> None:
    app = _app(True)
    TwilioHooks(app)
    assert app.test_client().get("/twilio/_inspector/").status_code == 404


def test_on_without_debug_needs_a_password() -> None:
    with pytest.raises(ConfigurationError, match="TWHOOKS_INSPECTOR_PASSWORD"):
        TwilioHooks(_app(False, TWHOOKS_INSPECTOR=True))
    app = _app(False, TWHOOKS_INSPECTOR=True, TWHOOKS_INSPECTOR_PASSWORD="pw")
    TwilioHooks(app)
    assert app.test_client().get("/twilio/_inspector/").status_code == 401
    assert app.test_client().get("/twilio/_inspector/", auth=("any", "pw")).status_code == 200


def test_under_another_prefix() -> None:
    app = _app(True, TWHOOKS_INSPECTOR=True, TWHOOKS_URL_PREFIX="/hooks")
    TwilioHooks(app)
    assert app.test_client().get("/hooks/_inspector/").status_code == 200
