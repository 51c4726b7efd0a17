"""Real HTTP servers for the tests: a threaded werkzeug server, gunicorn and Hypercorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

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


class ServerProcess:
    """A server in a process of its own on 127.0.0.1, run from the tests' folder, its output
    in *log*; started when the port answers (an error if the process exits first)."""

    def __init__(
        self, name: str, command: list[str], port: int, env: dict[str, str], log: Path
    ) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = env
        self.log = log
        self._log_file = log.open("wb")
        tests = Path(__file__).parent
        python_path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        self.process = subprocess.Popen(
            command,
            cwd=tests,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), *python_path]), **env},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{name} did not start in 20 s: {self.output()}")

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


class Gunicorn(ServerProcess):
    """A gunicorn server on 127.0.0.1 serving ``tests/serverapps.py:<factory>()``, or the app
    *factory* names as ``module:app`` (a module of ``tests/``)."""

    def __init__(self, factory: str, workers: int, env: dict[str, str], log: Path) -> None:
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            factory if ":" in factory else f"serverapps:{factory}()",
            "--chdir",
            str(Path(__file__).parent),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "info",
            "--graceful-timeout",
            "2",
        ]
        super().__init__("gunicorn", command, port, env, log)


class Hypercorn(ServerProcess):
    """A Hypercorn server on 127.0.0.1 serving the ASGI *app* (``module:name`` of ``tests/``)."""

    def __init__(self, app: str, env: dict[str, str], log: Path) -> None:
        port = free_port()
        command = [sys.executable, "-m", "hypercorn", "-b", f"127.0.0.1:{port}", app]
        super().__init__("hypercorn", command, port, env, log)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
