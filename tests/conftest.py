"""Fixtures shared by every test module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _servers import Gunicorn, LiveServer

if TYPE_CHECKING:
    from _hypercorn import HypercornServer


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], LiveServer]]:
    """Start WSGI apps in real HTTP servers; ``live_server(app).url`` is the base URL.

    Every server started is shut down when the test ends.
    """
    servers: list[LiveServer] = []

    def start(app: Any) -> LiveServer:
        server = LiveServer(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def serve() -> Iterator[Callable[[Any], HypercornServer]]:
    """Start ASGI apps (Quart's) on real Hypercorn servers in background threads:
    ``serve(app).url``; every one stopped when the test ends."""
    from _hypercorn import HypercornServer  # hypercorn only for the tests that use it

    servers: list[HypercornServer] = []

    def start(app: Any) -> HypercornServer:
        server = HypercornServer(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Callable[..., Gunicorn]]:
    """Start gunicorn servers: ``gunicorn("hooks_app", workers=2, env={...})``; all stopped
    when the test ends."""
    servers: list[Gunicorn] = []

    def start(factory: str, workers: int = 2, env: dict[str, str] | None = None) -> Gunicorn:
        server = Gunicorn(factory, workers, env or {}, tmp_path / f"gunicorn-{len(servers)}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def _memory_store_by_default(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Apps built in a test keep their shared state in memory unless they say otherwise.

    Without ``TWHOOKS_STORE`` an app keeps it in an SQLite file in its instance folder,
    shared by every test of this suite and every run: state from one test would reach the
    next. Tests of that default are marked ``default_store``.
    """
    if request.node.get_closest_marker("default_store") is not None:
        return
    import twhooks.settings

    # The one table of defaults, which both the Flask and the Quart extension set.
    monkeypatch.setitem(twhooks.settings.DEFAULTS, "TWHOOKS_STORE", "memory://")
