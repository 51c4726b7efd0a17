"""The webhook inspector: every request, why it was accepted or refused, what the handler
answered, delivery and call timelines, replay — pages under ``<prefix>/_inspector``.

Off by default. The extension calls :func:`check_settings` in ``init_app`` and, when
``TWHOOKS_INSPECTOR`` is on, :func:`mount`. See :doc:`/inspector`.
"""

from __future__ import annotations

from flask import Flask

from .settings import InspectorSettings as InspectorSettings
from .settings import check_settings as check_settings
from .views import BLUEPRINT as BLUEPRINT
from .views import InspectorState as InspectorState
from .views import blueprint_for

__all__ = ["BLUEPRINT", "InspectorSettings", "InspectorState", "check_settings", "mount"]


def mount(app: Flask, state: InspectorState, settings: InspectorSettings | None = None) -> None:
    """Register the inspector's pages on *app*.

    :param state: the extension's per-app state (its ``facades`` and ``settings``).
    :param settings: what :func:`check_settings` returned; read from ``app.config`` if not
        given.
    :raises ~twhooks.ConfigurationError: see :func:`check_settings`.
    """
    if settings is None:
        settings = check_settings(app.config, app.debug)
    app.register_blueprint(blueprint_for(state, settings, app))
