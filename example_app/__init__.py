"""The twhooks example app: an SMS chatbot, a phone menu and a delivery dashboard.

Run it with ``python -m example_app`` (http://127.0.0.1:5000): on your own machine, the
settings you leave unset get public development values. It is an ordinary Flask app built
by an app factory; twhooks is one extension among others, mounted under ``/twilio``. Served
any other way (``gunicorn 'example_app:create_app()'``), it needs its settings from the
environment, and refuses to start without them::

    SECRET_KEY=... TWILIO_AUTH_TOKEN=... EXAMPLE_DASHBOARD_PASSWORD=... \\
        gunicorn --workers 2 --bind 127.0.0.1:8000 'example_app:create_app()'

or in code::

    from example_app import create_app
    app = create_app({"SECRET_KEY": ..., "TWILIO_AUTH_TOKEN": ..., ...})
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from flask import Flask, Response, render_template, request

from . import sms, store, streams, voice  # noqa: F401 - importing them registers their handlers
from .hooks import hooks

__all__ = [
    "DEV_AUTH_TOKEN",
    "DEV_DASHBOARD_PASSWORD",
    "DEV_SECRET_KEY",
    "SETTINGS",
    "MissingSettings",
    "create_app",
]

#: The auth token used in development when ``TWILIO_AUTH_TOKEN`` is not set: fine on your
#: laptop, where you sign requests yourself (``twhooks`` simulator, tests). Never in
#: production: it is public.
DEV_AUTH_TOKEN = "twhooks-example-dev-token"

#: The session signing key used in development when ``SECRET_KEY`` is not set. Public.
DEV_SECRET_KEY = "twhooks-example-dev-secret-key"

#: The dashboard's password in development when ``EXAMPLE_DASHBOARD_PASSWORD`` is not set.
DEV_DASHBOARD_PASSWORD = "twhooks-example-dev-dashboard"

#: The settings the app needs, with their public development values.
SETTINGS: Mapping[str, str] = {
    # Signs the session cookie that carries each conversation's state: every worker of
    # the app must have the same one.
    "SECRET_KEY": DEV_SECRET_KEY,
    # The auth token of your Twilio account: twhooks checks every webhook with it.
    "TWILIO_AUTH_TOKEN": DEV_AUTH_TOKEN,
    # The password of /dashboard, which shows callers' numbers, recordings and transcripts.
    "EXAMPLE_DASHBOARD_PASSWORD": DEV_DASHBOARD_PASSWORD,
}


class MissingSettings(RuntimeError):
    """The app was created without settings it needs, outside development.

    :param names: the settings that are missing.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        super().__init__(
            f"the example app cannot start: {', '.join(self.names)} "
            f"{'is' if len(self.names) == 1 else 'are'} not set. Set "
            f"{'it' if len(self.names) == 1 else 'them'} in the environment (the same "
            "SECRET_KEY for every worker), or run `python -m example_app` to try the app on "
            "127.0.0.1 with public development values."
        )


def create_app(config: Mapping[str, Any] | None = None, *, development: bool = False) -> Flask:
    """Build the app. Settings come from the environment, then from *config*.

    :param config: overrides, e.g. ``{"TWILIO_AUTH_TOKEN": "...", "TESTING": True}``.
    :param development: fill in the settings of :data:`SETTINGS` left unset with their
        public development values, as ``python -m example_app`` does on 127.0.0.1.
    :raises MissingSettings: a setting of :data:`SETTINGS` is not set, outside development.
    """
    app = Flask(__name__)
    from_environment = (
        *SETTINGS,
        "TWHOOKS_PUBLIC_URL",
        "TWHOOKS_STORE",
        # The echo in the background, its reply sent through Twilio's REST API (sms.py).
        "TWHOOKS_RUNNER",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_API_KEY",
        "TWILIO_API_SECRET",
        "TWILIO_API_BASE_URL",
    )
    app.config.update({name: os.environ[name] for name in from_environment if os.environ.get(name)})
    if config:
        app.config.update(config)
    missing = [name for name in SETTINGS if not app.config.get(name)]
    if missing and not development:
        raise MissingSettings(missing)
    for name in missing:
        app.config[name] = SETTINGS[name]
    if development:  # the webhook inspector at /twilio/_inspector, with the dashboard's password
        app.config.setdefault("TWHOOKS_INSPECTOR", True)
        app.config.setdefault(
            "TWHOOKS_INSPECTOR_PASSWORD", app.config["EXAMPLE_DASHBOARD_PASSWORD"]
        )
    hooks.init_app(app)
    app.add_template_filter(_utc, "utc")

    @app.get("/")
    def home() -> str:
        return render_template("home.html", routes=_twhooks_routes(app))

    @app.get("/dashboard")
    def dashboard() -> Response | str:
        if not _may_see_the_dashboard(app.config["EXAMPLE_DASHBOARD_PASSWORD"]):
            return Response(
                "The dashboard needs its password (EXAMPLE_DASHBOARD_PASSWORD).\n",
                401,
                {"WWW-Authenticate": 'Basic realm="twhooks example dashboard", charset="UTF-8"'},
                mimetype="text/plain",
            )
        return render_template(
            "dashboard.html",
            messages=store.messages(),
            summary=store.summary(),
            voicemails=store.voicemails(),
            opt_outs=store.opt_outs(),
        )

    return app


def _may_see_the_dashboard(password: str) -> bool:
    """Whether the request carries the dashboard's password (HTTP basic, any user name)."""
    given = request.authorization
    if given is None or given.type != "basic" or given.password is None:
        return False
    return hmac.compare_digest(given.password.encode(), password.encode())


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _twhooks_routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.rule, ", ".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("twhooks.")
    )
