"""The dispatcher: a verified webhook request in, a reply out — the one request path.

The steps live in :mod:`twhooks.dispatch.steps` as plain calls that never wait; two drivers
call them under the same names: :class:`Dispatcher` in the caller's thread (Flask, any WSGI
app) and :class:`AsyncDispatcher` on an event loop (Quart). A handler exception that no
``@hooks.error`` handler answers is **re-raised**, so that the web framework's own error
handling sees it. This package knows nothing of any web framework.
"""

from __future__ import annotations

from .aio import AsyncDispatcher as AsyncDispatcher
from .received import Received as Received
from .route import Begun as Begun
from .sync import Dispatcher as Dispatcher

__all__ = ["AsyncDispatcher", "Begun", "Dispatcher", "Received"]
