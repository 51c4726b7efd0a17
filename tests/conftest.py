"""Fixtures shared by every test module, and the servers the suite needs."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _servers import Gunicorn, LiveServer

if TYPE_CHECKING:
    from _hypercorn import HypercornServer
    from _logs import Capture

SERVICES = Path(__file__).parent.parent / "tools" / "services"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start PostgreSQL and Redis, install Chromium, when one is missing: the README's test
    command runs as written on a fresh machine of this project's kind (``tools/services``).
    ``TWHOOKS_TEST_SERVICES=0`` leaves them to you (the tests that need them then fail)."""
    if os.environ.get("TWHOOKS_TEST_SERVICES", "1") == "0":
        return
    if _listening(5432) and _listening(6379) and os.access("/usr/bin/chromium", os.X_OK):
        return
    done = subprocess.run([str(SERVICES)], check=False)
    if done.returncode != 0:
        pytest.exit(
            f"{SERVICES} could not start what the tests need (exit {done.returncode}); "
            "see its output above",
            returncode=3,
        )


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


@pytest.fixture
def capture() -> Iterator[Capture]:
    """Every log record of the test, as the app's JSON logging setup writes it (``_logs``),
    on the root logger at DEBUG (its level restored after)."""
    from _logs import Capture

    handler = Capture()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)
