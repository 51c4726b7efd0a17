"""The webhook inspector: every request, why it was accepted or refused, what the handler
answered, delivery and call timelines, replay — pages under ``<prefix>/_inspector``.

Off by default. The extension checks its settings (:attr:`Settings.inspector
<twhooks.settings.Settings.inspector>`) in ``init_app`` and, when ``TWHOOKS_INSPECTOR`` is
on, calls :func:`mount`. See :doc:`/inspector`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, current_app

from ..settings import InspectorSettings as InspectorSettings
from .views import BLUEPRINT as BLUEPRINT
from .views import InspectorState as InspectorState
from .views import blueprint_for

__all__ = ["BLUEPRINT", "InspectorSettings", "InspectorState", "check_settings", "mount"]


def check_settings(config: Mapping[str, Any], debug: bool) -> InspectorSettings:
    """Read the ``TWHOOKS_INSPECTOR*`` settings from *config*
    (:meth:`InspectorSettings.from_config <twhooks.settings.InspectorSettings.from_config>`)
    and :meth:`~twhooks.settings.InspectorSettings.check` them.

    The inspector shows every webhook's parameters (phone numbers, message bodies): it is
    turned on only in debug mode, behind a password or behind the app's own login
    (``TWHOOKS_INSPECTOR_AUTHORIZE``).

    :param debug: ``app.debug``.
    :raises ~twhooks.ConfigurationError: the inspector is on without debug mode, without a
        password and without an authorize function, or a setting has the wrong type.
    """
    settings = InspectorSettings.from_config(config)
    settings.check(debug)
    return settings


def mount(app: Flask, state: InspectorState, settings: InspectorSettings | None = None) -> None:
    """Register the inspector's pages on *app*.

    :param state: the extension's per-app state (its ``facades`` and ``settings``).
    :param settings: what :func:`check_settings` returned; read from ``app.config`` if not
        given.
    :raises ~twhooks.ConfigurationError: see :func:`check_settings`.
    """
    if settings is None:
        settings = check_settings(app.config, app.debug)
    blueprint = blueprint_for(state, settings, app)
    app.register_blueprint(blueprint)
    # First of the app's before_request functions, so that it runs before Flask-WTF's check.
    app.before_request_funcs.setdefault(None, []).insert(0, _csrf_exemption(blueprint))


def _csrf_exemption(blueprint: Blueprint) -> Callable[[], None]:
    """Exempt the inspector from Flask-WTF's ``CSRFProtect`` (once, on the first request,
    when every extension is initialised): its forms carry a CSRF token of their own."""
    done = False

    def exempt_inspector_from_csrf() -> None:
        nonlocal done
        if not done:
            csrf = current_app.extensions.get("csrf")
            if csrf is not None and hasattr(csrf, "exempt"):
                csrf.exempt(blueprint)
            done = True

    return exempt_inspector_from_csrf
