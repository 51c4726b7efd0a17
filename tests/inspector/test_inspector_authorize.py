"""The inspector behind the app's own login: ``TWHOOKS_INSPECTOR_AUTHORIZE``, and the
Blueprint's documented name for the app's own ``before_request``."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, abort, redirect, request, session, url_for

from twhooks import ConfigurationError, TwilioHooks
from twhooks.inspector import BLUEPRINT

PAGE = "/twilio/_inspector/"


def login_app(authorize: Any, *, debug: bool = False) -> Flask:
    """An app with its own login (a session) and the inspector behind it."""
    app = Flask("login_app")
    app.debug = debug
    app.config.update(
        SECRET_KEY="login-app",
        TWILIO_AUTH_TOKEN="t" * 32,
        TWHOOKS_STORE="memory://",
        TWHOOKS_INSPECTOR=True,
        TWHOOKS_INSPECTOR_AUTHORIZE=authorize,
    )

    @app.get("/login")
    def login() -> str:
        return "the login page"

    @app.post("/login")
    def log_in() -> str:
        session["user"] = request.form["user"]
        return "logged in"

    TwilioHooks(app)
    return app


def admins_only(req: Any) -> Any:
    user = session.get("user")
    if user is None:
        return redirect(url_for("login", next=req.path))
    return user == "admin"


def test_the_apps_login_guards_the_inspector(caplog: pytest.LogCaptureFixture) -> None:
    client = login_app(admins_only).test_client()
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")
    client.post("/login", data={"user": "mallory"})
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE + "feed.json").status_code == 403
    assert "refused by TWHOOKS_INSPECTOR_AUTHORIZE" in caplog.text
    client.post("/login", data={"user": "admin"})
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE + "feed.json").json["rows"] == []


def test_a_login_required_view_decorator_through_the_blueprints_name() -> None:
    """The documented other way: the app's own check, for the Blueprint by its name."""
    app = login_app(None, debug=True)  # no authorize function: debug mode, for init_app

    @app.before_request
    def inspector_for_admins() -> None:
        if request.blueprint == BLUEPRINT and session.get("user") != "admin":
            abort(403)

    client = app.test_client()
    assert client.get(PAGE).status_code == 403
    client.post("/login", data={"user": "admin"})
    assert client.get(PAGE).status_code == 200


def test_authorize_must_be_a_function() -> None:
    with pytest.raises(ConfigurationError, match="TWHOOKS_INSPECTOR_AUTHORIZE"):
        login_app("admins")


def test_without_debug_password_or_authorize_the_inspector_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="TWHOOKS_INSPECTOR_AUTHORIZE"):
        login_app(None)
