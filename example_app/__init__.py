"""The twhooks example app: an SMS chatbot, a phone menu and a delivery dashboard.

Run it with ``python -m example_app`` (http://127.0.0.1:5000). It is an ordinary Flask app
built by an app factory; twhooks is one extension among others, mounted under ``/twilio``::

    from example_app import create_app
    app = create_app({"TWILIO_AUTH_TOKEN": "..."})
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template

from . import sms, voice  # noqa: F401 - importing them registers their handlers
from .hooks import hooks
from .store import Dashboard

__all__ = ["DEV_AUTH_TOKEN", "DEV_SECRET_KEY", "create_app"]

#: The auth token used when ``TWILIO_AUTH_TOKEN`` is not set: fine on your laptop, where you
#: sign requests yourself (``twhooks`` simulator, tests). Never in production.
DEV_AUTH_TOKEN = "twhooks-example-dev-token"

#: The session signing key used when ``SECRET_KEY`` is not set. Public, so development only.
DEV_SECRET_KEY = "twhooks-example-dev-secret-key"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Settings come from the environment, then from ``config``.

    :param config: overrides, e.g. ``{"TWILIO_AUTH_TOKEN": "...", "TESTING": True}``.
    """
    app = Flask(__name__)
    app.config.update(
        # Twilio keeps the signed session cookie per (From, To): it carries the dialog state.
        SECRET_KEY=os.environ.get("SECRET_KEY") or DEV_SECRET_KEY,
        TWILIO_AUTH_TOKEN=os.environ.get("TWILIO_AUTH_TOKEN") or DEV_AUTH_TOKEN,
        # Behind ngrok or another proxy, the URL Twilio signs: https://abc.ngrok.app
        TWHOOKS_PUBLIC_URL=os.environ.get("TWHOOKS_PUBLIC_URL") or None,
    )
    if config:
        app.config.update(config)
    app.extensions["dashboard"] = Dashboard()
    hooks.init_app(app)

    @app.get("/")
    def home() -> str:
        return render_template("home.html", routes=_twhooks_routes(app))

    @app.get("/dashboard")
    def dashboard() -> str:
        board: Dashboard = app.extensions["dashboard"]
        return render_template(
            "dashboard.html", messages=board.recent_messages(), voicemails=board.voicemails()
        )

    return app


def _twhooks_routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.rule, ", ".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("twhooks.")
    )
