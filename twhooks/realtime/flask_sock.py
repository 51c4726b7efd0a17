"""Deprecated: the voice-socket routes of a Flask app are in :mod:`twhooks.flask.sockets`."""

from __future__ import annotations

import warnings

from ..flask.sockets import BLUEPRINT as BLUEPRINT
from ..flask.sockets import FlaskSockSocket as FlaskSockSocket
from ..flask.sockets import mount_flask as mount_flask

__all__ = ["BLUEPRINT", "FlaskSockSocket", "mount_flask"]

warnings.warn(
    "twhooks.realtime.flask_sock is deprecated; import mount_flask from twhooks.flask.sockets",
    DeprecationWarning,
    stacklevel=2,
)
