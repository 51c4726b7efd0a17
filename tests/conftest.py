"""Fixtures shared by every test module."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server


class LiveServer:
    """A real HTTP server on 127.0.0.1 running a WSGI app in a background thread."""

    def __init__(self, app: Any) -> None:
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        # A short poll interval: shutdown() waits up to one interval, at every test's end.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


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


class Gunicorn:
    """A gunicorn server on 127.0.0.1 serving ``tests/serverapps.py:<factory>()``."""

    def __init__(self, factory: str, workers: int, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                f"serverapps:{factory}()",
                "--chdir",
                str(Path(__file__).parent),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "info",
                "--graceful-timeout",
                "2",
            ],
            env={**os.environ, **env},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"gunicorn did not start in 20 s: {self.output()}")

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log_file.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
