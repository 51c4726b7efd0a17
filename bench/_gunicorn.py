"""A gunicorn server for the server benchmarks: started on 127.0.0.1, waited for until it
listens."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def start_gunicorn(
    target: str, port: int, env: dict[str, str], *, what: str = "", stderr: Any = None
) -> subprocess.Popen[bytes]:
    """gunicorn serving *target* (an app of ``bench/``) with 2 sync workers on *port*, once
    it accepts connections; *what* names it in the error when it does not start in 20 s."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", target, "--chdir", str(HERE), "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "error"],
        env=env,
        stderr=stderr,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{what or target} did not start")
