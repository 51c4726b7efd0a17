"""The dispatcher: a verified webhook request in, a reply out — the one request path.

The steps live in :mod:`twhooks.dispatch.steps` as plain calls that never wait; two drivers
call them under the same names: :class:`Dispatcher` in the caller's thread (Flask, any WSGI
app) and :class:`AsyncDispatcher` on an event loop (Quart). A handler exception that no
``@hooks.error`` handler answers is **re-raised**, so that the web framework's own error
handling sees it. This package knows nothing of any web framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .received import Received as Received
from .route import Begun as Begun
from .sync import Dispatcher as Dispatcher

if TYPE_CHECKING:
    from .aio import AsyncDispatcher as AsyncDispatcher

__all__ = ["AsyncDispatcher", "Begun", "Dispatcher", "Received"]


def __getattr__(name: str) -> Any:
    # The event loop's driver loads asyncio, which a WSGI app does not need.
    if name == "AsyncDispatcher":
        from .aio import AsyncDispatcher

        return AsyncDispatcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
