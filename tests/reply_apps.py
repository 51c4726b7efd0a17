"""Small apps on the memory store for tests/test_failed_handlers_memory.py: a status handler
that raises until ``"ready"`` is in *seen*, then appends the status it got."""

from __future__ import annotations

from typing import Any

from _signing import TOKEN


def both_apps(framework: str, seen: list[str], error_status: int | None = None) -> Any:
    """``(app, hooks)`` of *framework* (``"flask"`` or ``"quart"``); with *error_status*, an
    ``@hooks.error`` handler answers every failure with that status."""
    config = {"TWILIO_AUTH_TOKEN": TOKEN, "TWHOOKS_STORE": "memory://"}
    if framework == "flask":
        from flask import Flask, Response

        from twhooks.flask import TwilioHooks

        app: Any = Flask("failed_memory")
        hooks: Any = TwilioHooks()
        make_response: Any = Response
    else:
        from quart import Quart
        from quart import Response as QuartResponse

        from twhooks.quart import TwilioHooks as QuartHooks

        app = Quart("failed_memory")
        hooks = QuartHooks()
        make_response = QuartResponse
    app.config.update(config)

    @hooks.message_status()
    def on_status(status: Any) -> None:
        if "ready" not in seen:
            raise RuntimeError(f"not yet: {status.status}")
        seen.append(status.status)

    if error_status is not None:

        @hooks.error
        def answer(error: Exception, event: Any) -> Any:
            return make_response("handled", status=error_status)

    hooks.init_app(app)
    return app, hooks
